import { logger } from '../../platform/logger.js';
import type { PurgeBenchmarkMessage } from '../../contracts/messages.js';
import type { EvaluatorDeps } from './deps.js';

/** Rows deleted per purge message, so one message finishes well inside the function's timeout. */
const PURGE_SLICE = 5000;

/** Deletes one slice of a deleted benchmark's items. */
export async function purgeBenchmarkStep(deps: Pick<EvaluatorDeps, 'benchmarks' | 'queue'>, message: PurgeBenchmarkMessage): Promise<void> {
  const more = await deps.benchmarks.purgeSome(message.tenant_id, message.benchmark_id, PURGE_SLICE);
  // The rest goes back on the queue as a new message rather than running past the timeout.
  if (more) await deps.queue.send(message);
  logger.info('benchmark purge step', { done: !more });
}
