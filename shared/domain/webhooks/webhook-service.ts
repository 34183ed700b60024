import { ConflictError, NotFoundError, UnprocessableEntityError } from '../errors.js';
import { logger } from '../../platform/logger.js';
import { newId } from '../../platform/ids.js';
import { isoNow } from '../../platform/time.js';
import type { Page } from '../../contracts/pagination.js';
import {
  MAX_WEBHOOKS_PER_TENANT,
  webhookEvents,
  type CreatedWebhook,
  type CreateWebhookRequest,
  type Webhook,
  type WebhookDelivery,
} from '../../contracts/webhooks/schemas.js';
import { egressPolicyFromEnvironment, type EgressPolicy } from '../models/egress-policy.js';
import type { StoredWebhook, WebhookStore } from '../ports/webhook-store.js';
import { newSigningSecret } from './signature.js';

const view = ({ secret: _secret, ...webhook }: StoredWebhook): Webhook => webhook;

/**
 * 422 `webhook_url_not_allowed` for a URL the deployment may never call: plain http outside the local
 * stack, or a host the egress policy refuses from the URL alone. The guard checks again at each delivery,
 * on the address actually connected, because what a name resolves to can change after registration.
 */
export function assertWebhookUrlAllowed(url: string, policy: EgressPolicy): void {
  const refuse = (reason: string): never => {
    throw new UnprocessableEntityError('webhook_url_not_allowed', `This deployment may not deliver to ${url}: ${reason}`, [
      { path: 'url', message: reason },
    ]);
  };
  const parsed = URL.canParse(url) ? new URL(url) : refuse('not a URL');
  if (parsed.username || parsed.password) refuse('must not carry credentials; verify deliveries with the signing secret instead');
  if (parsed.protocol !== 'https:' && !(policy.mode === 'local' && parsed.protocol === 'http:')) refuse('must be https');
  const verdict = policy.allowsUrl(url);
  if (!verdict.allowed) refuse(verdict.reason);
}

export async function createWebhook(
  store: Pick<WebhookStore, 'create' | 'all'>,
  tenantId: string,
  request: CreateWebhookRequest,
  policy: EgressPolicy = egressPolicyFromEnvironment(),
): Promise<CreatedWebhook> {
  assertWebhookUrlAllowed(request.url, policy);
  // Every final state fans out to every endpoint: the cap bounds what one tenant's run costs the sweep.
  if ((await store.all(tenantId)).length >= MAX_WEBHOOKS_PER_TENANT) {
    throw new ConflictError(`A tenant may register at most ${MAX_WEBHOOKS_PER_TENANT} webhooks; delete one first`, 'webhook_limit_reached');
  }
  const webhook: StoredWebhook = {
    webhook_id: newId('hook'),
    url: request.url,
    ...(request.description === undefined ? {} : { description: request.description }),
    events: request.events ? [...new Set(request.events)] : [...webhookEvents],
    created_at: isoNow(),
    secret: newSigningSecret(),
  };
  await store.create(tenantId, webhook);
  logger.info('webhook registered', { webhook_id: webhook.webhook_id, events: webhook.events });
  return { ...view(webhook), secret: webhook.secret };
}

export async function getWebhook(store: Pick<WebhookStore, 'get'>, tenantId: string, webhookId: string): Promise<Webhook> {
  const webhook = await store.get(tenantId, webhookId);
  if (!webhook) throw new NotFoundError('webhook', webhookId, 'webhook_id');
  return view(webhook);
}

export async function listWebhooks(
  store: Pick<WebhookStore, 'list'>,
  tenantId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<Webhook>> {
  const listed = await store.list(tenantId, page);
  return { items: listed.items.map(view), next_cursor: listed.next_cursor };
}

/** Deliveries already queued stop at their next attempt: the sweep finds the endpoint gone. */
export async function deleteWebhook(store: Pick<WebhookStore, 'delete'>, tenantId: string, webhookId: string): Promise<void> {
  if (!(await store.delete(tenantId, webhookId))) throw new NotFoundError('webhook', webhookId, 'webhook_id');
  logger.info('webhook deleted', { webhook_id: webhookId });
}

export async function listDeliveries(
  store: Pick<WebhookStore, 'get' | 'deliveries'>,
  tenantId: string,
  webhookId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<WebhookDelivery>> {
  // The endpoint's own read decides the 404, so another tenant's id answers exactly as an unknown one.
  if (!(await store.get(tenantId, webhookId))) throw new NotFoundError('webhook', webhookId, 'webhook_id');
  return store.deliveries(tenantId, webhookId, page);
}
