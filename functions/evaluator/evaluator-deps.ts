import { serviceConfig } from '#shared/platform/config.js';
import type { EvaluatorDeps } from '#shared/domain/evaluator/deps.js';
import { scorerFor } from '#shared/domain/evaluator/metric-scorer.js';
import type { Model } from '#shared/contracts/models/schemas.js';
import { createProviderClient } from '#shared/adapters/providers/model-client.js';
import { withRetries } from '#shared/adapters/providers/retry.js';
import { DynamoDbProviderLimits } from '#shared/adapters/dynamodb/provider-limits.js';
import { SharedProviderLimiter } from '#shared/domain/evaluator/shared-limits.js';
import type { ModelClient } from '#shared/domain/ports/model-client.js';
import { SqsWorkQueue } from '#shared/adapters/sqs/work-queue.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { DynamoDbSpendLedger } from '#shared/adapters/dynamodb/spend-ledger.js';
import { DynamoDbResponseCache } from '#shared/adapters/dynamodb/response-cache.js';

/**
 * Model clients per container, keyed by the tenant and the model's full configuration (evaluations
 * snapshot models): two tenants' identical records still get clients with their own credentials.
 */
const clients = new Map<string, ModelClient>();

/** Provider limits shared with every other evaluator instance (docs/reliability.md, "Provider limits"). */
const sharedLimits = new SharedProviderLimiter(new DynamoDbProviderLimits());

function clientFor(model: Model, tenantId: string): ModelClient {
  const key = JSON.stringify([tenantId, model]);
  let client = clients.get(key);
  if (!client) {
    const provider = createProviderClient(model, tenantId);
    // Each attempt takes its own shared slot inside the retries, so a retry after a 429 waits under the
    // lowered limit instead of going straight back. Baselines never leave the process: nothing to share.
    client = withRetries(model.provider === 'baseline' ? provider : sharedLimits.guard(provider, tenantId, model));
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
  // The operator's switch: without a cache no entry is read or written, whatever an evaluation asks.
  ...(serviceConfig.responseCacheEnabled ? { cache: new DynamoDbResponseCache() } : {}),
};
