import { getEvaluation } from '#shared/domain/evaluations/evaluation-queries.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';

const evaluations = new DynamoDbEvaluationStore();

/** The record, the pinned benchmark version, the models as resolved, and the results once final. */
export const handler = httpRoute({ scope: 'evaluations:read' }, async ({ caller, path }) => ({
  statusCode: 200,
  body: await getEvaluation(evaluations, caller.tenantId, path.evaluation_id ?? ''),
}));
