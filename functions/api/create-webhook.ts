import { httpRoute } from '#shared/adapters/http-api/route.js';
import { createWebhook } from '#shared/domain/webhooks/webhook-service.js';
import { CreateWebhookRequestSchema } from '#shared/contracts/webhooks/schemas.js';
import { DynamoDbWebhookStore } from '#shared/adapters/dynamodb/webhook-store.js';

const webhooks = new DynamoDbWebhookStore();

export const handler = httpRoute({ scope: 'webhooks:write', body: CreateWebhookRequestSchema, maxBodyBytes: 16 * 1024 }, async ({ caller, body }) => {
  const webhook = await createWebhook(webhooks, caller.tenantId, body);
  return { statusCode: 201, body: webhook, headers: { location: `/api/v3/webhooks/${webhook.webhook_id}` } };
});
