/**
 * `npm run bench:evaluator -- --finalize`: finalize at the largest evaluation a deployment accepts,
 * 200,000 items (BENCH_ITEMS) × 2 models × 20 metrics (judged and pairwise among them), answers and
 * inputs of 1,024 bytes (BENCH_ANSWER_BYTES), judges' rationales of 200 (BENCH_RATIONALE_BYTES). Each way
 * of finalizing (BENCH_FINALIZE_MODES, default `columns,columns-whole-rows,rows`; see finalize-child.ts)
 * runs in its own process and reports its time, its peak memory and a digest of its results:
 *
 * - over rows made in that process, page by page as DynamoDB pages them, at the full size: the memory
 *   and compute figures. (DynamoDB Local writes rows of 20 scored metrics at about a hundred a second on
 *   this machine, so 200,000 of them would take the better part of an hour to seed.)
 * - over BENCH_DYNAMODB_ITEMS rows (default 2,000; 0 skips) written into DynamoDB Local with batched
 *   writes: the read, with and without the projection onto the scores.
 *
 * Last, the statistics alone at 20,000 and at BENCH_ITEMS values: what the bootstrap costs there and how
 * far the normal interval used above 20,000 items is from it. `BENCH_ITEMS=20000` is a quick run.
 */
import { spawn } from 'node:child_process';
import { evaluatorSettings, tableDefinitions } from '#shared/contracts/resources.js';
import { bootstrapMeanInterval } from '#shared/domain/stats/bootstrap.js';
import { comparePaired, defaultBootstrapMaxN } from '#shared/domain/stats/index.js';
import { createRandom } from '#shared/domain/stats/random.js';
import { mean, standardErrorOfMean } from '#shared/domain/stats/summary.js';
import { evaluationKeys } from '#shared/adapters/dynamodb/keys.js';
import { queryAll } from '#shared/adapters/dynamodb/queries.js';
import { localDocumentClient } from '../local/seed.js';
import { repoRoot } from '../local/paths.js';
import { startLocalStack } from '../local/stack.js';
import type { FinalizeMode } from './finalize-child.js';
import { writeResultRows } from './seed-results.js';
import { randomEvaluation, randomRows, twentyMetrics } from './synthetic-results.js';

const totalItems = Number(process.env.BENCH_ITEMS ?? 200_000);
const answerBytes = Number(process.env.BENCH_ANSWER_BYTES ?? 1024);
const rationaleBytes = Number(process.env.BENCH_RATIONALE_BYTES ?? 200);
const modes = (process.env.BENCH_FINALIZE_MODES ?? 'columns,columns-whole-rows,rows').split(',') as FinalizeMode[];
const dynamoItems = Number(process.env.BENCH_DYNAMODB_ITEMS ?? 2_000);
// The old path holds every row; capped so that it fails alone instead of taking the machine's memory.
const rowsHeapMb = Number(process.env.BENCH_ROWS_HEAP_MB ?? 4096);
const SLICE = 1_000;

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function runChild(input: object, heapMb?: number): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const heap = heapMb ? [`--max-old-space-size=${heapMb}`] : [];
    const child = spawn(process.execPath, [...heap, '--import', 'tsx', 'bench/finalize-child.ts'], {
      cwd: repoRoot,
      env: { ...process.env, BENCH_FINALIZE_INPUT: JSON.stringify(input), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err = (err + chunk).slice(-2000);
    });
    child.on('exit', (code, signal) => {
      const line = out.trim().split('\n').at(-1);
      if (code === 0 && line) resolve(JSON.parse(line) as Record<string, unknown>);
      else resolve({ error: `exited with ${code ?? signal}`, stderr_tail: err.split('\n').slice(-6).join('\n') });
    });
  });
}

/** The statistics alone at n items: the bootstrap the normal interval replaces above 20,000, and the tests finalize runs. */
function statisticsAt(n: number) {
  const random = createRandom(42);
  // Skewed like latency, and lumpy like a lexical score with many zeros: where a normal interval is least safe.
  const skewed = Array.from({ length: n }, () => -Math.log(1 - random()));
  const lumpy = Array.from({ length: n }, () => (random() < 0.4 ? 0 : Math.round(random() * 20) / 20));
  const intervals = [
    ['exponential', skewed],
    ['lumpy_0_to_1', lumpy],
  ].map(([name, values]) => {
    const data = values as number[];
    const center = mean(data);
    const se = standardErrorOfMean(data, center)!;
    const started = performance.now();
    const [low, high] = bootstrapMeanInterval(data, { seed: 7 });
    const bootstrapMs = performance.now() - started;
    const z = 1.959963984540054;
    return {
      data: name,
      bootstrap_bca_ms: Math.round(bootstrapMs),
      // How far the normal interval's bounds are from the bootstrap's, in standard errors.
      normal_vs_bca_lower_se: round((center - z * se - low) / se, 3),
      normal_vs_bca_upper_se: round((center + z * se - high) / se, 3),
    };
  });
  const other = Array.from({ length: n }, () => -Math.log(1 - random()) * 1.01);
  let started = performance.now();
  comparePaired(skewed, other, { binary: false, seed: 1, higherIsBetter: true });
  const pairedMs = performance.now() - started;
  const passA = Array.from({ length: n }, () => (random() < 0.6 ? 1 : 0));
  const passB = Array.from({ length: n }, () => (random() < 0.62 ? 1 : 0));
  started = performance.now();
  comparePaired(passA, passB, { binary: true, seed: 1, higherIsBetter: true });
  const mcnemarMs = performance.now() - started;
  return {
    n,
    intervals,
    paired_signed_rank_with_interval_ms: Math.round(pairedMs),
    paired_mcnemar_with_interval_ms: Math.round(mcnemarMs),
  };
}

const base = { answerBytes, rationaleBytes };

/** Each mode in its own process over the same rows, made in that process (no DynamoDB): memory and compute at full size. */
async function generatedRuns() {
  const evaluation = randomEvaluation({ items: totalItems, id: 'eval-01kbenchfinalize0000000000', metrics: twentyMetrics });
  const runs: Record<string, unknown>[] = [];
  for (const mode of modes) {
    process.stderr.write(`finalize over ${totalItems} generated rows: ${mode}\n`);
    runs.push({ mode, ...(await runChild({ generate: base, evaluation, metrics: twentyMetrics, mode }, mode === 'rows' ? rowsHeapMb : undefined)) });
  }
  return runs;
}

/** The same through DynamoDB Local, at a size it can seed in minutes: what the projection saves of the read. */
async function dynamoDbRuns() {
  const stack = await startLocalStack({
    port: 0,
    inMemory: true,
    quiet: true,
    dataDir: `/tmp/arbiter-bench-finalize-${process.pid}`,
    env: { LOG_LEVEL: 'WARN' },
  });
  try {
    const evaluationId = 'eval-01kbenchfinalizedynamo00000';
    const evaluation = randomEvaluation({ items: dynamoItems, id: evaluationId, metrics: twentyMetrics });
    const documents = localDocumentClient(stack.env);
    const seedStarted = performance.now();
    for (let first = 0; first < dynamoItems; first += SLICE) {
      const rows = randomRows({
        items: Math.min(SLICE, dynamoItems - first),
        first,
        seed: first + 1,
        metrics: twentyMetrics,
        textLength: answerBytes,
        rationaleLength: rationaleBytes,
      });
      await writeResultRows(documents, stack.env[tableDefinitions.evaluations.envVar]!, 'dev', evaluationId, rows);
      process.stderr.write(`seeded ${first + rows.length} / ${dynamoItems} rows into DynamoDB Local\n`);
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    // DynamoDB Local's JVM reads a fresh table's rows several times slower the first time: one read
    // first, so the first mode measured is not the one that pays for it.
    const warmUpStarted = performance.now();
    await queryAll(documents, {
      TableName: stack.env[tableDefinitions.evaluations.envVar],
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': evaluationKeys.partition('dev', evaluationId) },
    });
    const warmUpSeconds = (performance.now() - warmUpStarted) / 1000;
    documents.destroy();
    const runs: Record<string, unknown>[] = [];
    for (const mode of modes) {
      process.stderr.write(`finalize over ${dynamoItems} rows in DynamoDB Local: ${mode}\n`);
      runs.push({ mode, ...(await runChild({ env: stack.env, evaluation, metrics: twentyMetrics, mode })) });
    }
    return { items: dynamoItems, seed_rows_per_second: Math.round(dynamoItems / seedSeconds), warm_up_read_seconds: round(warmUpSeconds), runs };
  } finally {
    await stack.stop();
  }
}

const generated = await generatedRuns();
const dynamodb = dynamoItems > 0 ? await dynamoDbRuns() : null;
console.log(
  JSON.stringify(
    {
      items: totalItems,
      models: 2,
      metrics: twentyMetrics.length,
      answer_bytes: answerBytes,
      rationale_bytes: rationaleBytes,
      evaluator_limits: { memory_mb: evaluatorSettings.memorySizeMb, timeout_seconds: evaluatorSettings.timeoutSeconds },
      rows_mode_heap_limit_mb: rowsHeapMb,
      generated,
      dynamodb_local: dynamodb,
      bootstrap_max_n: defaultBootstrapMaxN,
      statistics: [statisticsAt(defaultBootstrapMaxN), statisticsAt(totalItems)],
    },
    null,
    2,
  ),
);
