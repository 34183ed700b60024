import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DeadLetterLogEntry } from '../../domain/ports/evaluation-store.js';
import { deadLetterKeys } from './keys.js';
import type { Table } from './table.js';

/** Records a message the evaluator could not use, for operators to read. */
export async function recordDeadLetter(table: Table, entry: DeadLetterLogEntry): Promise<void> {
  const now = new Date().toISOString();
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...deadLetterKeys.entry(now, entry.message_id),
        ...entry,
        body: entry.body.slice(0, 4000),
        recorded_at: now,
        expires_at: Math.floor(Date.now() / 1000) + 30 * 24 * 3600,
      },
    }),
  );
}
