import { httpRoute } from '#shared/adapters/http-api/route.js';
import { getModel } from '#shared/domain/models/model-service.js';
import { DynamoDbModelStore } from '#shared/adapters/dynamodb/model-store.js';

const models = new DynamoDbModelStore();

export const handler = httpRoute({ scope: 'models:read' }, async ({ caller, path }) => ({
  statusCode: 200,
  body: await getModel(models, caller.tenantId, path.model_id ?? ''),
}));
