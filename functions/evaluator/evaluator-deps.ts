import type { EvaluatorDeps } from '#shared/domain/evaluator/deps.js';
import { scorerFor } from '#shared/domain/evaluator/metric-scorer.js';
import type { Model } from '#shared/contracts/models/schemas.js';
import { createModelClient } from '#shared/adapters/providers/model-client.js';
import type { ModelClient } from '#shared/domain/ports/model-client.js';
import { SqsWorkQueue } from '#shared/adapters/sqs/work-queue.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { DynamoDbSpendLedger } from '#shared/adapters/dynamodb/spend-ledger.js';

/**
 * Model clients per container, keyed by the tenant and the model's full configuration (evaluations
 * snapshot models): two tenants' identical records still get clients with their own credentials.
 */
const clients = new Map<string, ModelClient>();

function clientFor(model: Model, tenantId: string): ModelClient {
  const key = JSON.stringify([tenantId, model]);
  let client = clients.get(key);
  if (!client) {
    client = createModelClient(model, tenantId);
    clients.set(key, client);
  }
  return client;
}

/** The evaluator functions' dependencies, created once per container. */
export const evaluatorDeps: EvaluatorDeps = {
  evaluations: new DynamoDbEvaluationStore(),
  benchmarks: new DynamoDbBenchmarkStore(),
  queue: new SqsWorkQueue(),
  clientFor,
  scorerFor,
  spend: new DynamoDbSpendLedger(),
};
