import { TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sleepFullJitter } from '../../platform/backoff.js';

/** DynamoDB's BatchWriteItem limit. */
const WRITE_BATCH = 25;
/** A few batches in flight at once: DynamoDB scales with parallel requests, one at a time is latency-bound. */
const WRITES_IN_FLIGHT = 4;
const MAX_ATTEMPTS = 9;

/** Full-jitter exponential backoff, for entries DynamoDB left unprocessed under load. */
export function backoff(attempt: number): Promise<void> {
  return sleepFullJitter(attempt, { baseMs: 25, capMs: 2000 });
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/** Writes every request in batches of 25, retrying what DynamoDB leaves unprocessed until all are written. */
export async function batchWriteAll(client: DynamoDBDocumentClient, tableName: string, requests: readonly WriteRequest[]): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let start = 0; start < requests.length; start += WRITE_BATCH) batches.push(requests.slice(start, start + WRITE_BATCH));
  for (let next = 0; next < batches.length; next += WRITES_IN_FLIGHT) {
    await Promise.all(batches.slice(next, next + WRITES_IN_FLIGHT).map((batch) => writeBatch(client, tableName, batch)));
  }
}

async function writeBatch(client: DynamoDBDocumentClient, tableName: string, initial: WriteRequest[]): Promise<void> {
  let pending = initial;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt >= MAX_ATTEMPTS) throw new Error(`DynamoDB left ${pending.length} writes to ${tableName} unprocessed after ${attempt} attempts`);
    if (attempt > 0) await backoff(attempt);
    const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
    pending = (result.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
  }
}

/**
 * Whether DynamoDB refused a write because a transaction was in progress on the same item: nothing was
 * written, the SDK does not retry it, and it clears within milliseconds.
 */
export function isTransactionConflict(error: unknown): boolean {
  if (error instanceof TransactionConflictException) return true;
  return error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict');
}

/** Whether a transaction was cancelled because the condition of its `index`-th item failed. */
export function failedCondition(error: unknown, index: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
}

/**
 * Runs a write again, after a short jittered pause, while it meets a transaction in progress. Concurrent
 * chunks of one evaluation all update its record; a conflict left to the caller would fail the chunk's
 * message and delay it by a whole visibility timeout.
 */
export async function retryConflicts<T>(write: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= attempts) throw error;
      await backoff(attempt);
    }
  }
}
