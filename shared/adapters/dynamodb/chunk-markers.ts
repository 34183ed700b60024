import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ChunkLeaseLostError, type ChunkLease, type ChunkTally } from '../../domain/ports/evaluation-store.js';
import { logger } from '../../platform/logger.js';
import { isoNow } from '../../platform/time.js';
import { leaseEnd } from './chunk-leases.js';
import { itemAbsent, itemExists, withCondition } from './conditions.js';
import { evaluationKeys } from './keys.js';
import { queryAll } from './queries.js';
import { touchActive } from './stall-index.js';
import type { Table } from './table.js';
import { failedCondition, retryConflicts } from './writes.js';

/**
 * Counts a finished chunk exactly once: the chunk's marker and the evaluation's counters change in one
 * transaction, conditional on the marker not existing, so a redelivered or duplicated chunk message
 * adds nothing. Answers false for such a duplicate. The same transaction ends the delivery's lease, and
 * holds only while the lease is held: the tally counted is the one of the delivery whose rows stay, and
 * from then on no row of the chunk can be written (every row write needs the lease).
 */
export async function recordChunk(table: Table, tenantId: string, evaluationId: string, lease: ChunkLease, tally: ChunkTally): Promise<boolean> {
  const { chunk } = lease;
  const now = isoNow();
  const names: Record<string, string> = { '#progress': 'progress', '#mp': 'model_progress' };
  const values: Record<string, unknown> = {
    ':one': 1,
    ':completed': tally.completed_items,
    ':failed': tally.failed_items,
    ':now': now,
    ':zero': 0,
    ':hits': tally.cache_hits,
    ':saved': tally.cache_saved_usd,
  };
  const sets = [
    'chunks_done = chunks_done + :one',
    // Counted with the chunk, in the same transaction: the hits shown are those of the rows that stay.
    'cache_hits = if_not_exists(cache_hits, :zero) + :hits',
    'cache_saved_usd = if_not_exists(cache_saved_usd, :zero) + :saved',
    '#progress.completed_items = #progress.completed_items + :completed',
    '#progress.failed_items = #progress.failed_items + :failed',
    'updated_at = :now',
  ];
  if (tally.sample_adjustment) {
    // Planned as items × repeats at create, which cannot read every item's own count; made exact as chunks count.
    names['#ts'] = 'total_samples';
    names['#ti'] = 'total_items';
    values[':adjust'] = tally.sample_adjustment;
    sets.push('#progress.#ts = if_not_exists(#progress.#ts, #progress.#ti) + :adjust');
  }
  Object.entries(tally.models).forEach(([modelId, counts], index) => {
    names[`#m${index}`] = modelId;
    values[`:s${index}`] = counts.scored;
    values[`:f${index}`] = counts.failed;
    sets.push(`#mp.#m${index}.scored = #mp.#m${index}.scored + :s${index}`, `#mp.#m${index}.failed = #mp.#m${index}.failed + :f${index}`);
  });
  // Progress moves an unfinished evaluation's place in the reconciler's index; a finished one has none.
  const progressUpdate = {
    Update: withCondition(
      {
        TableName: table.tableName,
        Key: evaluationKeys.record(tenantId, evaluationId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      itemExists,
    ),
  };
  const marker = {
    Put: withCondition(
      { TableName: table.tableName, Item: { ...evaluationKeys.chunk(tenantId, evaluationId, chunk), chunk, done_at: now, ...tally } },
      itemAbsent,
    ),
  };
  try {
    await retryConflicts(() =>
      table.client.send(new TransactWriteCommand({ TransactItems: [marker, progressUpdate, leaseEnd(table, tenantId, evaluationId, lease)] })),
    );
  } catch (error) {
    if (failedCondition(error, 0)) return false;
    if (failedCondition(error, 2)) throw new ChunkLeaseLostError(chunk);
    throw error;
  }
  // Only the reconciler's stall index: should this fail, the chunk is still counted, and failing the
  // message now would only delay finalizing by a visibility timeout. The evaluation may then look
  // stalled a little early, and a re-drive of counted chunks does nothing.
  await touchActive(table, tenantId, evaluationId, now).catch((error: unknown) => {
    logger.warn('chunk counted, but its progress time was not recorded', { evaluation_id: evaluationId, chunk, error: error as Error });
  });
  return true;
}

/** Chunks that have a completion marker. */
export async function doneChunks(table: Table, tenantId: string, evaluationId: string): Promise<Set<number>> {
  const markers = await queryAll(table.client, {
    TableName: table.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :chunk)',
    ExpressionAttributeValues: { ':pk': evaluationKeys.partition(tenantId, evaluationId), ':chunk': evaluationKeys.chunkPrefix },
    ProjectionExpression: 'chunk',
    ConsistentRead: true,
  });
  return new Set(markers.map((marker) => marker.chunk as number));
}
