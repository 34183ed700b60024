import { CreateComparisonRequestSchema } from '#shared/contracts/comparisons/schemas.js';
import { createComparison } from '#shared/domain/comparisons/compare-evaluations.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { DynamoDbComparisonStore } from '#shared/adapters/dynamodb/comparison-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';

const deps = { evaluations: new DynamoDbEvaluationStore(), comparisons: new DynamoDbComparisonStore() };

/** Compares two finished evaluations of the caller's and stores the comparison (201 with its body). */
export const handler = httpRoute(
  { scope: 'evaluations:write', body: CreateComparisonRequestSchema, maxBodyBytes: 512 * 1024 },
  async ({ caller, body }) => {
    const comparison = await createComparison(deps, caller.tenantId, body);
    return { statusCode: 201, body: comparison, headers: { location: `/api/v3/comparisons/${comparison.comparison_id}` } };
  },
);
