import { getComparison } from '#shared/domain/comparisons/compare-evaluations.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { DynamoDbComparisonStore } from '#shared/adapters/dynamodb/comparison-store.js';

const comparisons = new DynamoDbComparisonStore();

export const handler = httpRoute({ scope: 'evaluations:read' }, async ({ caller, path }) => ({
  statusCode: 200,
  body: await getComparison(comparisons, caller.tenantId, path.comparison_id ?? ''),
}));
