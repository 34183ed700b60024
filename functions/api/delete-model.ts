import { httpRoute } from '#shared/adapters/http-api/route.js';
import { deleteModel } from '#shared/domain/models/model-service.js';
import { DynamoDbModelStore } from '#shared/adapters/dynamodb/model-store.js';

const models = new DynamoDbModelStore();

/** Evaluations keep the snapshot of the model they ran with, so deleting one never changes past results. */
export const handler = httpRoute({ scope: 'models:write' }, async ({ caller, path }) => {
  await deleteModel(models, caller.tenantId, path.model_id ?? '');
  return { statusCode: 204 };
});
