import { httpRoute } from '#shared/adapters/http-api/route.js';
import { credentialCheckFromEnvironment } from '#shared/adapters/secrets/credential-check.js';
import { registerModel } from '#shared/domain/models/model-service.js';
import { RegisterModelRequestSchema } from '#shared/contracts/models/schemas.js';
import { DynamoDbModelStore } from '#shared/adapters/dynamodb/model-store.js';

const models = new DynamoDbModelStore();
const credentials = credentialCheckFromEnvironment();

export const handler = httpRoute({ scope: 'models:write', body: RegisterModelRequestSchema, maxBodyBytes: 64 * 1024 }, async ({ caller, body }) => {
  const model = await registerModel(models, credentials, caller.tenantId, body);
  return { statusCode: 201, body: model, headers: { location: `/api/v3/models/${encodeURIComponent(model.model_id)}` } };
});
