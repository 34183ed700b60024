import { getBenchmark, toBenchmarkView } from '#shared/domain/benchmarks/benchmark-service.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';

const benchmarks = new DynamoDbBenchmarkStore();

export const handler = httpRoute({ scope: 'benchmarks:read' }, async ({ caller, path }) => ({
  statusCode: 200,
  body: toBenchmarkView(await getBenchmark(benchmarks, caller.tenantId, path.benchmark_id ?? '')),
}));
