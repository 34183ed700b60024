import { createBenchmark } from '#shared/domain/benchmarks/benchmark-service.js';
import { benchmarkFromNdjson } from '#shared/domain/benchmarks/ndjson.js';
import { benchmarkLimits, CreateBenchmarkRequestSchema } from '#shared/contracts/benchmarks/schemas.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';

const benchmarks = new DynamoDbBenchmarkStore();

/** JSON (`{ name, task_type, …, items }`) or JSONL (the benchmark on line 1, one item per further line). */
export const handler = httpRoute(
  { scope: 'benchmarks:write', body: CreateBenchmarkRequestSchema, ndjson: benchmarkFromNdjson, maxBodyBytes: benchmarkLimits.maxRequestBytes },
  async ({ caller, body }) => {
    const benchmark = await createBenchmark(benchmarks, caller.tenantId, body);
    return { statusCode: 201, body: benchmark, headers: { location: `/api/v3/benchmarks/${benchmark.benchmark_id}` } };
  },
);
