import { logger } from '../../platform/logger.js';
import type { StartMessage } from '../../contracts/messages.js';
import type { EvaluatorDeps } from './deps.js';
import { finalizeIfComplete } from './finalize.js';
import { chunkMessages, planChunks } from './plan.js';

/**
 * Plans the evaluation, marks it running and fans out its chunk messages. A redelivered start (the first
 * one died after marking it running) re-sends only the chunks not yet counted; chunk counting is
 * idempotent, so a chunk sent twice is still counted once.
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
    const marked = await deps.evaluations.markRunning(tenantId, evaluationId, planChunks(evaluation.progress.total_items));
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
  const messages = chunkMessages(tenantId, evaluationId, evaluation.progress.total_items, evaluation.plan, done);
  await deps.queue.sendAll(messages);
  logger.info('evaluation started', {
    evaluation_id: evaluationId,
    chunks: evaluation.plan.chunk_count,
    chunks_sent: messages.length,
    total_items: evaluation.progress.total_items,
  });
  if (messages.length === 0) await finalizeIfComplete(deps, tenantId, evaluationId);
}
