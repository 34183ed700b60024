/**
 * `npm run bench:api`: p50/p99 latency of POST /api/v3/evaluations on the local stack, with 50 concurrent
 * clients for 20 s (override with BENCH_CONNECTIONS and BENCH_SECONDS). Starts and stops its own stack.
 */
import '../local/sdk-warning.js';
import autocannon from 'autocannon';
import { startLocalStack } from '../local/stack.js';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const duration = Number(process.env.BENCH_SECONDS ?? 20);

const stack = await startLocalStack({
  port: 0,
  inMemory: true,
  quiet: true,
  dataDir: `/tmp/arbiter-bench-api-${process.pid}`,
  env: {
    LOG_LEVEL: 'ERROR',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    ...(process.env.ARBITER_EVALUATOR_CONCURRENCY ? { ARBITER_EVALUATOR_CONCURRENCY: process.env.ARBITER_EVALUATOR_CONCURRENCY } : {}),
  },
});
try {
  const body = JSON.stringify({
    model_id: 'claude-3-sonnet-20240229',
    benchmark_id: stack.sampleBenchmarkId,
    custom_metrics: ['accuracy', 'relevance'],
  });
  const result = await autocannon({
    url: `${stack.apiUrl}/api/v3/evaluations`,
    method: 'POST',
    connections,
    duration,
    headers: { authorization: `Bearer ${stack.devApiKey}`, 'content-type': 'application/json' },
    body,
  });
  const report = {
    connections,
    duration_s: duration,
    requests: result.requests.total,
    requests_per_s: Math.round(result.requests.average),
    latency_ms: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    status_2xx: result['2xx'],
    non_2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  console.log(JSON.stringify(report, null, 2));
  if (report.errors > 0 || report.non_2xx > 0) process.exitCode = 1;
} finally {
  await stack.stop();
}
