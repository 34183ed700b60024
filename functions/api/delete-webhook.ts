import { httpRoute } from '#shared/adapters/http-api/route.js';
import { deleteWebhook } from '#shared/domain/webhooks/webhook-service.js';
import { DynamoDbWebhookStore } from '#shared/adapters/dynamodb/webhook-store.js';

const webhooks = new DynamoDbWebhookStore();

export const handler = httpRoute({ scope: 'webhooks:write' }, async ({ caller, path }) => {
  await deleteWebhook(webhooks, caller.tenantId, path.webhook_id ?? '');
  return { statusCode: 204 };
});
