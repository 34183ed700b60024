import { ValidationError } from '#shared/domain/errors.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { listModels } from '#shared/domain/models/model-service.js';
import { ListModelsQuerySchema } from '#shared/contracts/models/schemas.js';
import { DynamoDbModelStore } from '#shared/adapters/dynamodb/model-store.js';

const models = new DynamoDbModelStore();

export const handler = httpRoute({ scope: 'models:read', query: ListModelsQuerySchema }, async ({ caller, query }) => {
  // The catalogue is one page and never issues a cursor, so any cursor here is one this list did not issue.
  if (query.source === 'builtin' && query.cursor !== undefined) {
    throw new ValidationError([{ path: 'cursor', message: 'is not a cursor this API issued for this list' }], 'The query string is not valid');
  }
  return { statusCode: 200, body: await listModels(models, caller.tenantId, query) };
});
