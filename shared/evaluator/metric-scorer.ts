import type { Benchmark } from '../benchmarks/schemas.js';
import type { Evaluation } from '../evaluations/schemas.js';
import { resolveMetrics } from '../metrics/registry.js';
import type { ResolvedMetric } from '../metrics/types.js';
import type { Scorer } from './scoring.js';

/** Resolved metrics per evaluation and container: regexes and JSON Schemas are compiled once. */
const resolvedByEvaluation = new Map<string, ResolvedMetric[]>();

export function evaluationMetrics(evaluation: Evaluation, benchmark: Pick<Benchmark, 'default_metrics' | 'task_type'>): ResolvedMetric[] {
  let metrics = resolvedByEvaluation.get(evaluation.evaluation_id);
  if (!metrics) {
    metrics = resolveMetrics(evaluation.custom_metrics, { benchmarkDefaults: benchmark.default_metrics, taskType: benchmark.task_type });
    resolvedByEvaluation.set(evaluation.evaluation_id, metrics);
  }
  return metrics;
}

/**
 * Scores answers with the evaluation's metrics. Model-judged and pairwise metrics need a judge call,
 * which this scorer does not make: they score null, so they are reported with n = 0 and every item
 * counted as excluded, rather than with an invented number.
 */
export function scorerFor(evaluation: Evaluation, benchmark: Benchmark): Scorer {
  const metrics = evaluationMetrics(evaluation, benchmark);
  return {
    metrics: metrics.map((metric) => ({ name: metric.name, binary: metric.binary, higherIsBetter: metric.higherIsBetter })),
    score: ({ item, output, latency_ms, output_tokens, cost_usd }) =>
      Object.fromEntries(
        metrics.map((metric) => [
          metric.name,
          metric.kind === 'computed'
            ? metric.score({
                output,
                expected: item.expected,
                choices: item.choices,
                input: item.input,
                context: item.context,
                latency_ms,
                output_tokens,
                cost_usd,
              })
            : null,
        ]),
      ),
  };
}
