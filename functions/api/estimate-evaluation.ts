import { estimateEvaluation } from '#shared/domain/evaluations/estimate-evaluation.js';
import { CreateEvaluationRequestSchema } from '#shared/contracts/evaluations/schemas.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { serviceConfig } from '#shared/platform/config.js';
import { credentialCheckFromEnvironment } from '#shared/adapters/secrets/credential-check.js';
import { DynamoDbModelStore } from '#shared/adapters/dynamodb/model-store.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';

const deps = {
  evaluations: new DynamoDbEvaluationStore(),
  benchmarks: new DynamoDbBenchmarkStore(),
  models: new DynamoDbModelStore(),
  credentials: credentialCheckFromEnvironment(),
  // The same judge resolution as create: an estimate of a judged metric without a judge answers create's 422.
  defaultJudgeModelId: serviceConfig.defaultJudgeModel,
};

// The create body and create's scope: an estimate is the first half of a create, and shows what a key may start.
export const handler = httpRoute(
  { scope: 'evaluations:write', body: CreateEvaluationRequestSchema, maxBodyBytes: 64 * 1024 },
  async ({ caller, body }) => ({ statusCode: 200, body: await estimateEvaluation(deps, caller.tenantId, body) }),
);
