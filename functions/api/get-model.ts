import { httpRoute } from '#shared/http/route.js';
import { getModel } from '#shared/models/model-service.js';
import { DynamoDbModelStore } from '#shared/store/dynamodb/model-store.js';

const models = new DynamoDbModelStore();

export const handler = httpRoute({ scope: 'models:read' }, async ({ caller, path }) => ({
  statusCode: 200,
  body: await getModel(models, caller.tenantId, path.model_id ?? ''),
}));
