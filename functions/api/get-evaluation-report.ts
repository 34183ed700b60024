import { httpRoute } from '#shared/adapters/http-api/route.js';
import { loadReportData } from '#shared/domain/report/load-report.js';
import { renderReport, reportContentSecurityPolicy } from '#shared/domain/report/render-report.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';

const stores = { evaluations: new DynamoDbEvaluationStore(), benchmarks: new DynamoDbBenchmarkStore() };

/** A self-contained HTML page: charts as inline SVG, no scripts, nothing fetched. */
export const handler = httpRoute({ scope: 'evaluations:read' }, async ({ caller, path }) => ({
  statusCode: 200,
  text: { content: renderReport(await loadReportData(stores, caller.tenantId, path.evaluation_id ?? '')), contentType: 'text/html; charset=utf-8' },
  headers: {
    'content-security-policy': reportContentSecurityPolicy,
    'x-content-type-options': 'nosniff',
    // The page reflects the evaluation as it is now; a running one changes from one load to the next.
    'cache-control': 'no-store',
  },
}));
