import type { Evaluation } from '../evaluations/schemas.js';
import type { EvaluationResults, ItemResult, MetricComparison, ModelResults } from '../evaluations/results.js';
import { aggregate, comparePaired, holmAdjust, verdict } from '../stats/index.js';
import type { ScoredMetric } from './scoring.js';

/** Seeds are derived from the evaluation id, so a recomputation gives the same intervals. */
export function seedFor(evaluationId: string): number {
  let hash = 2166136261;
  for (const char of evaluationId) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

function modelResults(modelId: string, baseline: boolean, rows: readonly ItemResult[], metrics: readonly ScoredMetric[], seed: number): ModelResults {
  const outputs = rows.map((row) => row.outputs[modelId]);
  const scored = outputs.filter((output) => output?.status === 'scored');
  const failed = outputs.filter((output) => output?.status === 'failed');
  const failureReasons: Record<string, number> = {};
  for (const output of failed) {
    const code = output?.error?.code ?? 'unknown';
    failureReasons[code] = (failureReasons[code] ?? 0) + 1;
  }
  const latencies = scored.map((output) => output!.latency_ms ?? 0).sort((a, b) => a - b);
  const costs = scored.map((output) => output!.cost_usd);
  return {
    model_id: modelId,
    baseline,
    completed_items: scored.length,
    failed_items: failed.length,
    metrics: Object.fromEntries(
      metrics.map((metric) => [
        metric.name,
        // Failed items are excluded from the means, and counted as exclusions.
        aggregate(
          outputs.map((output) => (output?.status === 'scored' ? (output.scores[metric.name] ?? null) : null)),
          { binary: metric.binary, seed },
        ),
      ]),
    ),
    usage: {
      input_tokens: scored.reduce((sum, output) => sum + (output!.usage?.input_tokens ?? 0), 0),
      output_tokens: scored.reduce((sum, output) => sum + (output!.usage?.output_tokens ?? 0), 0),
    },
    cost_usd: costs.some((cost) => cost === undefined) && !costs.some((cost) => cost !== undefined) ? null : costs.reduce<number>((sum, cost) => sum + (cost ?? 0), 0),
    latency_ms: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    failure_reasons: failureReasons,
  };
}

function comparison(modelA: string, modelB: string, rows: readonly ItemResult[], metrics: readonly ScoredMetric[], seed: number) {
  const compared = metrics.map((metric) => {
    const a: number[] = [];
    const b: number[] = [];
    for (const row of rows) {
      const left = row.outputs[modelA];
      const right = row.outputs[modelB];
      const x = left?.status === 'scored' ? left.scores[metric.name] : null;
      const y = right?.status === 'scored' ? right.scores[metric.name] : null;
      // Paired: only items both models answered and the metric applied to.
      if (typeof x === 'number' && typeof y === 'number') {
        a.push(x);
        b.push(y);
      }
    }
    return { metric, result: comparePaired(a, b, { binary: metric.binary, seed, higherIsBetter: metric.higherIsBetter }) };
  });
  const adjusted = holmAdjust(compared.map(({ result }) => result.p_value));
  const entries = compared.map(({ metric, result }, index): [string, MetricComparison] => [
    metric.name,
    { ...result, p_value_adjusted: adjusted[index] ?? null, verdict: verdict(result, adjusted[index] ?? null, { higherIsBetter: metric.higherIsBetter }) },
  ]);
  return { model_id: modelA, model_id_2: modelB, metrics: Object.fromEntries(entries) };
}

/** Per-model aggregates and, in comparison mode, the paired comparison of model_id_2 against model_id. */
export function computeResults(evaluation: Evaluation, rows: readonly ItemResult[], metrics: readonly ScoredMetric[]): EvaluationResults {
  const seed = seedFor(evaluation.evaluation_id);
  const results: EvaluationResults = {
    models: evaluation.models.map((model) => modelResults(model.model_id, model.baseline, rows, metrics, seed)),
    seed,
  };
  if (evaluation.model_id_2) results.comparison = comparison(evaluation.model_id, evaluation.model_id_2, rows, metrics, seed);
  return results;
}
