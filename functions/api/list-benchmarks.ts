import { listBenchmarks } from '#shared/domain/benchmarks/benchmark-service.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { PageQuerySchema } from '#shared/contracts/pagination.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';

const benchmarks = new DynamoDbBenchmarkStore();

export const handler = httpRoute({ scope: 'benchmarks:read', query: PageQuerySchema }, async ({ caller, query }) => ({
  statusCode: 200,
  body: await listBenchmarks(benchmarks, caller.tenantId, query),
}));
