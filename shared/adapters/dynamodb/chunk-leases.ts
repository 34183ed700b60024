import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ChunkClaim, ChunkLease, ExpiredLease } from '../../domain/ports/evaluation-store.js';
import { isoNow } from '../../platform/time.js';
import { deleteIf, updateIf } from './conditional-writes.js';
import { allOf, anyOf, itemAbsent, withCondition, type Condition } from './conditions.js';
import { evaluationKeys } from './keys.js';
import type { Table } from './table.js';
import { failedCondition, retryConflicts } from './writes.js';

/**
 * Chunk leases: which delivery of a chunk may write its result rows and count it. A row of its own per
 * chunk (`LEASE#…` beside the `CHUNK#…` marker), created by the first claim and deleted by the counting
 * transaction, so a lease exists only for a chunk not yet counted.
 */

/**
 * A lease whose holder crashed on a chunk nobody counts afterwards (its evaluation failed meanwhile) is
 * left behind; the table's TTL removes it after this long, far beyond any invocation.
 */
const LEFTOVER_TTL_SECONDS = 24 * 3600;

/** No delivery holds the chunk, or the one that did let its lease run out (it crashed, say). */
const notLeased = (now: number): Condition =>
  anyOf({ expression: 'attribute_not_exists(lease_token)' }, { expression: 'lease_until < :now', values: { ':now': now } });

/** This claim still holds the lease: a delivery whose lease ran out and was taken over writes nothing. */
const leasedBy = (lease: ChunkLease): Condition => ({ expression: 'lease_token = :lease_token', values: { ':lease_token': lease.token } });

/** A transaction item that holds only while `lease` is held: every result row is written beside one. */
export function leaseHeld(table: Table, tenantId: string, evaluationId: string, lease: ChunkLease) {
  return {
    ConditionCheck: withCondition(
      { TableName: table.tableName, Key: evaluationKeys.chunkLease(tenantId, evaluationId, lease.chunk) },
      leasedBy(lease),
    ),
  };
}

/** The counting transaction's item that ends the lease, holding only while it is held. */
export function leaseEnd(table: Table, tenantId: string, evaluationId: string, lease: ChunkLease) {
  return {
    Delete: withCondition({ TableName: table.tableName, Key: evaluationKeys.chunkLease(tenantId, evaluationId, lease.chunk) }, leasedBy(lease)),
  };
}

/**
 * Takes the chunk's lease unless its marker exists (it is counted) or another claim holds an unexpired
 * lease, in one transaction, so no lease is taken on a counted chunk.
 */
export async function claimChunk(table: Table, tenantId: string, evaluationId: string, lease: ChunkLease, ttlMs: number): Promise<ChunkClaim> {
  const now = Date.now();
  const { chunk } = lease;
  const notCounted = {
    ConditionCheck: withCondition({ TableName: table.tableName, Key: evaluationKeys.chunk(tenantId, evaluationId, chunk) }, itemAbsent),
  };
  const take = {
    Update: withCondition(
      {
        TableName: table.tableName,
        Key: evaluationKeys.chunkLease(tenantId, evaluationId, chunk),
        UpdateExpression: 'SET chunk = :chunk, lease_token = :token, lease_until = :until, claimed_at = :at, expires_at = :expires ADD claims :one',
        ExpressionAttributeValues: {
          ':chunk': chunk,
          ':token': lease.token,
          ':until': now + ttlMs,
          ':at': isoNow(),
          ':expires': Math.floor(now / 1000) + LEFTOVER_TTL_SECONDS,
          ':one': 1,
        },
      },
      notLeased(now),
    ),
  };
  try {
    await retryConflicts(() => table.client.send(new TransactWriteCommand({ TransactItems: [notCounted, take] })));
  } catch (error) {
    if (failedCondition(error, 0)) return 'counted';
    if (!failedCondition(error, 1)) throw error;
    // The SDK may have repeated a claim that was applied but answered with an error: then the lease
    // found is this claim's own.
    return (await leaseTokenOf(table, tenantId, evaluationId, chunk)) === lease.token ? 'leased' : 'busy';
  }
  return 'leased';
}

async function leaseTokenOf(table: Table, tenantId: string, evaluationId: string, chunk: number): Promise<string | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: evaluationKeys.chunkLease(tenantId, evaluationId, chunk), ConsistentRead: true }),
  );
  return Item?.lease_token as string | undefined;
}

/** Extends a held lease by `ttlMs` from now; false when another claim took it over. */
export async function renewChunkLease(table: Table, tenantId: string, evaluationId: string, lease: ChunkLease, ttlMs: number): Promise<boolean> {
  const renewed = await updateIf(
    table.client,
    {
      TableName: table.tableName,
      Key: evaluationKeys.chunkLease(tenantId, evaluationId, lease.chunk),
      UpdateExpression: 'SET lease_until = :until',
      ExpressionAttributeValues: { ':until': Date.now() + ttlMs },
    },
    leasedBy(lease),
  );
  return renewed !== undefined;
}

/** Gives a held lease up; a lease another claim has taken over since is left to that claim. */
export async function releaseChunkLease(table: Table, tenantId: string, evaluationId: string, lease: ChunkLease): Promise<void> {
  await deleteIf(table.client, { TableName: table.tableName, Key: evaluationKeys.chunkLease(tenantId, evaluationId, lease.chunk) }, leasedBy(lease));
}

/**
 * Not yet sent again since it expired: `resent_at` is set when the reconciler re-sends the chunk, and a
 * later claim moves `lease_until` past it, so each expiry is answered once, not at every run.
 */
const notResentSinceExpiry: Condition = anyOf({ expression: 'attribute_not_exists(resent_at)' }, { expression: 'resent_at < lease_until' });

/**
 * The evaluation's leases that ran out before their chunk was counted and were not re-sent since: their
 * holder died (a lease row exists only until its chunk is counted; a delivery that fails deletes its own).
 */
export async function listExpiredLeases(table: Table, tenantId: string, evaluationId: string, now: number): Promise<ExpiredLease[]> {
  const filter = allOf({ expression: 'lease_until < :now', values: { ':now': now } }, notResentSinceExpiry);
  const { Items } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :lease)',
      FilterExpression: filter.expression,
      ExpressionAttributeValues: {
        ':pk': evaluationKeys.partition(tenantId, evaluationId),
        ':lease': evaluationKeys.chunkLeasePrefix,
        ...filter.values,
      },
    }),
  );
  return (Items ?? []).map((item) => ({ chunk: item.chunk as number, token: item.lease_token as string, leaseUntil: item.lease_until as number }));
}

/**
 * Marks an expired lease as answered by a re-send; false when it changed meanwhile (a redelivery claimed
 * it, the chunk was counted, or another reconciler run re-sent it first), and then nothing is to be sent.
 */
export async function markLeaseResent(table: Table, tenantId: string, evaluationId: string, lease: ExpiredLease, now: number): Promise<boolean> {
  const unchanged: Condition = {
    expression: 'lease_token = :token AND lease_until = :until',
    values: { ':token': lease.token, ':until': lease.leaseUntil },
  };
  const applied = await updateIf(
    table.client,
    {
      TableName: table.tableName,
      Key: evaluationKeys.chunkLease(tenantId, evaluationId, lease.chunk),
      UpdateExpression: 'SET resent_at = :now',
      ExpressionAttributeValues: { ':now': now },
    },
    allOf(unchanged, notResentSinceExpiry),
  );
  return applied !== undefined;
}
