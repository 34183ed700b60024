import { logger } from '../../platform/logger.js';
import type { StartMessage } from '../../contracts/messages.js';
import type { EvaluatorDeps } from './deps.js';
import { finalizeIfComplete } from './finalize.js';
import { inFlightChunks, initialSent, sentCount, windowOf } from './chunk-window.js';
import { messagesOfChunks, planChunks } from './plan.js';
import { topUpWindow } from './refill-window.js';

/**
 * Plans the evaluation, marks it running and sends its first window of chunk messages (the rest follow
 * one by one as chunks are counted: refill-window.ts). A redelivered start (the first one died after
 * marking it running) re-sends only the claimed chunks not yet counted, never the whole plan; chunk
 * counting is idempotent, so a chunk sent twice is still counted once.
 */
export async function startEvaluation(
  deps: Pick<EvaluatorDeps, 'evaluations' | 'queue' | 'benchmarks' | 'scorerFor'>,
  message: StartMessage,
): Promise<void> {
  const { tenant_id: tenantId, evaluation_id: evaluationId } = message;
  let evaluation = await deps.evaluations.getConsistent(tenantId, evaluationId);
  if (!evaluation) {
    logger.warn('start message for an evaluation that does not exist', { evaluation_id: evaluationId });
    return;
  }
  let plannedNow = false;
  if (evaluation.status === 'pending') {
    const plan = planChunks(evaluation.progress.total_items, undefined, undefined, evaluation.repeats);
    const marked = await deps.evaluations.markRunning(tenantId, evaluationId, plan, initialSent(plan));
    plannedNow = marked !== undefined;
    evaluation = marked ?? (await deps.evaluations.getConsistent(tenantId, evaluationId));
  }
  if (!evaluation || evaluation.status === 'completed' || evaluation.status === 'failed') return;
  if (!evaluation.plan) {
    // Cancelled before it ever started: nothing ran, so it finishes at once with empty results.
    await deps.evaluations.finish(tenantId, evaluationId, evaluation.status, 'cancelled', { models: [], seed: 0 });
    return;
  }
  // A plan made by this delivery has no counted chunk yet; only a redelivered start needs to ask.
  const done = plannedNow ? new Set<number>() : await deps.evaluations.doneChunks(tenantId, evaluationId);
  const chunks = inFlightChunks(sentCount(evaluation), done);
  await deps.queue.sendAll(messagesOfChunks(tenantId, evaluationId, evaluation.progress.total_items, evaluation.plan, chunks));
  logger.info('evaluation started', {
    evaluation_id: evaluationId,
    chunks: evaluation.plan.chunk_count,
    chunk_window: windowOf(evaluation.plan),
    chunks_sent: chunks.length,
    total_items: evaluation.progress.total_items,
  });
  if (chunks.length > 0) return;
  // Nothing in flight: counted chunks whose claims were never made leave room, or the finalizer died.
  if ((await topUpWindow(deps, evaluation)).length === 0) await finalizeIfComplete(deps, tenantId, evaluationId);
}
