/**
 * `npm run bench:load [-- --rate 200 --duration 60 --create-share 0.05 --connections 64 --items 5 --warmup 30]`:
 * a fixed rate of mixed create and status calls against a local stack of its own, then a wait until every
 * evaluation created has finished, with each one's item counts checked. Exits non-zero on any connection
 * error or timeout, any non-2xx answer, an achieved rate under 95% of the target, or an evaluation lost,
 * unfinished or with wrong counts. Each flag also reads an environment variable (BENCH_RATE, …).
 *
 * Creates use baseline models (no network, no model latency), half of them in comparison mode, on a
 * small benchmark: what is measured is Arbiter's own path (API, DynamoDB, SQS, evaluator), not a provider.
 * The load is open-loop (fixed-rate.ts): requests leave on schedule whatever the server does, and
 * latencies run from when each request was due.
 */
import '../local/sdk-warning.js';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { expandScopes } from '#shared/contracts/auth/scopes.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { localDocumentClient } from '../local/seed.js';
import { startLocalStack } from '../local/stack.js';
import { drainEvaluations } from './load-drain.js';
import { driveAtFixedRate } from './fixed-rate.js';
import { createTraffic, latencySummary, requestKinds, type Traffic } from './load-traffic.js';
import { cpuSecondsByRole } from './process-cpu.js';

const { values: flags } = parseArgs({
  options: {
    rate: { type: 'string', default: process.env.BENCH_RATE ?? '200' },
    duration: { type: 'string', default: process.env.BENCH_SECONDS ?? '60' },
    // One create per 19 status reads: clients that create an evaluation and poll its status until it
    // finishes. Each create also costs the evaluator ~14 DynamoDB calls (start, chunk, finalize) against 2
    // for a status read, on one machine whose DynamoDB Local runs every call on a single SQLite thread, so
    // the share decides what the local stack can carry (25% needs about twice the CPU of 5%).
    'create-share': { type: 'string', default: process.env.BENCH_CREATE_SHARE ?? '0.05' },
    connections: { type: 'string', default: process.env.BENCH_CONNECTIONS ?? '64' },
    timeout: { type: 'string', default: process.env.BENCH_TIMEOUT_SECONDS ?? '10' },
    items: { type: 'string', default: process.env.BENCH_ITEMS ?? '5' },
    // DynamoDB Local's JVM needs some 10,000 calls before its code is compiled: on a 2-core machine, with
    // 10 s of warm-up the stack carried ~180 req/s, with 30–40 s the full 200.
    warmup: { type: 'string', default: process.env.BENCH_WARMUP_SECONDS ?? '30' },
    'drain-timeout': { type: 'string', default: process.env.BENCH_DRAIN_SECONDS ?? '600' },
    seed: { type: 'string', default: process.env.BENCH_SEED ?? '1' },
  },
});

function numberFlag(name: keyof typeof flags, min: number, max: number): number {
  const value = Number(flags[name]);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be a number from ${min} to ${max}, got ${flags[name]}`);
  return value;
}

const rate = numberFlag('rate', 1, 10_000);
const duration = numberFlag('duration', 1, 3600);
const createShare = numberFlag('create-share', 0.01, 1);
const connections = numberFlag('connections', 1, 1000);
const items = numberFlag('items', 1, 1000);
const warmUpSeconds = numberFlag('warmup', 0, 600);
const timeoutSeconds = numberFlag('timeout', 1, 600);
const drainTimeout = numberFlag('drain-timeout', 1, 24 * 3600);
const seed = numberFlag('seed', 0, 2 ** 32 - 1);

/** Sends the traffic at the fixed rate for `seconds`; `onSecond` sees each elapsed second. */
function drive(url: string, traffic: Traffic, seconds: number, onSecond?: (elapsed: number) => void) {
  return driveAtFixedRate({
    url,
    rate,
    seconds,
    maxConnections: connections,
    timeoutMs: timeoutSeconds * 1000,
    next: traffic.next,
    record: traffic.record,
    onSecond,
  });
}

const dataDir = `/tmp/arbiter-bench-load-${process.pid}`;
const stack = await startLocalStack({
  port: 0,
  inMemory: true,
  quiet: true,
  dataDir,
  env: { LOG_LEVEL: 'ERROR', POWERTOOLS_LOG_LEVEL: 'ERROR' },
});
try {
  // A tenant of its own, so the final listing holds exactly the evaluations this run created.
  const documents = localDocumentClient(stack.env);
  const { key: apiKey } = await new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] }).issue({
    tenantId: `load-${process.pid}`,
    scopes: expandScopes(['all']),
    name: 'bench:load',
  });
  documents.destroy();

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json().catch(() => undefined)) as any;
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const benchmark = await call('POST', '/api/v3/benchmarks', {
    name: 'Load benchmark',
    task_type: 'exact_answer',
    items: Array.from({ length: items }, (_, i) => ({ input: `What is ${i} + ${i}?`, expected: String(2 * i) })),
  });
  // One create and one status read, then a warm-up at the full mix, before the clock starts: the API
  // server loads handler modules on first use and DynamoDB Local's JVM compiles its hot paths in the first
  // ten thousand calls, which are cold starts, not load. The warm-up's evaluations are left to finish, so
  // the measured minute starts from a settled stack; they are checked with the others at the end.
  const first = await call('POST', '/api/v3/evaluations', {
    model_id: 'baseline:reference',
    benchmark_id: benchmark.benchmark_id,
    custom_metrics: ['exact_match'],
  });
  await call('GET', `/api/v3/evaluations/${first.evaluation_id}/status`);
  const trafficOptions = { apiKey, benchmarkId: benchmark.benchmark_id, createShare, seed };
  const warmUp = createTraffic({ ...trafficOptions, knownIds: [first.evaluation_id] });
  let warmUpFailed = 0;
  if (warmUpSeconds > 0) {
    process.stderr.write(`bench:load: warming up for ${warmUpSeconds} s\n`);
    warmUpFailed = (await drive(stack.apiUrl, warmUp, warmUpSeconds)).failed;
    await drainEvaluations({
      apiUrl: stack.apiUrl,
      apiKey,
      benchmarkItems: items,
      acknowledgedIds: [],
      timeoutSeconds: drainTimeout,
      label: 'settling after warm-up',
    });
  }

  const traffic = createTraffic({ ...trafficOptions, seed: seed + 1, knownIds: warmUp.evaluationIds });
  process.stderr.write(
    `bench:load: ${rate} req/s for ${duration} s, ${Math.round(createShare * 100)}% creates, at most ${connections} connections, ${items}-item benchmark\n`,
  );
  const cpuBefore = cpuSecondsByRole(stack.pids);
  const benchCpuBefore = process.cpuUsage();
  const result = await drive(stack.apiUrl, traffic, duration, (elapsed) => {
    if (elapsed % 10 !== 0) return;
    const answered = traffic.stats.create.responses + traffic.stats.status.responses;
    process.stderr.write(`  ${elapsed} s: ${answered} answered, ${traffic.stats.create.responses} evaluations created\n`);
  });
  const loadEndedAt = Date.now();
  const cpuAfter = cpuSecondsByRole(stack.pids);
  const benchCpu = process.cpuUsage(benchCpuBefore);

  const kinds = Object.fromEntries(
    requestKinds.map((kind) => {
      const stats = traffic.stats[kind];
      return [
        kind,
        {
          sent: stats.sent,
          answered: stats.responses,
          errors: stats.errorReasons,
          non_2xx: stats.non2xx,
          malformed_2xx: stats.malformed,
          latency_ms: latencySummary(stats.latenciesMs),
        },
      ];
    }),
  );
  const countNon2xx = (of: Traffic) => requestKinds.reduce((sum, kind) => sum + Object.values(of.stats[kind].non2xx).reduce((a, b) => a + b, 0), 0);
  const non2xx = countNon2xx(traffic);
  const malformed = traffic.stats.create.malformed + traffic.stats.status.malformed;
  // Not timed, but not excused either: an error while warming up is still an error.
  const warmUpErrors = warmUpFailed + countNon2xx(warmUp) + warmUp.stats.create.malformed + warmUp.stats.status.malformed;
  // Over the schedule, or longer when the last answers trailed behind it: a server that falls behind
  // answers fewer than `rate` per second even though the requests left on time.
  const achieved = result.answered / Math.max(duration, result.elapsedSeconds);
  const perSecond = result.answeredPerSecond;
  const load = {
    warm_up: { seconds: warmUpSeconds, requests: warmUp.stats.create.sent + warmUp.stats.status.sent, failed: warmUpErrors },
    target_requests_per_s: rate,
    duration_s: duration,
    create_share: createShare,
    max_connections: connections,
    requests_sent: result.sent,
    requests_answered: result.answered,
    achieved_requests_per_s: Math.round(achieved * 10) / 10,
    answered_per_second: {
      min: Math.min(...perSecond),
      mean: Math.round(perSecond.reduce((a, b) => a + b, 0) / perSecond.length),
      max: Math.max(...perSecond),
    },
    errors: result.failed,
    non_2xx: non2xx,
    malformed_2xx: malformed,
    peak_in_flight: result.peakInFlight,
    // How late this process sent requests: large values mean the figures are the load generator's.
    send_lag_ms: result.sendLagMs,
    // Where the machine's time went, per request answered: which process is the bottleneck, in a figure
    // that holds better than latency when other work shares the machine.
    cpu_ms_per_request: Object.fromEntries([
      ...Object.entries(cpuAfter).map(([role, after]) => {
        const before = cpuBefore[role];
        return [
          role,
          after === null || before === null || before === undefined
            ? null
            : Math.round(((after - before) * 1e6) / Math.max(1, result.answered)) / 1000,
        ];
      }),
      ['bench', Math.round((benchCpu.user + benchCpu.system) / Math.max(1, result.answered)) / 1000],
    ]),
    latency_ms: latencySummary([...traffic.stats.create.latenciesMs, ...traffic.stats.status.latenciesMs]),
    by_kind: kinds,
  };
  process.stderr.write(`bench:load: load done; waiting for ${traffic.evaluationIds.length}+ evaluations to finish\n`);

  const { report: drain, lastCompletedAt } = await drainEvaluations({
    apiUrl: stack.apiUrl,
    apiKey,
    benchmarkItems: items,
    acknowledgedIds: traffic.evaluationIds,
    timeoutSeconds: drainTimeout,
  });
  const drainSeconds = lastCompletedAt ? Math.max(0, (Date.parse(lastCompletedAt) - loadEndedAt) / 1000) : null;

  const failures = [
    ...(warmUpErrors > 0 ? [`${warmUpErrors} failed requests while warming up`] : []),
    ...(result.failed > 0 ? [`${result.failed} requests without an answer (connection errors or timeouts)`] : []),
    ...(non2xx > 0 ? [`${non2xx} non-2xx answers`] : []),
    ...(malformed > 0 ? [`${malformed} 2xx answers without the expected evaluation id`] : []),
    ...(achieved < 0.95 * rate ? [`achieved ${load.achieved_requests_per_s} req/s, under 95% of ${rate}`] : []),
    ...(drain.unfinished > 0 ? [`${drain.unfinished} evaluations unfinished after ${drainTimeout} s`] : []),
    ...(drain.missing.length > 0 ? [`${drain.missing.length} acknowledged evaluations missing`] : []),
    ...(drain.wrong.length > 0 ? [`${drain.wrong.length} evaluations finished wrong`] : []),
  ];
  console.log(
    JSON.stringify(
      {
        load,
        drain: {
          evaluations: drain.evaluations,
          by_status: drain.by_status,
          unfinished: drain.unfinished,
          missing: drain.missing.slice(0, 10),
          wrong: drain.wrong.slice(0, 10),
          items_expected: drain.items_expected,
          items_completed: drain.items_completed,
          items_failed: drain.items_failed,
          // From the end of the load to the last evaluation's completed_at.
          seconds_after_load: drainSeconds === null ? null : Math.round(drainSeconds * 10) / 10,
        },
        ok: failures.length === 0,
        failures,
      },
      null,
      2,
    ),
  );
  if (failures.length > 0) process.exitCode = 1;
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
