import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ItemResult } from '../../contracts/evaluations/result-types.js';
import type { Page } from '../../contracts/pagination.js';
import { leaseHeld } from './chunk-leases.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { ChunkLeaseLostError, sampleKey, type ChunkLease, type ResultsPageRequest } from '../../domain/ports/evaluation-store.js';
import { scoreFields, type ScoreRow, type ScoreRowShape } from '../../domain/ports/score-rows.js';
import { evaluationKeys } from './keys.js';
import { fillPage, queryAll, queryPages, withoutAttributes } from './queries.js';
import type { Table } from './table.js';
import { failedCondition, retryConflicts } from './writes.js';

/** Rows per transaction: the lease check takes one of DynamoDB's 100 items, and a chunk flushes 25 at a time. */
const ROWS_PER_TRANSACTION = 25;
/** Below DynamoDB's 4 MB per transaction, with room for the attribute names its size counts. */
const TRANSACTION_BYTES = 3_000_000;

const resultStorage = new Set(['pk', 'sk']);
const toResult = (item: Record<string, unknown>) => withoutAttributes<ItemResult>(item, resultStorage);

/** Stored results of the positions [first, first + count), every sample, by `sampleKey`. */
export async function getResults(
  table: Table,
  tenantId: string,
  evaluationId: string,
  first: number,
  count: number,
): Promise<Map<number, ItemResult>> {
  const rows = await queryAll(table.client, {
    TableName: table.tableName,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
    ExpressionAttributeValues: {
      ':pk': evaluationKeys.partition(tenantId, evaluationId),
      ':first': evaluationKeys.result(tenantId, evaluationId, first).sk,
      ':last': evaluationKeys.resultsOfPositionEnd(first + count - 1),
    },
    ConsistentRead: true,
  });
  return new Map(rows.map((row) => [sampleKey(row.position as number, (row.repeat as number | undefined) ?? 0), toResult(row)]));
}

/**
 * Writes per-item results of the lease's chunk; rewriting one (a resumed chunk) replaces it, it never adds
 * a row. Each transaction writes its rows only if the lease is still held, which it no longer is once
 * the chunk is counted (the count ends it) or another delivery has taken it over: so a duplicate delivery
 * that lost can never overwrite the rows a chunk was counted with. Throws ChunkLeaseLostError then, and
 * nothing of that transaction is written. Transactions run one after another: they all check the lease
 * row, and concurrent ones would only conflict.
 */
export async function putResults(
  table: Table,
  tenantId: string,
  evaluationId: string,
  lease: ChunkLease,
  results: readonly ItemResult[],
): Promise<void> {
  for (const group of transactionGroups(results)) {
    const puts = group.map((result) => ({
      Put: { TableName: table.tableName, Item: { ...evaluationKeys.result(tenantId, evaluationId, result.position, result.repeat), ...result } },
    }));
    try {
      await retryConflicts(() =>
        table.client.send(new TransactWriteCommand({ TransactItems: [leaseHeld(table, tenantId, evaluationId, lease), ...puts] })),
      );
    } catch (error) {
      if (failedCondition(error, 0)) throw new ChunkLeaseLostError(lease.chunk);
      throw error;
    }
  }
}

/** Consecutive results in groups that fit one transaction, by count and by (JSON-estimated) size. */
function transactionGroups(results: readonly ItemResult[]): ItemResult[][] {
  const groups: ItemResult[][] = [];
  let group: ItemResult[] = [];
  let bytes = 0;
  for (const result of results) {
    const size = Buffer.byteLength(JSON.stringify(result));
    if (group.length > 0 && (group.length >= ROWS_PER_TRANSACTION || bytes + size > TRANSACTION_BYTES)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(result);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
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

/** DynamoDB refuses an expression longer than 4 KB. */
const MAX_EXPRESSION_LENGTH = 4096;

/**
 * The projection of a result row onto the fields in `scoreFields`, every path segment an attribute-name
 * placeholder (model ids and metric names are not valid in an expression, and short placeholders keep 20
 * judged metrics × 2 models well under the 4 KB limit). Should a shape ever not fit, each answer's
 * judgements are projected whole (their rationales, not the answers): bigger, never wrong.
 */
export function scoreProjection(shape: ScoreRowShape): { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> } {
  const precise = projectionOf(shape, false);
  return precise.ProjectionExpression.length <= MAX_EXPRESSION_LENGTH ? precise : projectionOf(shape, true);
}

function projectionOf(shape: ScoreRowShape, judgementsWhole: boolean) {
  const placeholders = new Map<string, string>();
  const ExpressionAttributeNames: Record<string, string> = {};
  const alias = (kind: 'f' | 'm' | 'k', name: string): string => {
    const key = `${kind}:${name}`;
    let placeholder = placeholders.get(key);
    if (!placeholder) {
      placeholder = `#${kind}${placeholders.size}`;
      placeholders.set(key, placeholder);
      ExpressionAttributeNames[placeholder] = name;
    }
    return placeholder;
  };
  const field = (segments: readonly string[]) => segments.map((name) => alias('f', name)).join('.');
  const paths = [alias('f', 'position'), alias('f', 'repeat')];
  for (const modelId of shape.modelIds) {
    const output = `${alias('f', 'outputs')}.${alias('m', modelId)}`;
    for (const segments of scoreFields.output) paths.push(`${output}.${field(segments)}`);
    if (judgementsWhole && shape.judgedMetrics.length > 0) paths.push(`${output}.${alias('f', 'judgements')}`);
    else
      for (const metric of shape.judgedMetrics) {
        const judgement = `${output}.${alias('f', 'judgements')}.${alias('k', metric)}`;
        for (const segments of scoreFields.judgement) paths.push(`${judgement}.${field(segments)}`);
      }
  }
  for (const metric of shape.pairwiseMetrics) {
    const verdict = `${alias('f', 'pairwise')}.${alias('k', metric)}`;
    for (const segments of scoreFields.pairwise) paths.push(`${verdict}.${field(segments)}`);
  }
  return { ProjectionExpression: paths.join(', '), ExpressionAttributeNames };
}

/**
 * Every stored result like `allResults`, but only the fields finalize's statistics read. DynamoDB still
 * reads (and bills) whole rows and pages at 1 MB of them; what the projection saves is the transfer and
 * the parsing of the answers, which is most of the time and all of the memory.
 */
export async function* allScores(table: Table, tenantId: string, evaluationId: string, shape: ScoreRowShape): AsyncGenerator<ScoreRow[]> {
  const projection = scoreProjection(shape);
  const pages = queryPages(table.client, {
    TableName: table.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :result)',
    ExpressionAttributeValues: { ':pk': evaluationKeys.partition(tenantId, evaluationId), ':result': evaluationKeys.resultPrefix },
    ...projection,
    ConsistentRead: true,
  });
  // A row whose outputs map is empty has none of the projected paths, and so comes back without `outputs`.
  for await (const page of pages) yield page.items.map((item) => ({ ...item, outputs: item.outputs ?? {} }) as ScoreRow);
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
export function resultCursorAfter(tenantId: string, evaluationId: string, position: number, repeat = 0): string {
  return encodeCursor(evaluationKeys.result(tenantId, evaluationId, position, repeat)) ?? '';
}
