import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotentCreate } from '../../domain/ports/evaluation-store.js';
import { anyOf, itemAbsent, withCondition, type Condition } from './conditions.js';
import { evaluationKeys } from './keys.js';
import type { Table } from './table.js';

/** How long a create's `Idempotency-Key` is remembered. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** A record past its time, which DynamoDB's TTL deletes only eventually: the key may be used afresh. */
const expiredAt = (nowSeconds: number): Condition => ({ expression: 'expires_at < :now', values: { ':now': nowSeconds } });

/**
 * The write, within a create's transaction, that remembers its key and response. Two concurrent retries
 * of one request race here: exactly one transaction writes the evaluation, the other is cancelled and
 * replays the winner's response.
 */
export function idempotencyPut(table: Table, tenantId: string, idempotency: IdempotentCreate) {
  return {
    Put: withCondition(
      {
        TableName: table.tableName,
        Item: {
          ...evaluationKeys.idempotency(tenantId, idempotency.key),
          ...idempotency,
          expires_at: Math.floor(Date.now() / 1000) + IDEMPOTENCY_TTL_SECONDS,
        },
      },
      anyOf(itemAbsent, expiredAt(Math.floor(Date.now() / 1000))),
    ),
  };
}

/** The write, within a transaction, that forgets a key, so that a retry of the request runs it again. */
export function idempotencyDelete(table: Table, tenantId: string, key: string) {
  return { Delete: { TableName: table.tableName, Key: evaluationKeys.idempotency(tenantId, key) } };
}

export async function getIdempotent(table: Table, tenantId: string, key: string): Promise<IdempotentCreate | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: evaluationKeys.idempotency(tenantId, key), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return { key: Item.key, fingerprint: Item.fingerprint, response: Item.response } as IdempotentCreate;
}
