/**
 * `npm run bench:fairness`: on the local stack with the fake model at a fixed latency, how long a small
 * evaluation from tenant B takes when it is submitted right behind a huge one from tenant A, against B
 * alone on the idle stack (goal: at most 2×). Prints both times, their ratio, and how far A had got when
 * B finished; A is then cancelled (its cancel finishing is timed too: a cancelled evaluation stops
 * refilling its window).
 *
 * Flags (or the BENCH_* variables): `--a-items N` (BENCH_A_ITEMS, default 100,000; smaller for a quick
 * run), `--b-items N` (BENCH_B_ITEMS, 100), `--latency-ms N` (BENCH_LATENCY_MS, 50), `--concurrency N`
 * (each tenant's model `max_concurrency`, BENCH_CONCURRENCY, 8), `--chunk-size N` (BENCH_CHUNK_SIZE, 100),
 * `--window N` (ARBITER_CHUNK_WINDOW for the stack; unset: its default; a window as large as A's plan
 * shows the behaviour before the window, every chunk sent at once), `--steady-seconds N` (how long A's own
 * pace is measured after B finished, against its model's limit `max_concurrency ÷ latency`; 15).
 */
import '../local/sdk-warning.js';
import { parseArgs } from 'node:util';
import { scopes } from '#shared/contracts/auth/scopes.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { DEFAULT_CHUNK_WINDOW } from '#shared/domain/evaluator/chunk-window.js';
import { localDocumentClient } from '../local/seed.js';
import { startLocalStack } from '../local/stack.js';
import { startFakeModelServer } from '../local/fake-model-server/server.js';
import { apiCaller, appendSums, type ApiCall } from './support.js';

const { values: flags } = parseArgs({
  options: {
    'a-items': { type: 'string' },
    'b-items': { type: 'string' },
    'latency-ms': { type: 'string' },
    concurrency: { type: 'string' },
    'chunk-size': { type: 'string' },
    window: { type: 'string' },
    'steady-seconds': { type: 'string' },
  },
});
const setting = (flag: string | undefined, variable: string, fallback: number) => Number(flag ?? process.env[variable] ?? fallback);
const aItems = setting(flags['a-items'], 'BENCH_A_ITEMS', 100_000);
const bItems = setting(flags['b-items'], 'BENCH_B_ITEMS', 100);
const latencyMs = setting(flags['latency-ms'], 'BENCH_LATENCY_MS', 50);
const concurrency = setting(flags.concurrency, 'BENCH_CONCURRENCY', 8);
const chunkSize = setting(flags['chunk-size'], 'BENCH_CHUNK_SIZE', 100);
const window = flags.window ?? process.env.ARBITER_CHUNK_WINDOW;
/** How long A's pace is measured after B finished, before A is cancelled. */
const steadySeconds = setting(flags['steady-seconds'], 'BENCH_STEADY_SECONDS', 15);

const fake = await startFakeModelServer({ latencyMs });
const stack = await startLocalStack({
  port: 0,
  inMemory: true,
  quiet: true,
  dataDir: `/tmp/arbiter-bench-fairness-${process.pid}`,
  env: { LOG_LEVEL: 'WARN', ARBITER_CHUNK_SIZE: String(chunkSize), ...(window ? { ARBITER_CHUNK_WINDOW: window } : {}) },
});
const documents = localDocumentClient(stack.env);

const caller = (apiKey: string) => apiCaller(stack.apiUrl, apiKey);
type Call = ApiCall;

async function prepareTenant(call: Call, items: number, name: string): Promise<string> {
  await call('POST', '/api/v3/models', {
    model_id: 'fake',
    provider: 'openai_compatible',
    provider_model_id: 'fake',
    base_url: fake.url,
    max_concurrency: concurrency,
    timeout_ms: 10_000,
  });
  const benchmark = await call('POST', '/api/v3/benchmarks', { name, task_type: 'exact_answer' });
  await appendSums(call, benchmark.benchmark_id, items);
  return benchmark.benchmark_id as string;
}

const finalStatuses = ['completed', 'failed', 'cancelled'];

async function untilFinished(call: Call, evaluationId: string): Promise<any> {
  for (;;) {
    const status = await call('GET', `/api/v3/evaluations/${evaluationId}/status`);
    if (finalStatuses.includes(status.status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Seconds from POST to a final state. */
async function timeEvaluation(call: Call, benchmarkId: string): Promise<{ seconds: number; status: string; evaluationId: string }> {
  const started = performance.now();
  const created = await call('POST', '/api/v3/evaluations', { model_id: 'fake', benchmark_id: benchmarkId, custom_metrics: ['exact_match'] });
  const status = await untilFinished(call, created.evaluation_id);
  return { seconds: (performance.now() - started) / 1000, status: status.status, evaluationId: created.evaluation_id };
}

const round = (value: number, places = 2) => Math.round(value * 10 ** places) / 10 ** places;

try {
  const keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
  const tenantA = caller((await keys.issue({ tenantId: 'bench-tenant-a', scopes: [...scopes], name: 'bench-a' })).key);
  const tenantB = caller(stack.devApiKey);
  const prepareStarted = performance.now();
  const benchmarkB = await prepareTenant(tenantB, bItems, 'Fairness B');
  const benchmarkA = await prepareTenant(tenantA, aItems, 'Fairness A');
  const prepareSeconds = (performance.now() - prepareStarted) / 1000;

  // B alone on the idle stack, twice (the first also warms the evaluator's module and clients): the faster.
  const aloneRuns = [await timeEvaluation(tenantB, benchmarkB), await timeEvaluation(tenantB, benchmarkB)];
  const alone = Math.min(...aloneRuns.map((run) => run.seconds));

  // A first; B once A is running (its first chunks counted, so its window is full and refilling).
  const aCreated = await tenantA('POST', '/api/v3/evaluations', { model_id: 'fake', benchmark_id: benchmarkA, custom_metrics: ['exact_match'] });
  const aStarted = performance.now();
  for (;;) {
    const status = await tenantA('GET', `/api/v3/evaluations/${aCreated.evaluation_id}/status`);
    if (status.progress.completed_items + status.progress.failed_items > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const aRunningAfter = (performance.now() - aStarted) / 1000;
  const behind = await timeEvaluation(tenantB, benchmarkB);
  const aAtB = await tenantA('GET', `/api/v3/evaluations/${aCreated.evaluation_id}/status`);
  const aElapsed = (performance.now() - aStarted) / 1000;
  const aDone = aAtB.progress.completed_items + aAtB.progress.failed_items;

  // A's own pace once B is done: its throughput under the window, against its models' limit.
  const steadyStarted = performance.now();
  await new Promise((resolve) => setTimeout(resolve, steadySeconds * 1000));
  const aLater = await tenantA('GET', `/api/v3/evaluations/${aCreated.evaluation_id}/status`);
  const aSteady = (aLater.progress.completed_items + aLater.progress.failed_items - aDone) / ((performance.now() - steadyStarted) / 1000);

  const cancelStarted = performance.now();
  // Without a window A may be all but done by now, and finish before the cancel.
  if (aLater.status === 'running') await tenantA('POST', `/api/v3/evaluations/${aCreated.evaluation_id}/cancel`).catch(() => undefined);
  const aEnd = await untilFinished(tenantA, aCreated.evaluation_id);
  const cancelSeconds = (performance.now() - cancelStarted) / 1000;

  console.log(
    JSON.stringify(
      {
        a_items: aItems,
        b_items: bItems,
        model_latency_ms: latencyMs,
        model_max_concurrency: concurrency,
        chunk_size: chunkSize,
        chunk_window: window ? Number(window) : DEFAULT_CHUNK_WINDOW,
        prepare_seconds: round(prepareSeconds, 1),
        b_alone_seconds: round(alone),
        b_alone_runs_seconds: aloneRuns.map((run) => round(run.seconds)),
        b_behind_a_seconds: round(behind.seconds),
        b_behind_a_status: behind.status,
        ratio: round(behind.seconds / alone),
        goal_ratio: 2,
        a_first_progress_seconds: round(aRunningAfter, 1),
        a_items_done_when_b_finished: aDone,
        a_fraction_done_when_b_finished: round(aDone / aItems, 4),
        a_items_per_second_until_b_finished: round(aDone / aElapsed, 1),
        a_steady_items_per_second: round(aSteady, 1),
        a_finished_while_measured: aLater.status !== 'running',
        a_limit_items_per_second: round(concurrency / (latencyMs / 1000), 1),
        a_steady_ratio_to_limit: round(aSteady / (concurrency / (latencyMs / 1000))),
        a_cancel_to_final_seconds: round(cancelSeconds, 1),
        a_final_status: aEnd.status,
      },
      null,
      2,
    ),
  );
} finally {
  documents.destroy();
  await stack.stop();
  await fake.stop();
}
