import { ListEvaluationsQuerySchema } from '#shared/contracts/evaluations/query-schemas.js';
import { listEvaluations } from '#shared/domain/evaluations/evaluation-queries.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';

const evaluations = new DynamoDbEvaluationStore();

/** Newest first; filter by `status`, `benchmark_id`, `model_id`, `tag`. */
export const handler = httpRoute({ scope: 'evaluations:read', query: ListEvaluationsQuerySchema }, async ({ caller, query }) => ({
  statusCode: 200,
  body: await listEvaluations(evaluations, caller.tenantId, query),
}));
