import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions, LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';

/**
 * Keys that belong to the unit of work in progress (an evaluation's message, one stalled evaluation),
 * carried by async context rather than by `appendKeys`: the evaluator handles a batch's records in
 * parallel, and keys appended to the shared logger by one record would land on another record's lines.
 */
const scopedKeys = new AsyncLocalStorage<Readonly<Record<string, unknown>>>();

/** Powertools' Logger, with the keys of the current `withLogKeys` scope on every line it writes. */
class ScopedLogger extends Logger {
  protected override createLogger(options?: ConstructorOptions): Logger {
    return new ScopedLogger(options);
  }

  protected override createAndPopulateLogItem(logLevel: number, input: LogItemMessage, extraInput: LogItemExtraInput) {
    const item = super.createAndPopulateLogItem(logLevel, input, extraInput);
    const scoped = scopedKeys.getStore();
    if (scoped) {
      const attributes = item.getAttributes();
      // A key the call itself passes wins over the scope's.
      for (const [key, value] of Object.entries(scoped)) if (attributes[key] === undefined) attributes[key] = value;
    }
    return item;
  }
}

/** One structured JSON logger per container; request- and work-scoped keys (evaluation_id, tenant_id) join each line. */
export const logger: Logger = new ScopedLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'arbiter' });

/** Runs `work` with `keys` on every line logged inside it, including by concurrent async work it starts. */
export function withLogKeys<T>(keys: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  const defined = Object.fromEntries(Object.entries(keys).filter(([, value]) => value !== undefined));
  return scopedKeys.run({ ...scopedKeys.getStore(), ...defined }, work);
}
