import { getEvaluationStatus } from '#shared/domain/evaluations/evaluation-status.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';

const evaluations = new DynamoDbEvaluationStore();

export const handler = httpRoute({ scope: 'evaluations:read' }, async ({ caller, path }) => ({
  statusCode: 200,
  body: await getEvaluationStatus(evaluations, caller.tenantId, path.evaluation_id ?? ''),
}));
