/**
 * Randomised result rows, for the finalize benchmark (`npm run bench:evaluator -- --finalize`) and for
 * the checks that finalize's streamed statistics equal the row-based ones:
 * failures with and without a reason, answers missing, null scores, judges that fail or refuse, pairwise
 * verdicts that fail, flip or tie, answers with and without usage, cost and latency.
 */
import type { ItemResult, ModelOutput, PairwiseJudgement } from '#shared/contracts/evaluations/result-types.js';
import type { Evaluation } from '#shared/contracts/evaluations/schemas.js';
import type { Model } from '#shared/contracts/models/schemas.js';
import type { ScoredMetric } from '#shared/domain/evaluator/scoring.js';
import { mulberry32 } from '#shared/domain/stats/random.js';

export const modelA = 'llama-small';
export const modelB = 'claude-big';
export const judgeId = 'judge-model';

const model = (modelId: string, providerModelId: string): Model => ({
  model_id: modelId,
  provider: 'openai_compatible',
  provider_model_id: providerModelId,
  base_url: 'http://127.0.0.1:11434/v1',
  parameters: {},
  max_concurrency: 4,
  timeout_ms: 60_000,
  builtin: false,
  baseline: false,
});

/** Every kind the statistics tell apart: pass/fail, continuous, lower-is-better, judged, pairwise. */
export const randomMetrics: ScoredMetric[] = [
  { name: 'exact_match', kind: 'computed', binary: true, higherIsBetter: true },
  { name: 'token_f1', kind: 'computed', binary: false, higherIsBetter: true },
  { name: 'latency_ms', kind: 'computed', binary: false, higherIsBetter: false },
  { name: 'relevance', kind: 'judge', binary: false, higherIsBetter: true },
  { name: 'correct', kind: 'judge', binary: true, higherIsBetter: true },
  { name: 'pairwise_preference', kind: 'pairwise', binary: false, higherIsBetter: true },
  { name: 'pairwise_style', kind: 'pairwise', binary: false, higherIsBetter: true },
];

/** The largest set an evaluation may have: 20 metrics (the create schema's limit), judged and pairwise among them. */
export const twentyMetrics: ScoredMetric[] = [
  ...randomMetrics,
  ...Array.from({ length: 13 }, (_, i): ScoredMetric => {
    const kinds = ['computed', 'judge', 'pairwise'] as const;
    return { name: `metric_${i}_with_a_rather_long_name`, kind: kinds[i % 3]!, binary: i % 2 === 0, higherIsBetter: i % 4 !== 1 };
  }),
];

export interface RandomResultsOptions {
  items: number;
  seed: number;
  /** Position of the first row, so a large set can be made (and written) a slice at a time. */
  first?: number;
  comparison?: boolean;
  /** Characters of every answer and input: the text finalize should never need to hold. */
  textLength?: number;
  /** Characters of every judge's rationale; `textLength` unless given. */
  rationaleLength?: number;
  metrics?: ScoredMetric[];
}

export function randomEvaluation(options: { comparison?: boolean; metrics?: ScoredMetric[]; items: number; id?: string }): Evaluation {
  const comparison = options.comparison ?? true;
  const metrics = options.metrics ?? randomMetrics;
  const judged = metrics.filter((metric) => metric.kind !== 'computed');
  const models = [model(modelA, 'llama-3.1-8b'), ...(comparison ? [model(modelB, 'claude-3-5-sonnet')] : [])];
  return {
    evaluation_id: options.id ?? 'eval-01krandom000000000000000000',
    tenant_id: 'tenant-a',
    model_id: modelA,
    ...(comparison ? { model_id_2: modelB } : {}),
    benchmark_id: 'task-01kbench',
    benchmark_version: 1,
    benchmark_content_hash: 'sha256:0',
    custom_metrics: metrics.map((metric) => metric.name),
    models,
    ...(judged.length > 0
      ? { judges: Object.fromEntries(judged.map((metric) => [metric.name, judgeId])), judge_models: [model(judgeId, 'claude-3-haiku')] }
      : {}),
    status: 'running',
    created_at: '2026-12-01T00:00:00Z',
    updated_at: '2026-12-01T00:00:00Z',
    progress: { total_items: options.items, completed_items: 0, failed_items: 0 },
    model_progress: Object.fromEntries(models.map((candidate) => [candidate.model_id, { scored: 0, failed: 0 }])),
    plan: { chunk_size: 250, chunk_count: Math.ceil(options.items / 250) },
  };
}

export function randomRows(options: RandomResultsOptions): ItemResult[] {
  const comparison = options.comparison ?? true;
  const metrics = options.metrics ?? randomMetrics;
  const rand = mulberry32(options.seed);
  const text = (position: number) => `answer ${position} `.padEnd(options.textLength ?? 20, 'x');
  const rationale = (position: number) => `answer ${position} `.padEnd(options.rationaleLength ?? options.textLength ?? 20, 'r');
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)]!;
  const perAnswer = metrics.filter((metric) => metric.kind !== 'pairwise');

  const output = (position: number, strength: number, withCost: boolean): ModelOutput | undefined => {
    const roll = rand();
    if (roll < 0.02) return undefined;
    if (roll < 0.1) {
      const failed: ModelOutput = { status: 'failed', scores: {}, attempts: 3 };
      // A failure recorded without its reason is counted as `unknown`.
      if (rand() < 0.8) failed.error = { code: pick(['rate_limited', 'timeout', 'bad_request']), message: 'HTTP 429 after 3 attempts' };
      return failed;
    }
    const latency = Math.round(100 + 900 * rand() ** 3);
    const scored: ModelOutput = { status: 'scored', output: text(position), scores: {} };
    if (rand() < 0.95) scored.latency_ms = latency;
    if (rand() < 0.9) scored.usage = { input_tokens: 20 + Math.floor(rand() * 80), output_tokens: Math.floor(rand() * 300) };
    if (withCost && rand() < 0.7) scored.cost_usd = rand() / 1000;
    const judgements: NonNullable<ModelOutput['judgements']> = {};
    for (const metric of perAnswer) {
      if (metric.kind === 'judge') {
        // Early rows sometimes lack a judgement: the summary's template is the first one seen.
        if (position < 3 && rand() < 0.5) continue;
        const failedJudge = rand() < 0.1;
        const score = failedJudge ? null : metric.binary ? (rand() < strength ? 1 : 0) : Math.round(rand() * 4) / 4;
        judgements[metric.name] = {
          score,
          rationale: rationale(position),
          judge_model_id: judgeId,
          template_id: position % 7 === 0 ? `${metric.name}-v2` : `${metric.name}-v1`,
          // Judge spend: usually reported, sometimes not (an older row, a provider without usage).
          // From the position, not the random stream, so the rest of the data stays as it was.
          ...(position % 5 === 0
            ? {}
            : { usage: { input_tokens: 200 + (position % 400), output_tokens: position % 60 }, cost_usd: (position % 97) / 1_000_000 }),
          ...(failedJudge ? { error: { code: pick(['judge_refused', 'no_score', '']), message: 'no score in the answer' } } : {}),
        };
        scored.scores[metric.name] = score;
      } else if (metric.name === 'latency_ms') scored.scores[metric.name] = latency;
      else if (metric.binary) scored.scores[metric.name] = rand() < strength ? 1 : 0;
      else scored.scores[metric.name] = rand() < 0.15 ? null : Math.round(rand() * strength * 1000) / 1000;
    }
    if (Object.keys(judgements).length > 0) scored.judgements = judgements;
    return scored;
  };

  const pairwise = (position: number): PairwiseJudgement | undefined => {
    const roll = rand();
    if (roll < 0.04) return undefined;
    const base = {
      judge_model_id: judgeId,
      template_id: position === 0 ? 'pairwise-v0' : 'pairwise-v1',
      ...(position % 5 === 1
        ? {}
        : { usage: { input_tokens: 400 + (position % 800), output_tokens: position % 120 }, cost_usd: (position % 89) / 500_000 }),
    };
    if (roll < 0.12)
      return { ...base, preferred: null, score: null, flipped: false, error: { code: pick(['judge_refused', 'timeout']), message: 'failed' } };
    const score = pick([0, 0.25, 0.5, 0.5, 0.75, 1, 1]);
    return {
      ...base,
      preferred: score > 0.5 ? 'model_2' : score < 0.5 ? 'model_1' : 'tie',
      score,
      flipped: score === 0.5 && rand() < 0.5,
      rationale: { model_1_first: rationale(position), model_2_first: rationale(position) },
    };
  };

  return Array.from({ length: options.items }, (_, index) => {
    const position = (options.first ?? 0) + index;
    const outputs: ItemResult['outputs'] = {};
    const a = output(position, 0.55, true);
    if (a) outputs[modelA] = a;
    if (comparison) {
      const b = output(position, 0.7, false);
      if (b) outputs[modelB] = b;
    }
    const row: ItemResult = { item_id: `item-${position}`, position, input: text(position), expected: '42', outputs };
    if (comparison) {
      const verdicts: NonNullable<ItemResult['pairwise']> = {};
      for (const metric of metrics.filter((m) => m.kind === 'pairwise')) {
        const verdict = pairwise(position);
        if (verdict) verdicts[metric.name] = verdict;
      }
      if (Object.keys(verdicts).length > 0) row.pairwise = verdicts;
    }
    return row;
  });
}

/** The rows in pages of random sizes, as a store would hand them out. */
export function* randomPages<T>(rows: readonly T[], seed: number, maxPage = 500): Generator<T[]> {
  const rand = mulberry32(seed);
  for (let first = 0; first < rows.length; ) {
    const size = 1 + Math.floor(rand() * maxPage);
    yield rows.slice(first, first + size);
    first += size;
  }
}
