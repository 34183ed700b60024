import type { ItemResult } from '../../contracts/evaluations/result-types.js';
import type { Page } from '../../contracts/pagination.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { ResultsPageRequest } from '../../domain/ports/evaluation-store.js';
import { evaluationKeys } from './keys.js';
import { fillPage, queryAll, queryPages, withoutAttributes } from './queries.js';
import type { Table } from './table.js';
import { batchWriteAll } from './writes.js';

const resultStorage = new Set(['pk', 'sk']);
const toResult = (item: Record<string, unknown>) => withoutAttributes<ItemResult>(item, resultStorage);

/** Stored results of the positions [first, first + count), by position. */
export async function getResults(table: Table, tenantId: string, evaluationId: string, first: number, count: number): Promise<Map<number, ItemResult>> {
  const rows = await queryAll(table.client, {
    TableName: table.tableName,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
    ExpressionAttributeValues: {
      ':pk': evaluationKeys.partition(tenantId, evaluationId),
      ':first': evaluationKeys.result(tenantId, evaluationId, first).sk,
      ':last': evaluationKeys.result(tenantId, evaluationId, first + count - 1).sk,
    },
    ConsistentRead: true,
  });
  return new Map(rows.map((row) => [row.position as number, toResult(row)]));
}

/** Writes per-item results; rewriting one (a redelivered chunk) replaces it, it never adds a row. */
export async function putResults(table: Table, tenantId: string, evaluationId: string, results: readonly ItemResult[]): Promise<void> {
  await batchWriteAll(
    table.client,
    table.tableName,
    results.map((result) => ({ PutRequest: { Item: { ...evaluationKeys.result(tenantId, evaluationId, result.position), ...result } } })),
  );
}

/**
 * Every stored result, page by page, in item order. Strongly consistent: the finalizer reads right after
 * the last chunk wrote, and an eventually consistent read could miss those rows in its aggregates.
 */
export async function* allResults(table: Table, tenantId: string, evaluationId: string): AsyncGenerator<ItemResult[]> {
  const pages = queryPages(table.client, {
    TableName: table.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :result)',
    ExpressionAttributeValues: { ':pk': evaluationKeys.partition(tenantId, evaluationId), ':result': evaluationKeys.resultPrefix },
    ConsistentRead: true,
  });
  for await (const page of pages) yield page.items.map(toResult);
}

/** One page of results in item order; with `failedOnly` or `modelId`, only those answers. */
export async function listResults(table: Table, tenantId: string, evaluationId: string, page: ResultsPageRequest): Promise<Page<ItemResult>> {
  const pk = evaluationKeys.partition(tenantId, evaluationId);
  const { items, lastKey } = await fillPage(
    table.client,
    {
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :result)',
      ExpressionAttributeValues: { ':pk': pk, ':result': evaluationKeys.resultPrefix },
    },
    { limit: page.limit, startKey: decodeCursor(page.cursor, { fixed: { pk }, keys: ['sk'] }) },
    (rows) => rows.map(toResult).flatMap((row) => answersOf(row, page)),
  );
  return { items, next_cursor: encodeCursor(lastKey) };
}

/** The row as the page shows it: only the one model's answer, and nothing when no answer failed but only failures were asked for. */
function answersOf(row: ItemResult, page: ResultsPageRequest): ItemResult[] {
  const outputs = page.modelId ? { [page.modelId]: row.outputs[page.modelId] } : row.outputs;
  if (page.failedOnly && !Object.values(outputs).some((output) => output?.status === 'failed')) return [];
  return [page.modelId ? { ...row, outputs: outputs as ItemResult['outputs'] } : row];
}

/** A `listResults` cursor that continues right after the result at `position`, for a reader that stops mid-page. */
export function resultCursorAfter(tenantId: string, evaluationId: string, position: number): string {
  return encodeCursor(evaluationKeys.result(tenantId, evaluationId, position)) ?? '';
}
