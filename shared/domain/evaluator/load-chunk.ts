import type { Benchmark, BenchmarkItem } from '../../contracts/benchmarks/schemas.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { ItemResult } from '../../contracts/evaluations/result-types.js';
import type { ChunkMessage } from '../../contracts/messages.js';
import type { EvaluatorDeps } from './deps.js';
import { judgePlan, type JudgePlan } from './judging.js';
import { evaluationMetrics } from './metric-scorer.js';
import { pinnedCount } from './settle-chunk.js';
import type { Scorer } from './scoring.js';
import { samplesOf, type Sample } from './samples.js';

/** Everything a chunk that has items to answer reads before its first model call. */
export interface ChunkWork {
  message: ChunkMessage;
  evaluation: Evaluation;
  benchmark: Benchmark;
  /** The chunk's pinned items, in order. */
  items: BenchmarkItem[];
  /** Every sample of those items (`repeats` each), item by item. */
  samples: Sample[];
  /** Results a previous delivery of this chunk already wrote, by `sampleKey`. */
  stored: Map<number, ItemResult>;
  /** A rescore's source answers for the chunk's positions, by position: answered from these, not by calling. */
  source?: Map<number, ItemResult>;
  count: number;
  scorer: Scorer;
  judging: JudgePlan;
}

/** What a delivered chunk finds when it reads its evaluation, and what it has to work with. */
export type LoadedChunk =
  | { state: 'finished' }
  | { state: 'cancelled'; evaluation: Evaluation; stored: Map<number, ItemResult> }
  | { state: 'benchmark_deleted'; evaluation: Evaluation; stored: Map<number, ItemResult> }
  | { state: 'ready'; work: ChunkWork };

/**
 * Reads the evaluation, then (unless it is over) the benchmark, the chunk's items and its stored results.
 * Run holding the chunk's lease, so the stored results cannot change under it but by its own writes.
 */
export async function loadChunk(deps: Pick<EvaluatorDeps, 'evaluations' | 'benchmarks' | 'scorerFor'>, message: ChunkMessage): Promise<LoadedChunk> {
  const { tenant_id: tenantId, evaluation_id: evaluationId } = message;
  const evaluation = await deps.evaluations.getConsistent(tenantId, evaluationId);
  if (!evaluation || evaluation.status === 'completed' || evaluation.status === 'failed') return { state: 'finished' };
  const count = pinnedCount(evaluation, message);
  const storedResults = () => deps.evaluations.getResults(tenantId, evaluationId, message.first_position, count);
  if (evaluation.status === 'cancelled') return { state: 'cancelled', evaluation, stored: await storedResults() };

  const benchmark = await deps.benchmarks.get(tenantId, evaluation.benchmark_id);
  if (!benchmark) return { state: 'benchmark_deleted', evaluation, stored: await storedResults() };
  const items = await deps.benchmarks.readRange(tenantId, evaluation.benchmark_id, message.first_position, count);
  const [stored, source] = await Promise.all([
    storedResults(),
    evaluation.source_evaluation_id
      ? deps.evaluations.getResults(tenantId, evaluation.source_evaluation_id, message.first_position, count)
      : undefined,
  ]);
  return {
    state: 'ready',
    work: {
      message,
      evaluation,
      benchmark,
      items,
      samples: samplesOf(evaluation, items),
      stored,
      ...(source ? { source } : {}),
      count,
      scorer: deps.scorerFor(evaluation, benchmark),
      judging: judgePlan(evaluation, evaluationMetrics(evaluation, benchmark)),
    },
  };
}
