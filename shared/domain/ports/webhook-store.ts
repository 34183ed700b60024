import type { Page } from '../../contracts/pagination.js';
import type { DeliveryAttempt, Webhook, WebhookDelivery, WebhookEventType } from '../../contracts/webhooks/schemas.js';

/** An endpoint as stored: the view plus the secret it signs with, which no read route shows. */
export interface StoredWebhook extends Webhook {
  secret: string;
}

/** An evaluation's final state, waiting to be announced to the tenant's endpoints. */
export interface OutboxEntry {
  tenant_id: string;
  evaluation_id: string;
  status: 'completed' | 'failed' | 'cancelled';
  at: string;
}

/** A pending delivery as the sweep sees it, with the body that every attempt sends unchanged. */
export interface DueDelivery extends WebhookDelivery {
  tenant_id: string;
  body: string;
}

export interface WebhookStore {
  create(tenantId: string, webhook: StoredWebhook): Promise<void>;
  get(tenantId: string, webhookId: string): Promise<StoredWebhook | undefined>;
  list(tenantId: string, page: { limit: number; cursor?: string }): Promise<Page<StoredWebhook>>;
  /** Every endpoint of the tenant (at most MAX_WEBHOOKS_PER_TENANT). */
  all(tenantId: string): Promise<StoredWebhook[]>;
  /** False when there was no such endpoint. */
  delete(tenantId: string, webhookId: string): Promise<boolean>;
  deliveries(tenantId: string, webhookId: string, page: { limit: number; cursor?: string }): Promise<Page<WebhookDelivery>>;

  /** Outbox entries, oldest first. */
  outbox(limit: number): Promise<OutboxEntry[]>;
  /** Writes the deliveries and removes the entry in one transaction, so a crash cannot announce twice or never. */
  expandOutbox(entry: OutboxEntry, deliveries: DueDelivery[]): Promise<void>;
  /** Pending deliveries due at or before `now`, oldest first. */
  due(now: string, limit: number): Promise<DueDelivery[]>;
  /**
   * Records an attempt, conditional on the delivery still being due at `dueAt`: of two sweeps that
   * picked the same delivery, one records. False when another sweep got there first.
   */
  recordAttempt(
    delivery: DueDelivery,
    dueAt: string,
    attempt: DeliveryAttempt,
    next: { status: 'pending'; next_attempt_at: string } | { status: 'delivered' | 'failed' },
  ): Promise<boolean>;
  /** Claims a due delivery for one attempt by pushing its due time past the attempt's deadline; false when taken. */
  claim(delivery: DueDelivery, dueAt: string, leaseUntil: string): Promise<boolean>;
}

export type { WebhookEventType };
