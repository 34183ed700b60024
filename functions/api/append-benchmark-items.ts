import { appendBenchmarkItems } from '#shared/domain/benchmarks/benchmark-service.js';
import { AppendItemsRequestSchema, benchmarkLimits } from '#shared/contracts/benchmarks/schemas.js';
import { MalformedJsonError } from '#shared/domain/errors.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';

const benchmarks = new DynamoDbBenchmarkStore();

/** JSONL appends are one item per line. */
function itemsFromNdjson(text: string): unknown {
  const items: unknown[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      items.push(JSON.parse(line));
    } catch {
      throw new MalformedJsonError(`line ${index + 1} is not valid JSON`);
    }
  });
  return { items };
}

export const handler = httpRoute(
  { scope: 'benchmarks:write', body: AppendItemsRequestSchema, ndjson: itemsFromNdjson, maxBodyBytes: benchmarkLimits.maxRequestBytes },
  async ({ caller, path, body }) => ({
    statusCode: 200,
    body: await appendBenchmarkItems(benchmarks, caller.tenantId, path.benchmark_id ?? '', body.items),
  }),
);
