/**
 * `npm run bench:limits`: a model's `max_concurrency` held across two evaluator processes. The local
 * stack's evaluator plus a second evaluator poller spawned here (same DynamoDB Local, same SQS emulator,
 * same handler modules) run one evaluation of BENCH_ITEMS items (default 2,000) against the fake model
 * at BENCH_LATENCY_MS (50) with `max_concurrency` BENCH_MAX_CONCURRENCY (8); then again with the fake
 * answering BENCH_RATE_LIMIT (10%) of requests 429 (with `Retry-After` BENCH_RETRY_AFTER seconds when
 * set). Prints, per run: the most calls the fake was answering at once (must be ≤ max_concurrency), the
 * answered calls per second as a ratio to max_concurrency ÷ latency, the 429s, items failed, each
 * evaluator's CPU (both must have worked), and the shared limit's state at the end.
 */
import '../local/sdk-warning.js';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbProviderLimits } from '#shared/adapters/dynamodb/provider-limits.js';
import { childProcessEnv } from '../local/handler-env.js';
import { evaluatorReadyLine } from '../local/ready-lines.js';
import { localDocumentClient } from '../local/seed.js';
import { startLocalStack } from '../local/stack.js';
import { spawnTsx } from '../local/tsx-process.js';
import { startFakeModelServer, type FaultRates } from '../local/fake-model-server/server.js';
import { cpuSecondsByRole } from './process-cpu.js';
import { apiCaller, appendSums } from './support.js';

const totalItems = Number(process.env.BENCH_ITEMS ?? 2_000);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 50);
const maxConcurrency = Number(process.env.BENCH_MAX_CONCURRENCY ?? 8);
const rateLimit = Number(process.env.BENCH_RATE_LIMIT ?? 0.1);
const retryAfterSeconds = process.env.BENCH_RETRY_AFTER === undefined ? undefined : Number(process.env.BENCH_RETRY_AFTER);
// Small chunks, so both evaluators get a share of the work.
const chunkSize = Number(process.env.BENCH_CHUNK_SIZE ?? 50);

const stack = await startLocalStack({
  port: 0,
  inMemory: true,
  quiet: true,
  dataDir: `/tmp/arbiter-bench-limits-${process.pid}`,
  env: { LOG_LEVEL: 'WARN', ARBITER_CHUNK_SIZE: String(chunkSize) },
});
// The second evaluator instance, as a second Lambda container would be: its own process, its own
// per-container limiter, the same tables and queue.
const second = spawnTsx('evaluator-poller.ts', childProcessEnv(stack.env), { name: 'evaluator-2', forward: false });
const documents = localDocumentClient(stack.env);

const call = apiCaller(stack.apiUrl, stack.devApiKey);

/** The limiter rows of the development tenant, by partition: a local table is small enough to scan. */
async function limiterRows(): Promise<Map<string, Record<string, unknown>[]>> {
  const rows = new Map<string, Record<string, unknown>[]>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: stack.env[tableDefinitions.evaluations.envVar],
        FilterExpression: 'begins_with(pk, :limits)',
        ExpressionAttributeValues: { ':limits': 'TENANT#dev#LIMIT#' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) rows.set(String(item.pk), [...(rows.get(String(item.pk)) ?? []), item]);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return rows;
}

/**
 * The median time of one limiter request (read, take, release) on this DynamoDB Local, which bounds the
 * figures: a slot is held for the model's latency plus about one request (the handover) or three.
 */
async function limiterRoundTripMs(): Promise<number> {
  const store = new DynamoDbProviderLimits({ client: documents, tableName: stack.env[tableDefinitions.evaluations.envVar] }).forLimiter(
    'bench-probe',
    'probe',
  );
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    for (const request of [() => store.read(), () => store.take(0, `probe-${i}`, 5_000), () => store.release(0, `probe-${i}`)]) {
      const started = performance.now();
      await request();
      times.push(performance.now() - started);
    }
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]! * 10) / 10;
}

async function run(label: string, benchmarkId: string, rates: FaultRates) {
  const fake = await startFakeModelServer({ latencyMs, rates, seed: 7, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
  try {
    const modelId = `fake-limits-${label}`;
    const before = await limiterRows();
    await call('POST', '/api/v3/models', {
      model_id: modelId,
      provider: 'openai_compatible',
      provider_model_id: 'fake',
      base_url: fake.url,
      max_concurrency: maxConcurrency,
      timeout_ms: 10_000,
    });
    const pids = { evaluator: stack.pids.evaluator!, evaluator_2: second.pid };
    const cpuBefore = cpuSecondsByRole(pids);
    const started = performance.now();
    const created = await call('POST', '/api/v3/evaluations', { model_id: modelId, benchmark_id: benchmarkId, custom_metrics: ['exact_match'] });
    let firstCall: number | undefined;
    let lastAnswer: number | undefined;
    let status: any;
    do {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const { requests, byOutcome } = fake.stats();
      if (requests > 0) firstCall ??= performance.now();
      if ((byOutcome.ok ?? 0) >= totalItems) lastAnswer ??= performance.now();
      status = await call('GET', `/api/v3/evaluations/${created.evaluation_id}/status`);
    } while (!['completed', 'failed', 'cancelled'].includes(status.status));
    const ended = performance.now();
    const cpuAfter = cpuSecondsByRole(pids);
    const stats = fake.stats();
    const answered = stats.byOutcome.ok ?? 0;
    const callSeconds = ((lastAnswer ?? ended) - (firstCall ?? started)) / 1000;
    const ceiling = maxConcurrency / (latencyMs / 1000);
    // This run's limiter is the partition that was not there before it (its model is new).
    const mine = [...(await limiterRows())].filter(([pk]) => !before.has(pk)).flatMap(([, rows]) => rows);
    const state = mine.find((row) => row.sk === 'STATE');
    const slotsLeft = mine.filter((row) => String(row.sk).startsWith('SLOT#')).length;
    const evaluation = await call('GET', `/api/v3/evaluations/${created.evaluation_id}`);
    const cpu = (role: keyof typeof pids) =>
      cpuBefore[role] == null || cpuAfter[role] == null ? null : Math.round((cpuAfter[role]! - cpuBefore[role]!) * 10) / 10;
    return {
      run: label,
      rate_limited_fraction: rates.rateLimit ?? 0,
      retry_after_seconds: retryAfterSeconds ?? null,
      status: evaluation.status,
      completed_items: evaluation.progress.completed_items,
      failed_items: evaluation.progress.failed_items,
      max_concurrency: maxConcurrency,
      most_concurrent_calls_seen: stats.maxInFlight,
      within_limit: stats.maxInFlight <= maxConcurrency,
      requests: stats.requests,
      answered_ok: answered,
      answered_429: stats.byOutcome.rate_limited ?? 0,
      call_seconds: Math.round(callSeconds * 100) / 100,
      wall_seconds: Math.round(((ended - started) / 1000) * 10) / 10,
      answers_per_second: Math.round(answered / callSeconds),
      ceiling_per_second: ceiling,
      ratio_to_ceiling: Math.round((answered / callSeconds / ceiling) * 100) / 100,
      evaluator_cpu_seconds: { first: cpu('evaluator'), second: cpu('evaluator_2') },
      // Unset means no 429 ever lowered it: max_concurrency.
      shared_limit_at_end: typeof state?.adaptive_limit === 'number' ? state.adaptive_limit : maxConcurrency,
      slots_held_at_end: slotsLeft,
    };
  } finally {
    await fake.stop();
  }
}

try {
  await second.waitForLine((line) => (line.trim() === evaluatorReadyLine ? true : undefined), 45_000);
  const benchmark = await call('POST', '/api/v3/benchmarks', { name: 'Limits benchmark', task_type: 'exact_answer' });
  await appendSums(call, benchmark.benchmark_id, totalItems);
  const roundTripMs = await limiterRoundTripMs();
  const results = [await run('healthy', benchmark.benchmark_id, {}), await run('throttled', benchmark.benchmark_id, { rateLimit })];
  console.log(
    JSON.stringify(
      {
        items: totalItems,
        model_latency_ms: latencyMs,
        chunk_size: chunkSize,
        evaluator_processes: 2,
        limiter_request_median_ms: roundTripMs,
        results,
      },
      null,
      2,
    ),
  );
  if (results.some((result) => !result.within_limit)) process.exitCode = 1;
} finally {
  documents.destroy();
  await second.stop(30_000);
  await stack.stop();
}
