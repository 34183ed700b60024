import * as v from 'valibot';
import { httpRoute } from '#shared/http/route.js';
import { listModels } from '#shared/models/model-service.js';
import { PageQuerySchema } from '#shared/pagination.js';
import { DynamoDbModelStore } from '#shared/store/dynamodb/model-store.js';

const models = new DynamoDbModelStore();

const ListModelsQuerySchema = v.object({
  ...PageQuerySchema.entries,
  source: v.optional(v.picklist(['all', 'registered', 'builtin'], 'must be one of: all, registered, builtin'), 'all'),
});

export const handler = httpRoute({ scope: 'models:read', query: ListModelsQuerySchema }, async ({ caller, query }) => ({
  statusCode: 200,
  body: await listModels(models, caller.tenantId, query),
}));
