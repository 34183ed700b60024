import type { QuotaExceededBody, QuotaName } from '../../contracts/tenants/schemas.js';
import { HttpError, type FieldError } from '../errors.js';

/**
 * 429 `quota_exceeded`: the error body every route answers, plus the quota's name, its limit and, where
 * it is counted, the current value. `retryAfterSeconds` only where waiting helps (a window ends).
 */
export class QuotaExceededError extends HttpError {
  readonly current: number | undefined;

  constructor(
    readonly quota: QuotaName,
    readonly limit: number,
    message: string,
    options: { current?: number; retryAfterSeconds?: number; errors?: FieldError[] } = {},
  ) {
    const retryAfter: Record<string, string> = options.retryAfterSeconds ? { 'retry-after': String(options.retryAfterSeconds) } : {};
    super(429, 'quota_exceeded', message, options.errors ?? [], retryAfter);
    this.current = options.current;
  }

  override toJSON(): QuotaExceededBody {
    return {
      ...(super.toJSON() as QuotaExceededBody),
      quota: this.quota,
      limit: this.limit,
      ...(this.current === undefined ? {} : { current: this.current }),
    };
  }
}
