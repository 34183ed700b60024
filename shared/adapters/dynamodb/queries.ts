import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../../contracts/pagination.js';
import { decodeCursor, encodeCursor } from './cursor.js';

type Row = Record<string, unknown>;

/** One response of a query: its rows, and the key to continue from when DynamoDB stopped early. */
export interface QueryPage {
  items: Row[];
  lastKey?: Row;
}

type PagedQuery = Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>;

/** One request of a query, from `startKey`: the read of a listing that answers with a cursor. */
export async function queryPage(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  startKey?: Row,
): Promise<QueryPage> {
  const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
  return { items: page.Items ?? [], lastKey: page.LastEvaluatedKey };
}

/**
 * The pages of a query in order, from `startKey`, following DynamoDB's pages to the end; a reader that
 * has enough leaves the loop. `limit`, when given, is asked before each request for the rows it may read.
 */
export async function* queryPages(
  client: DynamoDBDocumentClient,
  input: PagedQuery,
  options: { startKey?: Row; limit?: () => number } = {},
): AsyncGenerator<QueryPage> {
  let startKey = options.startKey;
  do {
    const page = await queryPage(client, options.limit ? { ...input, Limit: options.limit() } : input, startKey);
    yield page;
    startKey = page.lastKey;
  } while (startKey);
}

/** Every row a query matches. */
export async function queryAll(client: DynamoDBDocumentClient, input: PagedQuery): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const page of queryPages(client, input)) rows.push(...page.items);
  return rows;
}

/**
 * Up to `limit` rows that `take` keeps (mapped as it answers), from `startKey`. A filter runs after the
 * read, so a filtered page may need several requests to fill up; `lastKey` continues after the last row read.
 */
export async function fillPage<T>(
  client: DynamoDBDocumentClient,
  input: PagedQuery,
  page: { limit: number; startKey?: Row },
  take: (rows: Row[]) => T[],
): Promise<{ items: T[]; lastKey?: Row }> {
  const items: T[] = [];
  let lastKey: Row | undefined;
  for await (const read of queryPages(client, input, { startKey: page.startKey, limit: () => page.limit - items.length })) {
    items.push(...take(read.items));
    lastKey = read.lastKey;
    if (items.length >= page.limit) break;
  }
  return { items, lastKey };
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
  const result = await queryPage(
    client,
    {
      TableName: tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: false,
      Limit: page.limit,
    },
    decodeCursor(page.cursor, { fixed, keys: ['gsi1sk', 'pk', 'sk'] }),
  );
  return { items: result.items, next_cursor: encodeCursor(result.lastKey) };
}

/** A stored row as the domain sees it: without the storage attributes (keys, index keys, leases). */
export function withoutAttributes<T>(row: Row, storage: ReadonlySet<string>): T {
  return Object.fromEntries(Object.entries(row).filter(([name]) => !storage.has(name))) as T;
}
