import { withLogKeys } from './logger.js';
import { withMetricsScope } from './metrics.js';

/** What identifies a unit of work in logs and metrics; undefined keys are left out. */
export type WorkKeys = Record<string, string | undefined>;

/**
 * Runs one unit of work (a work message, a dead letter, one stalled evaluation) with its keys on every
 * log line written inside it and on the metrics it counts, which are published when it ends.
 */
export function withWorkScope<T>(keys: WorkKeys, work: () => Promise<T>): Promise<T> {
  return withLogKeys(keys, () => withMetricsScope(keys, work));
}
