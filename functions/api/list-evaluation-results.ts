import { NEXT_CURSOR_HEADER } from '#shared/contracts/evaluations/export-format.js';
import { ListResultsQuerySchema } from '#shared/contracts/evaluations/query-schemas.js';
import { listResults } from '#shared/domain/evaluations/evaluation-queries.js';
import { DEFAULT_EXPORT_MAX_BYTES, exportResults } from '#shared/domain/evaluations/results-export.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { serviceConfig } from '#shared/platform/config.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';

const evaluations = new DynamoDbEvaluationStore();

// Only tests lower it, to make an export continue over several responses with a few items.
const exportMaxBytes = serviceConfig.exportMaxBytes ?? DEFAULT_EXPORT_MAX_BYTES;

/**
 * One row per item with every model's answer side by side; `?failed=true` and `?model_id=` filter.
 * `?format=csv|jsonl` exports every result instead of a page (`limit` does not apply), continued by the
 * `x-arbiter-next-cursor` header when the response would pass Lambda's size limit; CSV cells that would
 * run as spreadsheet formulas are escaped unless `?escape_formulas=false`.
 */
export const handler = httpRoute({ scope: 'evaluations:read', query: ListResultsQuerySchema }, async ({ caller, path, query }) => {
  const evaluationId = path.evaluation_id ?? '';
  if (query.format === 'json') return { statusCode: 200, body: await listResults(evaluations, caller.tenantId, evaluationId, query) };

  const exported = await exportResults(
    evaluations,
    caller.tenantId,
    evaluationId,
    {
      format: query.format,
      failedOnly: query.failed,
      escapeFormulas: query.escape_formulas,
      ...(query.model_id ? { modelId: query.model_id } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    },
    { maxBytes: exportMaxBytes },
  );
  return {
    statusCode: 200,
    text: { content: exported.content, contentType: exported.contentType },
    headers: {
      'content-disposition': `attachment; filename="${evaluationId}-results.${query.format}"`,
      ...(exported.nextCursor ? { [NEXT_CURSOR_HEADER]: exported.nextCursor } : {}),
    },
  };
});
