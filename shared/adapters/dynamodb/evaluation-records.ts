import { BatchGetCommand, GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { Page } from '../../contracts/pagination.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import {
  BenchmarkVersionChangedError,
  type CreateOptions,
  type CreateOutcome,
  type EvaluationFilter,
  type IdempotentCreate,
} from '../../domain/ports/evaluation-store.js';
import { itemAbsent, withCondition, type Condition } from './conditions.js';
import { getIdempotent, idempotencyPut } from './idempotency-records.js';
import { benchmarkKeys, evaluationKeys } from './keys.js';
import { fillPage, queryPages, withoutAttributes } from './queries.js';
import type { Table } from './table.js';
import { backoff, failedCondition, isTransactionConflict, retryConflicts } from './writes.js';
import { ActiveEvaluationsChangedError } from '../../domain/ports/tenant-usage.js';
import { createWrites } from './tenant-usage-records.js';

/** A create with an `Idempotency-Key` that finds neither a way through nor a record to replay tries this often. */
const IDEMPOTENT_CREATE_ATTEMPTS = 8;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const storageAttributes = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'expires_at', 'tenant_scope']);

export const toEvaluation = (item: Record<string, unknown>) => withoutAttributes<Evaluation>(item, storageAttributes);

/**
 * The benchmark still has the version and content the evaluation read: an append committed in between
 * is noticed, instead of silently mixed into the items the evaluation pins.
 */
const benchmarkAsRead = (evaluation: Evaluation): Condition => ({
  expression: 'version = :version AND content_hash = :hash',
  values: { ':version': evaluation.benchmark_version, ':hash': evaluation.benchmark_content_hash },
});

/**
 * Writes a new evaluation with, in one transaction, its idempotency record and the benchmark version it
 * pins (in the benchmark's record, so that the next append starts a new version).
 */
export async function createEvaluation(
  table: Table,
  benchmarksTableName: string,
  evaluation: Evaluation,
  idempotency?: IdempotentCreate,
  options: CreateOptions = {},
): Promise<CreateOutcome> {
  const { tenant_id: tenantId, evaluation_id: evaluationId } = evaluation;
  const pin = {
    Update: withCondition(
      {
        TableName: benchmarksTableName,
        Key: benchmarkKeys.meta(tenantId, evaluation.benchmark_id),
        UpdateExpression: 'SET pinned_version = :version',
        ExpressionAttributeValues: { ':version': evaluation.benchmark_version },
      },
      benchmarkAsRead(evaluation),
    ),
  };
  const evaluationPut = {
    // A new id: the condition only keeps an id that somehow repeats from overwriting another evaluation.
    Put: withCondition(
      {
        TableName: table.tableName,
        Item: {
          ...evaluationKeys.record(tenantId, evaluationId),
          ...evaluationKeys.listing(tenantId, evaluationId),
          ...evaluationKeys.byBenchmark(tenantId, evaluation.benchmark_id, evaluationId),
          ...evaluationKeys.active(evaluation.updated_at),
          ...evaluation,
        },
      },
      itemAbsent,
    ),
  };
  // Written with the record so a baseline lookup never meets a tagged evaluation without its markers.
  const tagged: TransactItem[] = Object.entries(evaluation.tags ?? {}).map(([tag, value]) => ({
    Put: {
      TableName: table.tableName,
      Item: {
        ...evaluationKeys.tagged(tenantId, evaluation.benchmark_id, modelSet(evaluation), tag, value, evaluationId),
        evaluation_id: evaluationId,
      },
    },
  }));
  // The tenant's quota rows (ActiveEvaluationsChangedError when the guard, last, moved since the count).
  const counted = createWrites(table, evaluation, options.activeGuardVersion);
  // Under the quota, a conflict that outlasted its retries is a race for the guard too: count again.
  const guardMoved = (error: unknown, items: number) =>
    options.activeGuardVersion !== undefined && (failedCondition(error, items - 1) || isTransactionConflict(error));
  // Concurrent creates of one benchmark all update its record (the pin): a transaction that meets another
  // in progress is cancelled with nothing written, and is simply run again. A version read that was already
  // pinned needs no pin: any append committed since started a new version and cannot have changed the
  // items this evaluation pins.
  if (!idempotency) {
    const items: TransactItem[] = [evaluationPut, ...(options.alreadyPinned ? [] : [pin]), ...tagged, ...counted];
    try {
      await retryConflicts(() => table.client.send(new TransactWriteCommand({ TransactItems: items })));
    } catch (error) {
      if (guardMoved(error, items.length)) throw new ActiveEvaluationsChangedError();
      throw !options.alreadyPinned && failedCondition(error, 1) ? new BenchmarkVersionChangedError(evaluation.benchmark_id) : error;
    }
    return { created: true };
  }
  for (let attempt = 1; ; attempt += 1) {
    // Rebuilt per attempt: the record's expiry is counted from this write.
    const remembered = idempotencyPut(table, tenantId, idempotency);
    const items: TransactItem[] = [remembered, evaluationPut, ...(options.alreadyPinned ? [] : [pin]), ...tagged, ...counted];
    try {
      await table.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { created: true };
    } catch (error) {
      if (!options.alreadyPinned && failedCondition(error, 2)) throw new BenchmarkVersionChangedError(evaluation.benchmark_id);
      if (guardMoved(error, items.length)) {
        // The same key may have won meanwhile: its record answers, else count again.
        const previous = await getIdempotent(table, tenantId, idempotency.key);
        if (previous) return previous.response.evaluation_id === evaluation.evaluation_id ? { created: true } : { created: false, previous };
        throw new ActiveEvaluationsChangedError();
      }
      // Identical creates sent at once with one key all write its record: one transaction goes through;
      // the others fail its condition, or are cancelled for meeting it in progress (TransactionConflict,
      // nothing written). Either way the winner's record answers them, as soon as it is committed.
      const conflicted = isTransactionConflict(error);
      if (!conflicted && !failedCondition(error, 0)) throw error;
      const previous = await getIdempotent(table, tenantId, idempotency.key);
      // This create's own record: the SDK repeated its transaction after an answer that was lost.
      if (previous?.response.evaluation_id === evaluation.evaluation_id) return { created: true };
      if (previous) return { created: false, previous };
      // No record: the winner is still committing (a conflict), or the record was there and is gone (the
      // create that wrote it could not queue its evaluation and forgot the key so a retry runs afresh,
      // which this is). Try again.
      if (attempt >= IDEMPOTENT_CREATE_ATTEMPTS) throw error;
      await backoff(attempt);
    }
  }
}

export async function getEvaluation(
  table: Table,
  tenantId: string,
  evaluationId: string,
  options: { consistent?: boolean } = {},
): Promise<Evaluation | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      ...(options.consistent ? { ConsistentRead: true } : {}),
    }),
  );
  return Item ? toEvaluation(Item) : undefined;
}

/** The models an evaluation compares, in order: the tag markers' partition names them. */
export const modelSet = (evaluation: Pick<Evaluation, 'model_id' | 'model_id_2'>): string[] =>
  evaluation.model_id_2 ? [evaluation.model_id, evaluation.model_id_2] : [evaluation.model_id];

/** Markers read per request while looking for a baseline; newer unfinished runs are usually few. */
const TAGGED_PAGE = 25;
/** Markers read at most: a lookup's cost stays bounded however many runs a tag collects. */
export const TAGGED_SCAN_LIMIT = 1000;

/**
 * The newest completed evaluation of this benchmark and model set carrying every one of `tags`. Reads
 * the first tag's markers newest first and checks each record itself (status, benchmark, models, all
 * tags), so a marker can only ever narrow the search, never decide it.
 */
export async function findLatestTagged(
  table: Table,
  tenantId: string,
  query: { benchmarkId: string; models: readonly string[]; tags: Readonly<Record<string, string>> },
): Promise<Evaluation | undefined> {
  const entries = Object.entries(query.tags);
  const [first] = entries;
  if (!first) return undefined;
  const pages = queryPages(
    table.client,
    {
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': evaluationKeys.taggedPartition(tenantId, query.benchmarkId, query.models, first[0], first[1]) },
      ScanIndexForward: false,
      ProjectionExpression: 'evaluation_id',
    },
    { limit: () => TAGGED_PAGE },
  );
  let read = 0;
  for await (const page of pages) {
    const ids = page.items.map((row) => String(row.evaluation_id));
    read += ids.length;
    const records = await getMany(table, tenantId, ids);
    for (const id of ids) {
      const evaluation = records.get(id);
      if (
        evaluation?.status === 'completed' &&
        evaluation.benchmark_id === query.benchmarkId &&
        modelSet(evaluation).join('\n') === query.models.join('\n') &&
        entries.every(([tag, value]) => evaluation.tags?.[tag] === value)
      ) {
        return evaluation;
      }
    }
    if (read >= TAGGED_SCAN_LIMIT) return undefined;
  }
  return undefined;
}

async function getMany(table: Table, tenantId: string, ids: readonly string[]): Promise<Map<string, Evaluation>> {
  const found = new Map<string, Evaluation>();
  let keys: Record<string, unknown>[] = ids.map((id) => evaluationKeys.record(tenantId, id));
  for (let attempt = 1; keys.length > 0; attempt += 1) {
    const response = await table.client.send(new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: keys } } }));
    for (const item of response.Responses?.[table.tableName] ?? []) {
      const evaluation = toEvaluation(item);
      found.set(evaluation.evaluation_id, evaluation);
    }
    keys = (response.UnprocessedKeys?.[table.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    if (keys.length > 0) await backoff(attempt);
  }
  return found;
}

/** Whether an evaluation of the benchmark is pending or running. */
export async function hasActiveEvaluation(table: Table, tenantId: string, benchmarkId: string): Promise<boolean> {
  const pages = queryPages(table.client, {
    TableName: table.tableName,
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    FilterExpression: '#status IN (:pending, :running)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':pk': evaluationKeys.byBenchmarkPartition(tenantId, benchmarkId), ':pending': 'pending', ':running': 'running' },
    ProjectionExpression: 'evaluation_id',
  });
  for await (const page of pages) if (page.items.length > 0) return true;
  return false;
}

/** A tenant's evaluations, newest first, filtered by status, benchmark or model. */
export async function listEvaluations(
  table: Table,
  tenantId: string,
  page: { limit: number; cursor?: string; filter?: EvaluationFilter },
): Promise<Page<Evaluation>> {
  const fixed = { gsi1pk: evaluationKeys.listingPartition(tenantId) };
  const conditions: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':pk': fixed.gsi1pk };
  if (page.filter?.status) {
    conditions.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = page.filter.status;
  }
  if (page.filter?.benchmark_id) {
    conditions.push('benchmark_id = :benchmark');
    values[':benchmark'] = page.filter.benchmark_id;
  }
  if (page.filter?.model_id) {
    conditions.push('(model_id = :model OR model_id_2 = :model)');
    values[':model'] = page.filter.model_id;
  }
  Object.entries(page.filter?.tags ?? {}).forEach(([tag, value], index) => {
    conditions.push(`tags.#tag${index} = :tag${index}`);
    names[`#tag${index}`] = tag;
    values[`:tag${index}`] = value;
  });
  const { items, lastKey } = await fillPage(
    table.client,
    {
      TableName: table.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      FilterExpression: conditions.length > 0 ? conditions.join(' AND ') : undefined,
      ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
    },
    { limit: page.limit, startKey: decodeCursor(page.cursor, { fixed, keys: ['gsi1sk', 'pk', 'sk'] }) },
    (rows) => rows.map(toEvaluation),
  );
  return { items, next_cursor: encodeCursor(lastKey) };
}
