import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../../contracts/pagination.js';
import { decodeCursor, encodeCursor } from './cursor.js';

type Row = Record<string, unknown>;

/** Every row a query matches, following DynamoDB's pages to the end. */
export async function queryAll(client: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Row[]> {
  const rows: Row[] = [];
  let startKey: Row | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    rows.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return rows;
}

/**
 * One page of a tenant's listing on the `gsi1` index, newest first (ids and keys sort by time), with the
 * opaque cursor checked against this very listing.
 */
export async function listNewestFirst(
  client: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  page: { limit: number; cursor?: string },
): Promise<Page<Row>> {
  const fixed = { gsi1pk: partition };
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: false,
      Limit: page.limit,
      ExclusiveStartKey: decodeCursor(page.cursor, { fixed, keys: ['gsi1sk', 'pk', 'sk'] }),
    }),
  );
  return { items: result.Items ?? [], next_cursor: encodeCursor(result.LastEvaluatedKey) };
}

/** A stored row as the domain sees it: without the storage attributes (keys, index keys, leases). */
export function withoutAttributes<T>(row: Row, storage: ReadonlySet<string>): T {
  return Object.fromEntries(Object.entries(row).filter(([name]) => !storage.has(name))) as T;
}
