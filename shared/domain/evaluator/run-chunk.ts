import { logger } from '../../platform/logger.js';
import type { ChunkMessage } from '../../contracts/messages.js';
import type { Model } from '../../contracts/models/schemas.js';
import type { CachedAnswer } from '../ports/response-cache.js';
import { ItemAnswerer } from './answer-item.js';
import { chunkBudget } from './budget.js';
import { whileHolding, type HeldChunk } from './chunk-lease.js';
import { ChunkOutOfTimeError, ChunkWatch } from './chunk-watch.js';
import type { EvaluatorDeps } from './deps.js';
import { finalizeIfComplete } from './finalize.js';
import { loadChunk, type ChunkWork } from './load-chunk.js';
import { refillWindow } from './refill-window.js';
import { ResultBuffer } from './result-buffer.js';
import { failMissingItems, settleChunk, tallyOf } from './settle-chunk.js';

/**
 * Runs one chunk: takes its lease, then every item of its range for every model, with each model's
 * concurrency limit; writes results as they complete; then counts the chunk exactly once and finalizes
 * if it was the last. A duplicate delivery waits for the lease holder instead of calling the models again.
 */
export async function runChunk(deps: EvaluatorDeps, message: ChunkMessage, remainingMs: () => number): Promise<void> {
  const ran = await whileHolding(deps, message, remainingMs, (held) => runHeldChunk(deps, message, held, remainingMs));
  if (ran) return;
  logger.info('chunk already counted (duplicate delivery)', { evaluation_id: message.evaluation_id, chunk: message.chunk });
  // The delivery that counted it may have died before refilling the window or finalizing.
  await refillWindow(deps, message.tenant_id, message.evaluation_id, message.chunk);
  await finalizeIfComplete(deps, message.tenant_id, message.evaluation_id);
}

async function runHeldChunk(deps: EvaluatorDeps, message: ChunkMessage, held: HeldChunk, remainingMs: () => number): Promise<void> {
  const loaded = await loadChunk(deps, message);
  switch (loaded.state) {
    case 'finished':
      logger.info('chunk skipped: evaluation finished or gone', { evaluation_id: message.evaluation_id, chunk: message.chunk });
      await held.release();
      return;
    case 'cancelled':
      await settleChunk(deps, loaded.evaluation, message, held.lease, tallyOf(loaded.stored.values(), loaded.evaluation.models, 'cancelled'));
      return;
    case 'benchmark_deleted':
      await failMissingItems(
        deps,
        loaded.evaluation,
        message,
        held.lease,
        loaded.stored,
        'benchmark_deleted',
        'The benchmark was deleted before this chunk ran',
      );
      return;
    case 'ready':
      await answerChunk(deps, loaded.work, held, remainingMs);
  }
}

async function answerChunk(deps: EvaluatorDeps, work: ChunkWork, held: HeldChunk, remainingMs: () => number): Promise<void> {
  const { evaluation, message } = work;
  // Under a budget every call, candidate or judge, is reserved before it starts and settled after (budget.ts).
  const budget = await chunkBudget(deps.spend, evaluation);
  const results = new ResultBuffer(deps, evaluation, held.lease, work.stored);
  const watch = new ChunkWatch(deps, evaluation, message.chunk, remainingMs, held.signal);
  // The chunk's tenant, from the message its evaluation was loaded by: every model and judge call of this
  // chunk uses that tenant's credentials.
  const tenantId = message.tenant_id;
  const clientFor = (model: Model) => (budget ? budget.meter(model, deps.clientFor(model, tenantId)) : deps.clientFor(model, tenantId));
  const store = deps.cache;
  const cache = store && {
    get: (key: string) => store.get(tenantId, key),
    put: (key: string, answer: CachedAnswer) => store.put(tenantId, key, answer),
  };
  const answerer = new ItemAnswerer({ clientFor, ...(cache ? { cache } : {}) }, work, watch);
  await Promise.all(
    results.unfinished(work.samples).map(async (sample) => {
      const result = await answerer.answer(sample, results.get(sample));
      // An item still working when time ran out may hold judgements cut short as if cancelled: redo it.
      if (!result || watch.outOfTime) return;
      await results.add(result);
    }),
  ).finally(() => watch.stop());
  // Another delivery holds the chunk now: what this one answered cannot be written, nor counted.
  if (held.signal.aborted) throw held.signal.reason;
  await results.flush();

  if (watch.cancelled) {
    logger.info('chunk stopped: evaluation cancelled', { evaluation_id: evaluation.evaluation_id, chunk: message.chunk });
    await settleChunk(deps, evaluation, message, held.lease, tallyOf(results.known.values(), evaluation.models, 'cancelled'));
    return;
  }
  if (!results.allFinished(work.samples, message.first_position, work.count)) throw new ChunkOutOfTimeError(message.chunk);
  const tally = tallyOf(results.known.values(), evaluation.models, 'done');
  const adjustment = work.samples.length - work.count * (evaluation.repeats ?? 1);
  await settleChunk(deps, evaluation, message, held.lease, adjustment === 0 ? tally : { ...tally, sample_adjustment: adjustment });
}
