import type { Caller } from '../../contracts/auth/authorizer-context.js';
import { minuteWindow } from '../../domain/tenants/calendar.js';
import { QuotaExceededError } from '../../domain/tenants/quota-exceeded-error.js';
import { DynamoDbRequestRates } from '../dynamodb/request-rates.js';

/** Created on the first limited request, so that routes of tenants without a limit never need the table. */
let rates: DynamoDbRequestRates | undefined;

/**
 * The `requests_per_minute` quota, counted per tenant in the current UTC minute. The limit comes with the
 * caller from the authorizer (which read the tenant's settings), so counting costs one conditional update.
 */
export async function enforceRequestRate(caller: Caller, limit: number | undefined, now = new Date()): Promise<void> {
  if (limit === undefined) return;
  rates ??= new DynamoDbRequestRates();
  const window = minuteWindow(now);
  if (await rates.take(caller.tenantId, limit, window)) return;
  throw new QuotaExceededError(
    'requests_per_minute',
    limit,
    `This tenant may send ${limit} requests a minute and has sent them; retry in ${window.secondsLeft} s`,
    { current: limit, retryAfterSeconds: window.secondsLeft },
  );
}
