import * as v from 'valibot';
import type { HttpEvent } from './http-api/route.js';
import { IdempotencyKeySchema } from '../contracts/evaluations/schemas.js';
import { tableDefinitions } from '../contracts/resources.js';
import { serviceConfig, tableName } from '../platform/config.js';
import { documentClient } from './aws-clients.js';
import { DynamoDbBenchmarkStore } from './dynamodb/benchmark-store.js';
import { DynamoDbEvaluationStore } from './dynamodb/evaluation-store.js';
import { DynamoDbModelStore } from './dynamodb/model-store.js';
import { DynamoDbTenantSettingsStore } from './dynamodb/tenant-settings-store.js';
import { DynamoDbTenantUsageStore } from './dynamodb/tenant-usage-records.js';
import { parseOrThrow } from './http-api/validation.js';
import { credentialCheckFromEnvironment } from './secrets/credential-check.js';
import { SqsWorkQueue } from './sqs/work-queue.js';

/** What creating an evaluation needs (create and rescore alike), built once per container by the handler. */
export function createEvaluationDeps() {
  const evaluations = new DynamoDbEvaluationStore();
  return {
    evaluations,
    benchmarks: new DynamoDbBenchmarkStore(),
    models: new DynamoDbModelStore(),
    credentials: credentialCheckFromEnvironment(),
    queue: new SqsWorkQueue(),
    // Optional: without it, judged metrics must name their judge (creating one that does not answers 422).
    defaultJudgeModelId: serviceConfig.defaultJudgeModel,
    quotas: {
      settings: new DynamoDbTenantSettingsStore(),
      usage: new DynamoDbTenantUsageStore({ client: documentClient, tableName: tableName(tableDefinitions.evaluations.envVar) }),
      evaluations,
    },
  };
}

/** The request's `Idempotency-Key` header, validated (400 naming the header otherwise). */
export function idempotencyKeyOf(event: HttpEvent): string | undefined {
  return parseOrThrow(v.object({ 'idempotency-key': v.optional(IdempotencyKeySchema) }), {
    'idempotency-key': event.headers?.['idempotency-key'],
  })['idempotency-key'];
}
