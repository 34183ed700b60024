/**
 * One measured finalize computation, alone in its process so its peak memory (VmHWM) is its own: started
 * by finalize-scale.ts with BENCH_FINALIZE_INPUT (the stack's environment, the evaluation, its metrics,
 * the mode) and printing one JSON line.
 *
 * Modes: `rows` is finalize as it was (every row with its answers read into memory, then computeResults);
 * `columns` is finalize now (the projected score read streamed into ResultColumns); `columns-whole-rows`
 * streams into the columns but reads whole rows, to show what the projection itself saves.
 */
import '../local/sdk-warning.js';
import { createHash } from 'node:crypto';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import type { EvaluationResults, ItemResult } from '#shared/contracts/evaluations/result-types.js';
import type { Evaluation } from '#shared/contracts/evaluations/schemas.js';
import { computeResults } from '#shared/domain/evaluator/aggregate-results.js';
import { ResultColumns } from '#shared/domain/evaluator/result-columns.js';
import type { ScoredMetric } from '#shared/domain/evaluator/scoring.js';
import { localDocumentClient } from '../local/seed.js';
import { peakMemoryMiB } from './support.js';

export type FinalizeMode = 'rows' | 'columns' | 'columns-whole-rows';

interface Input {
  env: Record<string, string>;
  evaluation: Evaluation;
  metrics: ScoredMetric[];
  mode: FinalizeMode;
}

const input = JSON.parse(process.env.BENCH_FINALIZE_INPUT ?? '{}') as Input;
const documents = localDocumentClient(input.env);
const store = new DynamoDbEvaluationStore({
  client: documents,
  tableName: input.env[tableDefinitions.evaluations.envVar],
  benchmarksTableName: input.env[tableDefinitions.benchmarks.envVar],
});
const { evaluation, metrics, mode } = input;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

let peakHeap = 0;
const sampleHeap = () => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
};
const baselineMiB = peakMemoryMiB(process.pid);
const started = performance.now();
let results: EvaluationResults;
let rowCount = 0;
let readSeconds: number;
if (mode === 'rows') {
  const rows: ItemResult[] = [];
  for await (const page of store.allResults('dev', evaluation.evaluation_id)) {
    rows.push(...page);
    sampleHeap();
  }
  readSeconds = (performance.now() - started) / 1000;
  rowCount = rows.length;
  results = computeResults(evaluation, rows, metrics);
} else {
  const columns = new ResultColumns(evaluation, metrics);
  const pages =
    mode === 'columns' ? store.allScores('dev', evaluation.evaluation_id, columns.shape) : store.allResults('dev', evaluation.evaluation_id);
  for await (const page of pages) {
    columns.add(page);
    sampleHeap();
  }
  readSeconds = (performance.now() - started) / 1000;
  rowCount = columns.rows;
  results = columns.results();
}
sampleHeap();
const totalSeconds = (performance.now() - started) / 1000;
documents.destroy();

console.log(
  JSON.stringify({
    mode,
    rows: rowCount,
    read_seconds: Math.round(readSeconds * 10) / 10,
    statistics_seconds: Math.round((totalSeconds - readSeconds) * 100) / 100,
    finalize_seconds: Math.round(totalSeconds * 10) / 10,
    baseline_rss_mib: baselineMiB,
    peak_rss_mib: peakMemoryMiB(process.pid),
    peak_heap_used_mib: Math.round(peakHeap / 2 ** 20),
    // The same digest in every mode means the same results (keys sorted: the order of keys is no result).
    results_sha256: createHash('sha256').update(canonical(results)).digest('hex').slice(0, 16),
  }),
);
