import { ListComparedItemsQuerySchema } from '#shared/contracts/comparisons/schemas.js';
import { listComparedItems } from '#shared/domain/comparisons/compare-evaluations.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { DynamoDbComparisonStore } from '#shared/adapters/dynamodb/comparison-store.js';

const comparisons = new DynamoDbComparisonStore();

export const handler = httpRoute({ scope: 'evaluations:read', query: ListComparedItemsQuerySchema }, async ({ caller, path, query }) => ({
  statusCode: 200,
  body: await listComparedItems(comparisons, caller.tenantId, path.comparison_id ?? '', query),
}));
