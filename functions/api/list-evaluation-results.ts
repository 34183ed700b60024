import { listResults, ListResultsQuerySchema } from '#shared/evaluations/evaluation-queries.js';
import { httpRoute } from '#shared/http/route.js';
import { DynamoDbEvaluationStore } from '#shared/store/dynamodb/evaluation-store.js';

const evaluations = new DynamoDbEvaluationStore();

/** One row per item with every model's answer side by side; `?failed=true` and `?model_id=` filter. */
export const handler = httpRoute({ scope: 'evaluations:read', query: ListResultsQuerySchema }, async ({ caller, path, query }) => ({
  statusCode: 200,
  body: await listResults(evaluations, caller.tenantId, path.evaluation_id ?? '', query),
}));
