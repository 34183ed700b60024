import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { tableName } from '../../platform/config.js';
import type { Page } from '../../contracts/pagination.js';
import { tableDefinitions } from '../../contracts/resources.js';
import type { DeliveryAttempt, WebhookDelivery } from '../../contracts/webhooks/schemas.js';
import type { DueDelivery, OutboxEntry, StoredWebhook, WebhookStore } from '../../domain/ports/webhook-store.js';
import { deleteIf, putIf, updateIf } from './conditional-writes.js';
import { itemAbsent, itemExists, type Condition } from './conditions.js';
import { webhookKeys } from './keys.js';
import { listNewestFirst, withoutAttributes } from './queries.js';

const storageAttributes = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi3pk', 'gsi3sk', 'tenant_id', 'expires_at', 'body']);
const toWebhook = (item: Record<string, unknown>) => withoutAttributes<StoredWebhook>(item, storageAttributes);
const toDelivery = (item: Record<string, unknown>) => withoutAttributes<WebhookDelivery>(item, storageAttributes);
const toDue = (item: Record<string, unknown>): DueDelivery => ({
  ...toDelivery(item),
  tenant_id: String(item.tenant_id),
  body: String(item.body),
});

/** A delivery log row outlives its last attempt by this long, then DynamoDB's TTL removes it. */
const DELIVERY_RETENTION_SECONDS = 30 * 24 * 3600;

/** Still due at the time this sweep read: of two sweeps that read it, only one claims or records. */
const stillDueAt = (dueAt: string): Condition => ({ expression: 'next_attempt_at = :due', values: { ':due': dueAt } });

export class DynamoDbWebhookStore implements WebhookStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string } = {}) {
    this.client = options.client ?? documentClient;
    this.tableName = options.tableName ?? tableName(tableDefinitions.evaluations.envVar);
  }

  async create(tenantId: string, webhook: StoredWebhook): Promise<void> {
    await putIf(
      this.client,
      {
        TableName: this.tableName,
        Item: {
          ...webhookKeys.record(tenantId, webhook.webhook_id),
          gsi1pk: webhookKeys.listing(tenantId),
          gsi1sk: webhook.webhook_id,
          tenant_id: tenantId,
          ...webhook,
        },
      },
      itemAbsent,
    );
  }

  async get(tenantId: string, webhookId: string): Promise<StoredWebhook | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: webhookKeys.record(tenantId, webhookId) }));
    return Item ? toWebhook(Item) : undefined;
  }

  async list(tenantId: string, page: { limit: number; cursor?: string }): Promise<Page<StoredWebhook>> {
    const result = await listNewestFirst(this.client, this.tableName, webhookKeys.listing(tenantId), page);
    return { items: result.items.map(toWebhook), next_cursor: result.next_cursor };
  }

  async all(tenantId: string): Promise<StoredWebhook[]> {
    const out: StoredWebhook[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list(tenantId, { limit: 100, cursor });
      out.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return out;
  }

  async delete(tenantId: string, webhookId: string): Promise<boolean> {
    return deleteIf(this.client, { TableName: this.tableName, Key: webhookKeys.record(tenantId, webhookId) }, itemExists);
  }

  async deliveries(tenantId: string, webhookId: string, page: { limit: number; cursor?: string }): Promise<Page<WebhookDelivery>> {
    const result = await listNewestFirst(this.client, this.tableName, webhookKeys.deliveryListing(tenantId, webhookId), page);
    return { items: result.items.map(toDelivery), next_cursor: result.next_cursor };
  }

  async outbox(limit: number): Promise<OutboxEntry[]> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': webhookKeys.outboxPartition },
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => ({
      tenant_id: String(item.tenant_id),
      evaluation_id: String(item.evaluation_id),
      status: item.status as OutboxEntry['status'],
      at: String(item.at),
    }));
  }

  async expandOutbox(entry: OutboxEntry, deliveries: DueDelivery[]): Promise<void> {
    const expires = Math.floor(Date.now() / 1000) + DELIVERY_RETENTION_SECONDS;
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          // Of two sweeps expanding one entry, the second finds it gone and writes nothing.
          {
            Delete: {
              TableName: this.tableName,
              Key: webhookKeys.outbox(entry.tenant_id, entry.evaluation_id),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          ...deliveries.map((delivery) => {
            const { tenant_id, ...rest } = delivery;
            return {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...webhookKeys.delivery(tenant_id, delivery.webhook_id, delivery.delivery_id),
                  gsi1pk: webhookKeys.deliveryListing(tenant_id, delivery.webhook_id),
                  gsi1sk: delivery.delivery_id,
                  ...webhookKeys.due(delivery.next_attempt_at ?? delivery.created_at, delivery.delivery_id),
                  tenant_id,
                  expires_at: expires,
                  ...rest,
                },
              },
            };
          }),
        ],
      }),
    );
  }

  async due(now: string, limit: number): Promise<DueDelivery[]> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi3',
        // `#` sorts after every character of an ISO timestamp's prefix, so `<= now#~` takes all due at `now`.
        KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk <= :now',
        ExpressionAttributeValues: { ':pk': webhookKeys.duePartition, ':now': `${now}#~` },
        Limit: limit,
      }),
    );
    // The index is eventually consistent: the row itself decides (claim is conditional on it).
    return (Items ?? []).map(toDue);
  }

  async claim(delivery: DueDelivery, dueAt: string, leaseUntil: string): Promise<boolean> {
    const applied = await updateIf(
      this.client,
      {
        TableName: this.tableName,
        Key: webhookKeys.delivery(delivery.tenant_id, delivery.webhook_id, delivery.delivery_id),
        UpdateExpression: 'SET next_attempt_at = :lease, gsi3sk = :sk',
        ExpressionAttributeValues: { ':lease': leaseUntil, ':sk': webhookKeys.due(leaseUntil, delivery.delivery_id).gsi3sk },
      },
      stillDueAt(dueAt),
    );
    return applied !== undefined;
  }

  async recordAttempt(
    delivery: DueDelivery,
    dueAt: string,
    attempt: DeliveryAttempt,
    next: { status: 'pending'; next_attempt_at: string } | { status: 'delivered' | 'failed' },
  ): Promise<boolean> {
    const pending = next.status === 'pending';
    const applied = await updateIf(
      this.client,
      {
        TableName: this.tableName,
        Key: webhookKeys.delivery(delivery.tenant_id, delivery.webhook_id, delivery.delivery_id),
        UpdateExpression: pending
          ? 'SET attempts = list_append(attempts, :attempt), #status = :status, next_attempt_at = :next, gsi3sk = :sk'
          : 'SET attempts = list_append(attempts, :attempt), #status = :status REMOVE next_attempt_at, gsi3pk, gsi3sk',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':attempt': [attempt],
          ':status': next.status,
          ...(pending ? { ':next': next.next_attempt_at, ':sk': webhookKeys.due(next.next_attempt_at, delivery.delivery_id).gsi3sk } : {}),
        },
      },
      stillDueAt(dueAt),
    );
    return applied !== undefined;
  }
}

/**
 * The outbox row of an evaluation's first final state, for the transaction that writes that state: the
 * announcement commits with the state or not at all. A row expires after two days if no sweep ran.
 */
export function webhookOutboxWrite(
  tableName: string,
  tenantId: string,
  evaluationId: string,
  final: { status: string; firstFinal: boolean; at: string },
): { Put: { TableName: string; Item: Record<string, unknown> } }[] {
  if (!final.firstFinal || (final.status !== 'completed' && final.status !== 'failed' && final.status !== 'cancelled')) return [];
  return [
    {
      Put: {
        TableName: tableName,
        Item: {
          ...webhookKeys.outbox(tenantId, evaluationId),
          ...webhookKeys.outboxIndex(final.at, evaluationId),
          tenant_id: tenantId,
          evaluation_id: evaluationId,
          status: final.status,
          at: final.at,
          expires_at: Math.floor(Date.parse(final.at) / 1000) + 2 * 24 * 3600,
        },
      },
    },
  ];
}
