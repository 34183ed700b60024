import { listBenchmarks } from '#shared/benchmarks/benchmark-service.js';
import { httpRoute } from '#shared/http/route.js';
import { PageQuerySchema } from '#shared/pagination.js';
import { DynamoDbBenchmarkStore } from '#shared/store/dynamodb/benchmark-store.js';

const benchmarks = new DynamoDbBenchmarkStore();

export const handler = httpRoute({ scope: 'benchmarks:read', query: PageQuerySchema }, async ({ caller, query }) => ({
  statusCode: 200,
  body: await listBenchmarks(benchmarks, caller.tenantId, query),
}));
