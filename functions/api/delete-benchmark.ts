import { deleteBenchmark } from '#shared/domain/benchmarks/benchmark-service.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { SqsWorkQueue } from '#shared/adapters/sqs/work-queue.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';

const deps = { benchmarks: new DynamoDbBenchmarkStore(), evaluations: new DynamoDbEvaluationStore(), queue: new SqsWorkQueue() };

/** 204 at once: the benchmark is gone from every read; its items are purged in the background. */
export const handler = httpRoute({ scope: 'benchmarks:write' }, async ({ caller, path }) => {
  await deleteBenchmark(deps, caller.tenantId, path.benchmark_id ?? '');
  return { statusCode: 204 };
});
