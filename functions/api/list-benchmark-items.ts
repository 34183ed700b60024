import { listBenchmarkItems } from '#shared/domain/benchmarks/benchmark-service.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { PageQuerySchema } from '#shared/contracts/pagination.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';

const benchmarks = new DynamoDbBenchmarkStore();

/** Items in benchmark order, `limit` at a time. */
export const handler = httpRoute({ scope: 'benchmarks:read', query: PageQuerySchema }, async ({ caller, path, query }) => ({
  statusCode: 200,
  body: await listBenchmarkItems(benchmarks, caller.tenantId, path.benchmark_id ?? '', query),
}));
