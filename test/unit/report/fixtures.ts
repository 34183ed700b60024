import type { ItemResult, ModelOutput } from '#shared/contracts/evaluations/result-types.js';
import type { Evaluation } from '#shared/contracts/evaluations/schemas.js';
import { computeResults } from '#shared/domain/evaluator/aggregate-results.js';
import { resolveBuiltinModel } from '#shared/domain/models/builtin-models.js';
import type { Model } from '#shared/contracts/models/schemas.js';
import { ResultsSampler, type ReportData, type ReportMetric } from '#shared/domain/report/report-data.js';
import { mulberry32 } from '#shared/domain/stats/random.js';

const registered = (modelId: string, extra: Partial<Model> = {}): Model => ({
  model_id: modelId,
  provider: 'openai_compatible',
  provider_model_id: `${modelId}-provider`,
  base_url: 'http://127.0.0.1:11434/v1',
  parameters: { temperature: 0, max_tokens: 256, seed: 7 },
  max_concurrency: 4,
  timeout_ms: 60_000,
  pricing: { input_per_million: 1, output_per_million: 2 },
  builtin: false,
  baseline: false,
  ...extra,
});

const metrics: ReportMetric[] = [
  { name: 'exact_match', kind: 'computed', range: [0, 1], higherIsBetter: true, binary: true },
  { name: 'token_f1', kind: 'computed', range: [0, 1], higherIsBetter: true, binary: false },
  { name: 'relevance', kind: 'judge', range: [0, 1], higherIsBetter: true, binary: false },
  { name: 'latency_ms', kind: 'computed', range: null, higherIsBetter: false, binary: false },
  { name: 'pairwise_preference', kind: 'pairwise', range: [0, 1], higherIsBetter: true, binary: false },
];

export interface FixtureOptions {
  comparison?: boolean;
  items?: number;
  status?: Evaluation['status'];
  /** Leave out results (a running or pending evaluation). */
  withResults?: boolean;
  /** Text placed in every answer of model 1 and in the inputs (for escaping tests). */
  hostileText?: string;
  metrics?: ReportMetric[];
}

export const modelA = 'llama-small';
export const modelB = 'gpt-4o';

function output(rand: () => number, expected: string, strength: number, hostile: string, names: readonly string[]): ModelOutput {
  const correct = rand() < strength;
  const latency = Math.round(200 + rand() * 600 + (strength > 0.7 ? 300 : 0));
  const usage = { input_tokens: 40 + Math.round(rand() * 20), output_tokens: 5 + Math.round(rand() * 30) };
  const scores: Record<string, number | null> = {};
  for (const name of names) {
    if (name === 'exact_match' || name === 'accuracy') scores[name] = correct ? 1 : 0;
    if (name === 'token_f1') scores[name] = correct ? 1 : Math.round(rand() * 60) / 100;
    if (name === 'relevance') scores[name] = [0, 0.25, 0.5, 0.75, 1][Math.min(4, Math.floor(rand() * 2 + strength * 3))]!;
    if (name === 'latency_ms') scores[name] = latency;
  }
  return {
    status: 'scored',
    output: correct ? expected : `${hostile}I think it is ${Math.round(rand() * 100)}`,
    scores,
    latency_ms: latency,
    usage,
    cost_usd: (usage.input_tokens * 1 + usage.output_tokens * 2) / 1_000_000,
  };
}

/** An evaluation record and its per-item rows, with results computed by the evaluator's own code. */
export function fixture(options: FixtureOptions = {}): { evaluation: Evaluation; rows: ItemResult[]; metrics: ReportMetric[] } {
  const comparison = options.comparison ?? true;
  const count = options.items ?? 40;
  const status = options.status ?? 'completed';
  const hostile = options.hostileText ?? '';
  const chosen = (options.metrics ?? metrics).filter((metric) => comparison || metric.kind !== 'pairwise');
  const perAnswer = chosen.filter((metric) => metric.kind !== 'pairwise').map((metric) => metric.name);
  // Deterministic, so fixtures are the same on every run.
  const rand = mulberry32(11);
  const models = [registered(modelA), ...(comparison ? [{ ...resolveBuiltinModel(modelB)!, parameters: { temperature: 0 } }] : [])];
  const judge = registered('judge-model', { provider: 'anthropic', provider_model_id: 'claude-3-haiku' });
  const rows: ItemResult[] = Array.from({ length: count }, (_, position) => {
    const expected = String(position * 3 + 1);
    const outputs: Record<string, ModelOutput> = { [modelA]: output(rand, expected, 0.55, hostile, perAnswer) };
    if (comparison) outputs[modelB] = output(rand, expected, 0.85, '', perAnswer);
    if (position === 3) outputs[modelA] = { status: 'failed', scores: {}, error: { code: 'rate_limited', message: 'HTTP 429 after 5 attempts' } };
    const row: ItemResult = { item_id: `item-${position}`, position, input: `${hostile}What is ${position} * 3 + 1?`, expected, outputs };
    if (comparison && chosen.some((metric) => metric.name === 'pairwise_preference')) {
      const score = [0, 0.25, 0.5, 0.75, 1][Math.floor(rand() * 5)]!;
      row.pairwise = {
        pairwise_preference: {
          preferred: score > 0.5 ? 'model_2' : score < 0.5 ? 'model_1' : 'tie',
          score,
          flipped: score === 0.5,
          judge_model_id: judge.model_id,
          template_id: 'pairwise-v1',
        },
      };
    }
    return row;
  });
  const judged = chosen.filter((metric) => metric.kind !== 'computed');
  const evaluation: Evaluation = {
    evaluation_id: 'eval-01kfixture0000000000000000',
    tenant_id: 'tenant-a',
    model_id: modelA,
    ...(comparison ? { model_id_2: modelB } : {}),
    benchmark_id: 'task-01kbench',
    benchmark_version: 2,
    benchmark_content_hash: 'sha256:5f1c0a3b9d7e2f4a6c8b0d1e3f5a7c9b',
    custom_metrics: chosen.map((metric) => metric.name),
    models,
    ...(judged.length > 0 ? { judges: Object.fromEntries(judged.map((metric) => [metric.name, judge.model_id])), judge_models: [judge] } : {}),
    status,
    created_at: '2026-11-25T18:00:00Z',
    updated_at: '2026-11-25T18:02:10Z',
    started_at: '2026-11-25T18:00:02Z',
    ...(status === 'completed' || status === 'failed' || status === 'cancelled' ? { completed_at: '2026-11-25T18:02:10Z' } : {}),
    progress: { total_items: count, completed_items: status === 'running' ? Math.floor(count / 2) : count - 1, failed_items: 1 },
    ...(status === 'failed' ? { error: { code: 'model_unusable', message: `Every item failed for ${modelA}: rate_limited` } } : {}),
    model_progress: Object.fromEntries(
      models.map((model) => [model.model_id, { scored: status === 'running' ? Math.floor(count / 2) : count - 1, failed: 1 }]),
    ),
  };
  if (options.withResults ?? (status === 'completed' || status === 'cancelled')) {
    evaluation.results = computeResults(
      evaluation,
      rows,
      chosen.map((metric) => ({ name: metric.name, kind: metric.kind, binary: metric.binary, higherIsBetter: metric.higherIsBetter })),
    );
  }
  return { evaluation, rows, metrics: chosen };
}

/** Report data as the loader would build it from the fixture. */
export function reportData(options: FixtureOptions = {}): ReportData {
  const { evaluation, rows, metrics: chosen } = fixture(options);
  const data: ReportData = {
    evaluation,
    benchmark: { name: 'Arithmetic <basics>', task_type: 'exact_answer' },
    metrics: chosen,
    arbiterVersion: '0.1.0',
    generatedAt: '2026-11-25T18:01:00Z',
  };
  if (!evaluation.results) return data;
  const sampler = new ResultsSampler(
    evaluation.models.map((model) => model.model_id),
    chosen,
  );
  sampler.add(rows);
  return { ...data, sample: sampler.result(false) };
}
