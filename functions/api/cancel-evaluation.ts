import { cancelEvaluation } from '#shared/domain/evaluations/evaluation-queries.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';

const evaluations = new DynamoDbEvaluationStore();

/** 202: chunks stop calling models; the evaluation ends `cancelled` once in-flight chunks have stopped. */
export const handler = httpRoute({ scope: 'evaluations:write' }, async ({ caller, path }) => {
  const status = await cancelEvaluation(evaluations, caller.tenantId, path.evaluation_id ?? '');
  return { statusCode: 202, body: status, headers: { location: `/api/v3/evaluations/${status.evaluation_id}/status` } };
});
