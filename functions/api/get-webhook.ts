import { httpRoute } from '#shared/adapters/http-api/route.js';
import { getWebhook } from '#shared/domain/webhooks/webhook-service.js';
import { DynamoDbWebhookStore } from '#shared/adapters/dynamodb/webhook-store.js';

const webhooks = new DynamoDbWebhookStore();

export const handler = httpRoute({ scope: 'webhooks:read' }, async ({ caller, path }) => ({
  statusCode: 200,
  body: await getWebhook(webhooks, caller.tenantId, path.webhook_id ?? ''),
}));
