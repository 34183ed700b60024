import { logger } from '../../platform/logger.js';
import type { ChunkMessage } from '../../contracts/messages.js';
import { ItemAnswerer } from './answer-item.js';
import { ChunkOutOfTimeError, ChunkWatch } from './chunk-watch.js';
import type { EvaluatorDeps } from './deps.js';
import { loadChunk, type ChunkWork } from './load-chunk.js';
import { ResultBuffer } from './result-buffer.js';
import { failMissingItems, settleChunk, tallyOf } from './settle-chunk.js';

/**
 * Runs one chunk: every item of its range for every model, with each model's concurrency limit; writes
 * results as they complete; then counts the chunk exactly once and finalizes if it was the last.
 */
export async function runChunk(deps: EvaluatorDeps, message: ChunkMessage, remainingMs: () => number): Promise<void> {
  const loaded = await loadChunk(deps, message);
  switch (loaded.state) {
    case 'finished':
      logger.info('chunk skipped: evaluation finished or gone', { evaluation_id: message.evaluation_id, chunk: message.chunk });
      return;
    case 'cancelled':
      await settleChunk(deps, loaded.evaluation, message, tallyOf([], loaded.evaluation.models, 'cancelled'));
      return;
    case 'benchmark_deleted':
      await failMissingItems(deps, loaded.evaluation, message, loaded.stored, 'benchmark_deleted', 'The benchmark was deleted before this chunk ran');
      return;
    case 'ready':
      await answerChunk(deps, loaded.work, remainingMs);
  }
}

async function answerChunk(deps: EvaluatorDeps, work: ChunkWork, remainingMs: () => number): Promise<void> {
  const { evaluation, message } = work;
  const results = new ResultBuffer(deps, evaluation, work.stored);
  const watch = new ChunkWatch(deps, evaluation, message.chunk, remainingMs);
  // The chunk's tenant, from the message its evaluation was loaded by: every model and judge call of this
  // chunk uses that tenant's credentials.
  const tenantId = message.tenant_id;
  const answerer = new ItemAnswerer({ clientFor: (model) => deps.clientFor(model, tenantId) }, work, watch);
  await Promise.all(
    results.unfinished(work.items).map(async (item) => {
      const result = await answerer.answer(item, results.get(item.position));
      // An item still working when time ran out may hold judgements cut short as if cancelled: redo it.
      if (!result || watch.outOfTime) return;
      await results.add(result);
    }),
  ).finally(() => watch.stop());
  await results.flush();

  if (watch.cancelled) {
    logger.info('chunk stopped: evaluation cancelled', { evaluation_id: evaluation.evaluation_id, chunk: message.chunk });
    await settleChunk(deps, evaluation, message, tallyOf(results.known.values(), evaluation.models, 'cancelled'));
    return;
  }
  if (!results.allFinished(message.first_position, work.count)) throw new ChunkOutOfTimeError(message.chunk);
  await settleChunk(deps, evaluation, message, tallyOf(results.known.values(), evaluation.models, 'done'));
}
