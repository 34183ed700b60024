import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { ItemResult, ModelOutput } from '../../contracts/evaluations/result-types.js';
import { logger } from '../../platform/logger.js';
import type { ChunkMessage } from '../../contracts/messages.js';
import { MetricName } from '../../platform/metric-names.js';
import { countMetric } from '../../platform/metrics.js';
import type { Model } from '../../contracts/models/schemas.js';
import { sampleKey, type ChunkLease, type ChunkTally } from '../ports/evaluation-store.js';
import { repeatsOf } from './samples.js';
import type { EvaluatorDeps } from './deps.js';
import { finalizeIfComplete } from './finalize.js';
import { refillWindow } from './refill-window.js';

type SettleDeps = Pick<EvaluatorDeps, 'evaluations' | 'benchmarks' | 'scorerFor' | 'queue'>;

/** The chunk's item count (items, not samples) within the pinned items: positions past it were appended after the evaluation was created. */
export function pinnedCount(evaluation: Evaluation, message: ChunkMessage): number {
  return Math.min(message.count, evaluation.progress.total_items - message.first_position);
}

export function tallyOf(results: Iterable<ItemResult>, models: readonly Model[], outcome: ChunkTally['outcome']): ChunkTally {
  const tally: ChunkTally = {
    outcome,
    completed_items: 0,
    failed_items: 0,
    models: Object.fromEntries(models.map((model) => [model.model_id, { scored: 0, failed: 0 }])),
    cache_hits: 0,
    cache_saved_usd: 0,
  };
  for (const result of results) {
    const outputs = models.map((model) => result.outputs[model.model_id]);
    if (outputs.some((output) => output === undefined)) continue;
    if (outputs.every((output) => output?.status === 'scored')) tally.completed_items += 1;
    else tally.failed_items += 1;
    models.forEach((model, index) => {
      const counts = tally.models[model.model_id]!;
      if (outputs[index]?.status === 'scored') counts.scored += 1;
      else counts.failed += 1;
      if (outputs[index]?.cached) {
        tally.cache_hits += 1;
        tally.cache_saved_usd += outputs[index]?.cache_saved_usd ?? 0;
      }
    });
  }
  return tally;
}

/**
 * Counts the chunk exactly once (SQS delivers at least once), ending the delivery's lease, sends the
 * chunk that takes its place in the evaluation's window, then finalizes the evaluation if it was the
 * last. The tally must be of the rows this lease holder knows: the rows read after taking the lease and
 * those it wrote, which are all the chunk's rows (no one else writes).
 */
export async function settleChunk(
  deps: SettleDeps,
  evaluation: Evaluation,
  message: ChunkMessage,
  lease: ChunkLease,
  tally: ChunkTally,
): Promise<void> {
  const counted = await deps.evaluations.recordChunk(evaluation.tenant_id, evaluation.evaluation_id, lease, tally);
  // Only when counted: a redelivered chunk's items were measured by the delivery that counted it.
  if (counted) {
    countMetric(MetricName.ItemsEvaluated, tally.completed_items + tally.failed_items);
    countMetric(MetricName.ItemsFailed, tally.failed_items);
  }
  logger.info(counted ? 'chunk counted' : 'chunk already counted (duplicate delivery)', {
    evaluation_id: evaluation.evaluation_id,
    chunk: message.chunk,
    outcome: tally.outcome,
    completed_items: tally.completed_items,
    failed_items: tally.failed_items,
  });
  // Both also on a duplicate: the first delivery may have counted the chunk and died before refilling or
  // finalizing.
  await refillWindow(deps, evaluation.tenant_id, evaluation.evaluation_id, message.chunk, evaluation);
  await finalizeIfComplete(deps, evaluation.tenant_id, evaluation.evaluation_id);
}

/**
 * Marks every unanswered item × model of the chunk failed with `reason` and counts the chunk: used when
 * the chunk cannot run (its benchmark is gone, or its message was dead-lettered), so nothing hangs.
 * `known` are the stored results read under `lease`; unset, they are read here.
 */
export async function failMissingItems(
  deps: SettleDeps,
  evaluation: Evaluation,
  message: ChunkMessage,
  lease: ChunkLease,
  known: Map<number, ItemResult> | undefined,
  code: string,
  reason: string,
): Promise<void> {
  const { tenant_id: tenantId, evaluation_id: evaluationId } = evaluation;
  const count = pinnedCount(evaluation, message);
  const results = known ?? (await deps.evaluations.getResults(tenantId, evaluationId, message.first_position, count));
  const items = await deps.benchmarks.readRange(tenantId, evaluation.benchmark_id, message.first_position, count);
  const byPosition = new Map(items.map((item) => [item.position, item]));
  const updated: ItemResult[] = [];
  for (let position = message.first_position; position < message.first_position + count; position += 1) {
    const item = byPosition.get(position);
    // An item the benchmark no longer has fails as many samples as the evaluation asked of every item.
    const repeats = item ? repeatsOf(evaluation, item) : (evaluation.repeats ?? 1);
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      const key = sampleKey(position, repeat);
      const previous = results.get(key);
      const outputs: Record<string, ModelOutput> = { ...previous?.outputs };
      for (const model of evaluation.models) {
        outputs[model.model_id] ??= { status: 'failed', scores: {}, error: { code, message: reason } };
      }
      const result: ItemResult = {
        item_id: previous?.item_id ?? item?.item_id ?? `position-${position}`,
        position,
        ...(repeats > 1 ? { repeat } : {}),
        input: previous?.input ?? item?.input ?? '',
        expected: previous?.expected ?? item?.expected,
        choices: previous?.choices ?? item?.choices,
        outputs,
      };
      results.set(key, result);
      updated.push(result);
    }
  }
  await deps.evaluations.putResults(tenantId, evaluationId, lease, updated);
  const tally = tallyOf(results.values(), evaluation.models, 'dead_lettered');
  const adjustment = updated.length - count * (evaluation.repeats ?? 1);
  await settleChunk(deps, evaluation, message, lease, adjustment === 0 ? tally : { ...tally, sample_adjustment: adjustment });
}
