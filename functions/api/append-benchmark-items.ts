import { appendBenchmarkItems } from '#shared/domain/benchmarks/benchmark-service.js';
import { AppendItemsRequestSchema, benchmarkLimits } from '#shared/contracts/benchmarks/schemas.js';
import { itemsFromNdjson } from '#shared/domain/benchmarks/ndjson.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';

const benchmarks = new DynamoDbBenchmarkStore();

export const handler = httpRoute(
  { scope: 'benchmarks:write', body: AppendItemsRequestSchema, ndjson: itemsFromNdjson, maxBodyBytes: benchmarkLimits.maxRequestBytes },
  async ({ caller, path, body }) => ({
    statusCode: 200,
    body: await appendBenchmarkItems(benchmarks, caller.tenantId, path.benchmark_id ?? '', body.items),
  }),
);
