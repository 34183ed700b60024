import { httpRoute } from '#shared/adapters/http-api/route.js';
import { listDeliveries } from '#shared/domain/webhooks/webhook-service.js';
import { PageQuerySchema } from '#shared/contracts/pagination.js';
import { DynamoDbWebhookStore } from '#shared/adapters/dynamodb/webhook-store.js';

const webhooks = new DynamoDbWebhookStore();

export const handler = httpRoute({ scope: 'webhooks:read', query: PageQuerySchema }, async ({ caller, path, query }) => ({
  statusCode: 200,
  body: await listDeliveries(webhooks, caller.tenantId, path.webhook_id ?? '', query),
}));
