/**
 * One measured finalize computation, alone in its process so its peak memory (VmHWM) is its own: started
 * by finalize-scale.ts with BENCH_FINALIZE_INPUT (the stack's environment or what rows to make, the
 * evaluation, its metrics, the mode) and printing one JSON line.
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
import { randomRows } from './synthetic-results.js';

export type FinalizeMode = 'rows' | 'columns' | 'columns-whole-rows';

interface Input {
  /** The local stack's environment: rows are read from its DynamoDB Local. */
  env?: Record<string, string>;
  /** Without a stack: rows made here, in pages of about 1 MB as DynamoDB returns them. */
  generate?: { answerBytes: number; rationaleBytes: number };
  evaluation: Evaluation;
  metrics: ScoredMetric[];
  mode: FinalizeMode;
}

const input = JSON.parse(process.env.BENCH_FINALIZE_INPUT ?? '{}') as Input;
const { evaluation, metrics, mode, generate } = input;
const documents = input.env ? localDocumentClient(input.env) : undefined;
const store = documents
  ? new DynamoDbEvaluationStore({
      client: documents,
      tableName: input.env![tableDefinitions.evaluations.envVar],
      benchmarksTableName: input.env![tableDefinitions.benchmarks.envVar],
    })
  : undefined;

/** The rows as the store would page them: DynamoDB stops a page at 1 MB of items. */
async function* generatedPages(): AsyncGenerator<ItemResult[]> {
  const options = { metrics, textLength: generate!.answerBytes, rationaleLength: generate!.rationaleBytes };
  const rowBytes = Buffer.byteLength(JSON.stringify(randomRows({ ...options, items: 1, seed: 1 })[0]));
  const pageRows = Math.max(1, Math.floor(1_000_000 / rowBytes));
  for (let first = 0; first < evaluation.progress.total_items; first += pageRows) {
    const items = Math.min(pageRows, evaluation.progress.total_items - first);
    yield randomRows({ ...options, items, first, seed: first + 1 });
  }
}
const wholeRows = () => (store ? store.allResults('dev', evaluation.evaluation_id) : generatedPages());

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
  for await (const page of wholeRows()) {
    rows.push(...page);
    sampleHeap();
  }
  readSeconds = (performance.now() - started) / 1000;
  rowCount = rows.length;
  results = computeResults(evaluation, rows, metrics);
} else {
  const columns = new ResultColumns(evaluation, metrics);
  // Generated rows cannot be projected: both column modes then stream whole rows.
  const pages = mode === 'columns' && store ? store.allScores('dev', evaluation.evaluation_id, columns.shape) : wholeRows();
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
documents?.destroy();

console.log(
  JSON.stringify({
    mode,
    source: store ? 'dynamodb_local' : 'generated_in_process',
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
