/**
 * `npm run bench:cache`: a 1,000-item evaluation (BENCH_ITEMS) run twice on the local stack against the
 * fake model at 50 ms latency (BENCH_LATENCY_MS) with concurrency 50 (BENCH_CONCURRENCY), the second
 * time unchanged with `cache: "use"`. Prints, per run, the model calls the fake server received, the
 * cache hits and saved cost the status shows, and the wall time from POST to `completed`.
 */
import '../local/sdk-warning.js';
import { startLocalStack } from '../local/stack.js';
import { startFakeModelServer } from '../local/fake-model-server/server.js';
import { apiCaller, appendSums } from './support.js';

const totalItems = Number(process.env.BENCH_ITEMS ?? 1_000);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 50);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const chunkSize = Number(process.env.BENCH_CHUNK_SIZE ?? 100);

const fake = await startFakeModelServer({ latencyMs });
const stack = await startLocalStack({
  port: 0,
  inMemory: true,
  quiet: true,
  dataDir: `/tmp/arbiter-bench-cache-${process.pid}`,
  env: { LOG_LEVEL: 'WARN', ARBITER_CHUNK_SIZE: String(chunkSize) },
});
const call = apiCaller(stack.apiUrl, stack.devApiKey);

async function run(benchmarkId: string, cache: 'use' | 'refresh' | 'off') {
  const before = fake.stats().requests;
  const started = performance.now();
  const created = await call('POST', '/api/v3/evaluations', {
    model_id: 'fake-priced',
    benchmark_id: benchmarkId,
    custom_metrics: ['exact_match'],
    cache,
  });
  let status: any;
  do {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = await call('GET', `/api/v3/evaluations/${created.evaluation_id}/status`);
  } while (!['completed', 'failed', 'cancelled'].includes(status.status));
  const seconds = (performance.now() - started) / 1000;
  const evaluation = await call('GET', `/api/v3/evaluations/${created.evaluation_id}`);
  return {
    status: status.status as string,
    calls: fake.stats().requests - before,
    hits: status.cache_hits as number,
    savedUsd: status.cache_saved_usd as number,
    spentUsd: evaluation.results.models[0].cost_usd as number,
    exactMatch: evaluation.results.models[0].metrics.exact_match.mean as number,
    seconds,
  };
}

try {
  const benchmark = await call('POST', '/api/v3/benchmarks', { name: 'Cache benchmark', task_type: 'exact_answer' });
  await appendSums(call, benchmark.benchmark_id, totalItems);
  await call('POST', '/api/v3/models', {
    model_id: 'fake-priced',
    provider: 'openai_compatible',
    provider_model_id: 'fake',
    base_url: fake.url,
    max_concurrency: concurrency,
    timeout_ms: 10_000,
    pricing: { input_per_million: 3, output_per_million: 15 },
  });
  const first = await run(benchmark.benchmark_id, 'use');
  const second = await run(benchmark.benchmark_id, 'use');
  const line = (name: string, r: typeof first) =>
    `${name.padEnd(22)} ${r.status.padEnd(10)} calls ${String(r.calls).padStart(5)}  hits ${String(r.hits).padStart(5)}  ` +
    `spent $${r.spentUsd.toFixed(6)}  saved $${r.savedUsd.toFixed(6)}  exact_match ${r.exactMatch.toFixed(3)}  wall ${r.seconds.toFixed(2)} s`;
  console.log(`${totalItems} items, fake model ${latencyMs} ms, concurrency ${concurrency}, chunks of ${chunkSize}`);
  console.log(line('first run (cold)', first));
  console.log(line('second run (cache use)', second));
  console.log(`second / first wall time: ${(second.seconds / first.seconds).toFixed(2)}`);
} finally {
  await stack.stop();
  await fake.stop();
}
