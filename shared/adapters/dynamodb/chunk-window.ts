import { randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { EvaluationPlan } from '../../contracts/evaluations/schemas.js';
import type { WindowClaim } from '../../domain/ports/evaluation-store.js';
import { windowRoom } from '../../domain/evaluator/chunk-window.js';
import { updateIf } from './conditional-writes.js';
import { allOf, itemExists, withCondition, type Condition } from './conditions.js';
import { evaluationKeys } from './keys.js';
import type { Table } from './table.js';
import { backoff, failedCondition, retryConflicts } from './writes.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Claims of the window lose to each other only when two chunks of one evaluation are counted within
 * milliseconds; a few rounds settle any window of sensible size.
 */
const MAX_ATTEMPTS = 10;

/**
 * Nobody claimed since the record was read, and it still runs: of two settles that read the same
 * `chunks_sent`, one claims that chunk and the other reads again, so no chunk is claimed twice; and a
 * cancel stops every claim after it, so a cancelled evaluation's claimed chunks are all it will ever send.
 */
const stillAt = (sent: number): Condition => ({
  expression: 'chunks_sent = :sent AND #status = :running',
  names: { '#status': 'status' },
  values: { ':sent': sent, ':running': 'running' },
});

/** The counted chunk has claimed nothing yet: a redelivery of it, racing the first, cannot claim a second chunk. */
const noClaimYet: Condition = allOf(itemExists, { expression: 'attribute_not_exists(next_chunk)' });

/**
 * Advances an evaluation's `chunks_sent` by one while the plan's window has room and answers the chunk
 * claimed (the caller sends it), or undefined. With `after` (a counted chunk) the claim is written on that
 * chunk's marker in the same transaction (`next_chunk`, `next_claimed_at`, `next_claim_token`): the marker then answers it to
 * any later call, so a delivery of `after` that died between claim and send is redelivered and can send
 * the same chunk, and a duplicate delivery of `after` never widens the window. Costs one strongly
 * consistent read of the marker (with `after`) and of the record's counters, and a transaction of two
 * writes (one without `after`). Without `after` (the reconciler topping a window up), a transaction
 * retried after a lost answer claims a second chunk and leaves the first unsent; it is inside the window,
 * so the reconciler's next pass sends it.
 */
export async function claimNextChunk(table: Table, tenantId: string, evaluationId: string, after?: number): Promise<WindowClaim | undefined> {
  const recordKey = evaluationKeys.record(tenantId, evaluationId);
  const markerKey = after === undefined ? undefined : evaluationKeys.chunk(tenantId, evaluationId, after);
  // Tells this call's own claim from an earlier delivery's: a transaction the SDK retried after a lost
  // answer fails its condition on the claim it made itself, and must still answer it as made.
  const token = randomUUID();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    if (markerKey) {
      const marker = await read(table, markerKey, 'chunk, next_chunk, next_claimed_at, next_claim_token, next_sent');
      // Not counted (yet): a chunk claims its successor only once it is counted.
      if (!marker) return undefined;
      if (typeof marker.next_chunk === 'number') {
        return {
          chunk: marker.next_chunk,
          made: marker.next_claim_token === token,
          claimedAt: Number(marker.next_claimed_at ?? 0),
          sent: marker.next_sent === true,
        };
      }
    }
    const record = await read(table, recordKey, '#status, #plan, chunks_sent, chunks_done', { '#status': 'status', '#plan': 'plan' });
    if (record?.status !== 'running' || typeof record.chunks_sent !== 'number') return undefined;
    const sent = record.chunks_sent;
    if (windowRoom(record.plan as EvaluationPlan, sent, Number(record.chunks_done ?? 0)) === 0) return undefined;

    const claimedAt = Date.now();
    const items: TransactItem[] = [
      {
        Update: withCondition(
          {
            TableName: table.tableName,
            Key: recordKey,
            UpdateExpression: 'SET chunks_sent = :next',
            ExpressionAttributeValues: { ':next': sent + 1 },
          },
          stillAt(sent),
        ),
      },
    ];
    if (markerKey) {
      items.push({
        Update: withCondition(
          {
            TableName: table.tableName,
            Key: markerKey,
            UpdateExpression: 'SET next_chunk = :claimed, next_claimed_at = :at, next_claim_token = :token',
            ExpressionAttributeValues: { ':claimed': sent, ':at': claimedAt, ':token': token },
          },
          noClaimYet,
        ),
      });
    }
    try {
      await retryConflicts(() => table.client.send(new TransactWriteCommand({ TransactItems: items })));
      return { chunk: sent, made: true, claimedAt, sent: false };
    } catch (error) {
      if (!failedCondition(error, 0) && !failedCondition(error, 1)) {
        // The answer was lost (a 500 or a reset after DynamoDB applied it, say): the marker tells whether
        // this call's claim stands. Thrown, its delivery would be retried and could not tell the claim was
        // its own, and a claim that is not a delivery's own is sent only once it is old.
        if (markerKey && (await claimTokenOf(table, markerKey)) === token) return { chunk: sent, made: true, claimedAt, sent: false };
        throw error;
      }
      // Another claim came first (of this evaluation, or of this very chunk by a duplicate): read again.
      await backoff(attempt);
    }
  }
  throw new Error(`Could not claim the next chunk of evaluation ${evaluationId} in ${MAX_ATTEMPTS} attempts; the delivery will be retried`);
}

/** Records on the counted chunk's marker that the chunk it claimed was sent. */
export async function markClaimSent(table: Table, tenantId: string, evaluationId: string, after: number): Promise<void> {
  await updateIf(
    table.client,
    {
      TableName: table.tableName,
      Key: evaluationKeys.chunk(tenantId, evaluationId, after),
      UpdateExpression: 'SET next_sent = :sent',
      ExpressionAttributeValues: { ':sent': true },
    },
    itemExists,
  );
}

/** The marker's claim token, read with a few tries: a failed read here would leave the claim unsent. */
async function claimTokenOf(table: Table, markerKey: Record<string, string>): Promise<unknown> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return (await read(table, markerKey, 'next_claim_token'))?.next_claim_token;
    } catch (error) {
      if (attempt >= 3) throw error;
      await backoff(attempt);
    }
  }
}

async function read(table: Table, key: Record<string, string>, projection: string, names?: Record<string, string>) {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: key,
      ConsistentRead: true,
      ProjectionExpression: projection,
      ...(names ? { ExpressionAttributeNames: names } : {}),
    }),
  );
  return Item;
}
