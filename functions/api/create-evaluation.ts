import { createEvaluation } from '#shared/domain/evaluations/create-evaluation.js';
import { CreateEvaluationRequestSchema } from '#shared/contracts/evaluations/schemas.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { createEvaluationDeps, idempotencyKeyOf } from '#shared/adapters/create-evaluation-deps.js';

const deps = createEvaluationDeps();

export const handler = httpRoute(
  { scope: 'evaluations:write', body: CreateEvaluationRequestSchema, maxBodyBytes: 64 * 1024 },
  async ({ event, caller, body }) => {
    const idempotencyKey = idempotencyKeyOf(event);
    const { response, created } = await createEvaluation(deps, caller.tenantId, body, idempotencyKey);
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
