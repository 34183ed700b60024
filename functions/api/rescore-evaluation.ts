import * as v from 'valibot';
import { rescoreEvaluation } from '#shared/domain/evaluations/rescore-evaluation.js';
import { IdempotencyKeySchema, RescoreRequestSchema } from '#shared/contracts/evaluations/schemas.js';
import { parseOrThrow } from '#shared/adapters/http-api/validation.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { serviceConfig, tableName } from '#shared/platform/config.js';
import { credentialCheckFromEnvironment } from '#shared/adapters/secrets/credential-check.js';
import { SqsWorkQueue } from '#shared/adapters/sqs/work-queue.js';
import { DynamoDbModelStore } from '#shared/adapters/dynamodb/model-store.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { DynamoDbTenantSettingsStore } from '#shared/adapters/dynamodb/tenant-settings-store.js';
import { DynamoDbTenantUsageStore } from '#shared/adapters/dynamodb/tenant-usage-records.js';
import { documentClient } from '#shared/adapters/aws-clients.js';
import { tableDefinitions } from '#shared/contracts/resources.js';

const evaluations = new DynamoDbEvaluationStore();
// A rescore is a create under the same quotas and judge rules; only its answers come from the source.
const deps = {
  evaluations,
  benchmarks: new DynamoDbBenchmarkStore(),
  models: new DynamoDbModelStore(),
  credentials: credentialCheckFromEnvironment(),
  queue: new SqsWorkQueue(),
  defaultJudgeModelId: serviceConfig.defaultJudgeModel,
  quotas: {
    settings: new DynamoDbTenantSettingsStore(),
    usage: new DynamoDbTenantUsageStore({ client: documentClient, tableName: tableName(tableDefinitions.evaluations.envVar) }),
    evaluations,
  },
};

export const handler = httpRoute(
  { scope: 'evaluations:write', body: RescoreRequestSchema, maxBodyBytes: 64 * 1024 },
  async ({ event, caller, body, path }) => {
    const idempotencyKey = parseOrThrow(v.object({ 'idempotency-key': v.optional(IdempotencyKeySchema) }), {
      'idempotency-key': event.headers?.['idempotency-key'],
    })['idempotency-key'];
    const { response, created } = await rescoreEvaluation(deps, caller.tenantId, path.evaluation_id ?? '', body, idempotencyKey);
    return {
      statusCode: 202,
      body: response,
      headers: {
        location: `/api/v3/evaluations/${response.evaluation_id}/status`,
        ...(created ? {} : { 'idempotent-replayed': 'true' }),
      },
    };
  },
);
