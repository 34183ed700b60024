import packageJson from '../../../package.json' with { type: 'json' };
import type { Benchmark } from '../../contracts/benchmarks/schemas.js';
import { NotFoundError } from '../errors.js';
import type { EvaluationResults, ItemResult } from '../../contracts/evaluations/result-types.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import { builtinMetrics } from '../metrics/builtin-metrics.js';
import { isKnownMetricName } from '../../contracts/metrics/metric-names.js';
import { resolveMetrics } from '../metrics/registry.js';
import { isoNow } from '../../platform/time.js';
import type { BenchmarkStore } from '../ports/benchmark-store.js';
import type { EvaluationStore } from '../ports/evaluation-store.js';
import { ResultsSampler, type ReportData, type ReportMetric } from './report-data.js';

/**
 * Items scanned for the distributions and the disagreement table. Aggregates always cover every item
 * (finalize computed them); past this many items, or this much time, the charts of raw scores say they
 * show the first items only, and the route answers well inside its 10-second Lambda timeout however
 * large the evaluation.
 */
export const MAX_SCANNED_ITEMS = 5000;
export const SCAN_BUDGET_MS = 4000;

export interface ReportStores {
  evaluations: Pick<EvaluationStore, 'get' | 'allResults'>;
  benchmarks: Pick<BenchmarkStore, 'get'>;
}

/**
 * The metrics with their scales, as the evaluation resolved them; when that cannot be redone (the
 * benchmark and its default metrics are gone) the names come from the results, with built-in traits
 * where known and a scale read off the aggregates otherwise.
 */
export function reportMetrics(evaluation: Evaluation, benchmark: Pick<Benchmark, 'default_metrics' | 'task_type'> | undefined): ReportMetric[] {
  const fromResults = namesInResults(evaluation.results);
  if (benchmark || (evaluation.custom_metrics?.length ?? 0) > 0) {
    try {
      const resolved = resolveMetrics(evaluation.custom_metrics, {
        benchmarkDefaults: benchmark?.default_metrics,
        taskType: benchmark?.task_type ?? 'free_text',
      });
      return resolved.map(({ name, kind, range, higherIsBetter, binary }) => ({ name, kind, range, higherIsBetter, binary }));
    } catch {
      // A metric that resolved at creation no longer does (a retired name): fall through to the results.
    }
  }
  return fromResults.map((name) => inferMetric(name, evaluation.results));
}

function namesInResults(results: EvaluationResults | undefined): string[] {
  if (!results) return [];
  const names = new Set<string>();
  for (const model of results.models) for (const name of Object.keys(model.metrics)) names.add(name);
  for (const name of Object.keys(results.comparison?.pairwise ?? {})) names.add(name);
  return [...names];
}

function inferMetric(name: string, results: EvaluationResults | undefined): ReportMetric {
  if (isKnownMetricName(name)) {
    const { kind, range, higherIsBetter, binary } = builtinMetrics[name];
    return { name, kind, range, higherIsBetter, binary };
  }
  if (results?.comparison?.pairwise?.[name]) return { name, kind: 'pairwise', range: [0, 1], higherIsBetter: true, binary: false };
  const bounds = (results?.models ?? []).flatMap((model) => {
    const aggregate = model.metrics[name];
    return aggregate ? [aggregate.mean, ...(aggregate.ci95 ?? [])].filter((value): value is number => value !== null) : [];
  });
  const withinUnit = bounds.every((value) => value >= 0 && value <= 1);
  return { name, kind: results?.judges?.[name] ? 'judge' : 'computed', range: withinUnit ? [0, 1] : null, higherIsBetter: true, binary: false };
}

/**
 * Reads what the report shows: the record (404 for an unknown id or another tenant's), the benchmark's
 * name, and, once results exist, a scan of the per-item results page by page, stopped at the cap.
 */
export async function loadReportData(
  stores: ReportStores,
  tenantId: string,
  evaluationId: string,
  options: { maxScannedItems?: number; scanBudgetMs?: number; now?: Date; clock?: () => number } = {},
): Promise<ReportData> {
  const evaluation = await stores.evaluations.get(tenantId, evaluationId);
  if (!evaluation) throw new NotFoundError('evaluation', evaluationId, 'evaluation_id');
  const benchmark = await stores.benchmarks.get(tenantId, evaluation.benchmark_id);
  const metrics = reportMetrics(evaluation, benchmark);
  const data: ReportData = {
    evaluation,
    ...(benchmark
      ? {
          benchmark: {
            name: benchmark.name,
            task_type: benchmark.task_type,
            ...(benchmark.description ? { description: benchmark.description } : {}),
          },
        }
      : {}),
    metrics,
    arbiterVersion: packageJson.version,
    generatedAt: isoNow(options.now),
  };
  if (!evaluation.results) return data;

  const cap = options.maxScannedItems ?? MAX_SCANNED_ITEMS;
  const clock = options.clock ?? Date.now;
  const deadline = clock() + (options.scanBudgetMs ?? SCAN_BUDGET_MS);
  const sampler = new ResultsSampler(
    evaluation.models.map((model) => model.model_id),
    metrics,
  );
  let scanned = 0;
  let capped = false;
  for await (const page of stores.evaluations.allResults(tenantId, evaluationId)) {
    const rows: ItemResult[] = page.slice(0, cap - scanned);
    sampler.add(rows);
    scanned += rows.length;
    if (scanned >= cap || clock() >= deadline) {
      capped = scanned < evaluation.progress.total_items || rows.length < page.length;
      break;
    }
  }
  return { ...data, sample: sampler.result(capped) };
}
