import { httpRoute } from '#shared/http/route.js';
import { listModels } from '#shared/models/model-service.js';
import { ListModelsQuerySchema } from '#shared/models/schemas.js';
import { DynamoDbModelStore } from '#shared/store/dynamodb/model-store.js';

const models = new DynamoDbModelStore();

export const handler = httpRoute({ scope: 'models:read', query: ListModelsQuerySchema }, async ({ caller, query }) => ({
  statusCode: 200,
  body: await listModels(models, caller.tenantId, query),
}));
