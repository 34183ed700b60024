import type { Benchmark } from '../../contracts/benchmarks/schemas.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
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
 * Scores answers with the evaluation's computed metrics. Judged metrics score null here and get their
 * score from the judge call the chunk makes next (`judging.ts`); pairwise metrics score pairs of answers
 * and are not in a single answer's scores at all.
 */
export function scorerFor(evaluation: Evaluation, benchmark: Benchmark): Scorer {
  const metrics = evaluationMetrics(evaluation, benchmark);
  const perAnswer = metrics.filter((metric) => metric.kind !== 'pairwise');
  return {
    metrics: metrics.map((metric) => ({ name: metric.name, kind: metric.kind, binary: metric.binary, higherIsBetter: metric.higherIsBetter })),
    score: ({ item, output, tool_calls, latency_ms, output_tokens, cost_usd }) =>
      Object.fromEntries(
        perAnswer.map((metric) => [
          metric.name,
          metric.kind === 'computed'
            ? metric.score({
                output,
                expected: item.expected,
                choices: item.choices,
                input: item.input,
                context: item.context,
                metadata: item.metadata,
                tool_calls: tool_calls ?? [],
                ...(item.expected_tool_calls ? { expected_tool_calls: item.expected_tool_calls } : {}),
                latency_ms,
                output_tokens,
                cost_usd,
              })
            : null,
        ]),
      ),
  };
}
