import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { tableName } from '../../platform/config.js';
import { tableDefinitions } from '../../contracts/resources.js';
import type { HeldSlot, LimiterSnapshot, LimiterStore, ProviderLimits } from '../../domain/ports/provider-limits.js';
import { deleteIf, putIf, updateIf } from './conditional-writes.js';
import { anyOf, type Condition } from './conditions.js';
import { providerLimitKeys } from './keys.js';
import { queryAll } from './queries.js';
import type { Table } from './table.js';

/**
 * The deployment-wide provider limiters (docs/reliability.md, "Provider limits"), as rows of the
 * evaluations table under `TENANT#<tenant>#LIMIT#<configuration digest>`:
 * - `SLOT#nnn`: one row per held concurrency slot, with its holder's token and lease end. Taking a slot is
 *   a conditional put on a slot that is absent or whose lease ran out; giving it up is a delete
 *   conditional on the token, so a holder whose lease was taken over cannot free its successor's slot.
 * - `STATE`: the adaptive limit and the shared Retry-After block, written only when they change.
 * - `RPM#<window start>`: requests counted in one minute, refused at the model's limit.
 * Every row carries `expires_at`, so the table's TTL clears the limiters of configurations nobody uses.
 */

/** How long rows outlive their last write: far beyond any lease or window, short enough not to pile up. */
const LEFTOVER_TTL_SECONDS = 24 * 3600;

const expiresAt = (now: number) => Math.floor(now / 1000) + LEFTOVER_TTL_SECONDS;

/** The slot is free: nobody holds it, or its holder's lease ran out (the holder crashed or stalled). */
const slotFree = (now: number): Condition =>
  anyOf({ expression: 'attribute_not_exists(pk)' }, { expression: 'lease_until < :now', values: { ':now': now } });

/** The caller still holds the slot; a lease taken over by another holder is not the caller's to touch. */
const heldBy = (token: string): Condition => ({ expression: 'lease_token = :token', values: { ':token': token } });

class DynamoDbLimiterStore implements LimiterStore {
  private readonly table: Table;
  private readonly tenantId: string;
  private readonly key: string;

  constructor(table: Table, tenantId: string, key: string) {
    this.table = table;
    this.tenantId = tenantId;
    this.key = key;
  }

  async read(): Promise<LimiterSnapshot> {
    const rows = await queryAll(this.table.client, {
      TableName: this.table.tableName,
      KeyConditionExpression: 'pk = :pk AND sk >= :from',
      ExpressionAttributeValues: { ':pk': providerLimitKeys.partition(this.tenantId, this.key), ':from': providerLimitKeys.slotPrefix },
      // A slot freed a moment ago must read as free, or every waiter would back off for nothing.
      ConsistentRead: true,
    });
    const held: HeldSlot[] = [];
    let state: Record<string, unknown> | undefined;
    for (const row of rows) {
      if (String(row.sk).startsWith(providerLimitKeys.slotPrefix)) held.push({ slot: Number(row.slot), leaseUntil: Number(row.lease_until) });
      else state = row;
    }
    const limit = state?.adaptive_limit;
    const blockedUntil = state?.blocked_until;
    return {
      ...(typeof limit === 'number' ? { limit } : {}),
      ...(typeof blockedUntil === 'number' ? { blockedUntil } : {}),
      held,
    };
  }

  take(slot: number, token: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    return putIf(
      this.table.client,
      {
        TableName: this.table.tableName,
        Item: {
          ...providerLimitKeys.slot(this.tenantId, this.key, slot),
          slot,
          lease_token: token,
          lease_until: now + leaseMs,
          expires_at: expiresAt(now),
        },
      },
      slotFree(now),
    );
  }

  async renew(slot: number, token: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const renewed = await updateIf(
      this.table.client,
      {
        TableName: this.table.tableName,
        Key: providerLimitKeys.slot(this.tenantId, this.key, slot),
        UpdateExpression: 'SET lease_until = :until, expires_at = :expires',
        ExpressionAttributeValues: { ':until': now + leaseMs, ':expires': expiresAt(now) },
      },
      heldBy(token),
    );
    return renewed !== undefined;
  }

  async transfer(slot: number, fromToken: string, toToken: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const moved = await updateIf(
      this.table.client,
      {
        TableName: this.table.tableName,
        Key: providerLimitKeys.slot(this.tenantId, this.key, slot),
        UpdateExpression: 'SET lease_token = :to, lease_until = :until, expires_at = :expires',
        ExpressionAttributeValues: { ':to': toToken, ':until': now + leaseMs, ':expires': expiresAt(now) },
      },
      heldBy(fromToken),
    );
    return moved !== undefined;
  }

  async release(slot: number, token: string): Promise<void> {
    await deleteIf(this.table.client, { TableName: this.table.tableName, Key: providerLimitKeys.slot(this.tenantId, this.key, slot) }, heldBy(token));
  }

  async lower(seen: number | undefined, next: number): Promise<boolean> {
    // Conditional on the limit the caller saw: the 429s of calls admitted under one limit all report
    // against it, and only the first halves it.
    const unchanged: Condition =
      seen === undefined
        ? { expression: 'attribute_not_exists(adaptive_limit)' }
        : { expression: 'adaptive_limit = :seen', values: { ':seen': seen } };
    const lowered = await updateIf(
      this.table.client,
      {
        TableName: this.table.tableName,
        Key: providerLimitKeys.state(this.tenantId, this.key),
        UpdateExpression: 'SET adaptive_limit = :next, expires_at = :expires',
        ExpressionAttributeValues: { ':next': next, ':expires': expiresAt(Date.now()) },
      },
      unchanged,
    );
    return lowered !== undefined;
  }

  async raise(max: number): Promise<void> {
    // Absent means "never lowered", which reads as max: nothing to raise, and no row is created for it.
    await updateIf(
      this.table.client,
      {
        TableName: this.table.tableName,
        Key: providerLimitKeys.state(this.tenantId, this.key),
        UpdateExpression: 'SET adaptive_limit = adaptive_limit + :one, expires_at = :expires',
        ExpressionAttributeValues: { ':one': 1, ':expires': expiresAt(Date.now()) },
      },
      { expression: 'adaptive_limit < :max', values: { ':max': max } },
    );
  }

  async blockUntil(until: number): Promise<void> {
    await updateIf(
      this.table.client,
      {
        TableName: this.table.tableName,
        Key: providerLimitKeys.state(this.tenantId, this.key),
        UpdateExpression: 'SET blocked_until = :until, expires_at = :expires',
        ExpressionAttributeValues: { ':until': until, ':expires': expiresAt(Date.now()) },
      },
      anyOf({ expression: 'attribute_not_exists(blocked_until)' }, { expression: 'blocked_until < :until' }),
    );
  }

  async countRequest(windowStart: number, limit: number): Promise<boolean> {
    const counted = await updateIf(
      this.table.client,
      {
        TableName: this.table.tableName,
        Key: providerLimitKeys.window(this.tenantId, this.key, windowStart),
        UpdateExpression: 'SET expires_at = :expires ADD calls :one',
        ExpressionAttributeValues: { ':one': 1, ':expires': expiresAt(windowStart) },
      },
      anyOf({ expression: 'attribute_not_exists(calls)' }, { expression: 'calls < :limit', values: { ':limit': limit } }),
    );
    return counted !== undefined;
  }
}

export class DynamoDbProviderLimits implements ProviderLimits {
  private readonly table: Table;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string } = {}) {
    this.table = { client: options.client ?? documentClient, tableName: options.tableName ?? tableName(tableDefinitions.evaluations.envVar) };
  }

  forLimiter(tenantId: string, key: string): LimiterStore {
    return new DynamoDbLimiterStore(this.table, tenantId, key);
  }
}
