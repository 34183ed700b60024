import { rescoreEvaluation } from '#shared/domain/evaluations/rescore-evaluation.js';
import { RescoreRequestSchema } from '#shared/contracts/evaluations/schemas.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { createEvaluationDeps, idempotencyKeyOf } from '#shared/adapters/create-evaluation-deps.js';

// A rescore is a create under the same quotas and judge rules; only its answers come from the source.
const deps = createEvaluationDeps();

export const handler = httpRoute(
  { scope: 'evaluations:write', body: RescoreRequestSchema, maxBodyBytes: 64 * 1024 },
  async ({ event, caller, body, path }) => {
    const idempotencyKey = idempotencyKeyOf(event);
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
