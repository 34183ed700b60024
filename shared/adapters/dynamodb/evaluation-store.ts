import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { requireEnv } from '../../platform/config.js';
import type { EvaluationResults, ItemResult } from '../../contracts/evaluations/result-types.js';
import type { Evaluation, EvaluationError, EvaluationPlan, EvaluationStatus } from '../../contracts/evaluations/schemas.js';
import { decodeCursor, encodeCursor, type Page } from '../../contracts/pagination.js';
import { tableDefinitions } from '../../contracts/resources.js';
import { logger } from '../../platform/logger.js';
import { isoNow } from '../../platform/time.js';
import {
  BenchmarkVersionChangedError,
  type ChunkTally,
  type CreateOutcome,
  type EvaluationFilter,
  type EvaluationStore,
  type IdempotentCreate,
} from '../../domain/ports/evaluation-store.js';
import { benchmarkKeys } from './benchmark-store.js';
import { queryAll, withoutAttributes } from './queries.js';
import { batchWriteAll, retryConflicts, updateIf } from './writes.js';

/** How long a create's `Idempotency-Key` is remembered. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export const evaluationKeys = {
  record: (tenantId: string, evaluationId: string) => ({ pk: `TENANT#${tenantId}#EVAL#${evaluationId}`, sk: 'EVAL' }),
  listing: (tenantId: string, evaluationId: string) => ({ gsi1pk: `TENANT#${tenantId}#EVALS`, gsi1sk: evaluationId }),
  byBenchmark: (tenantId: string, benchmarkId: string, evaluationId: string) => ({
    gsi2pk: `TENANT#${tenantId}#BENCH#${benchmarkId}`,
    gsi2sk: evaluationId,
  }),
  idempotency: (tenantId: string, key: string) => ({ pk: `TENANT#${tenantId}#IDEMPOTENCY#${key}`, sk: 'IDEMPOTENCY' }),
  chunk: (tenantId: string, evaluationId: string, chunk: number) => ({
    pk: `TENANT#${tenantId}#EVAL#${evaluationId}`,
    sk: `CHUNK#${String(chunk).padStart(6, '0')}`,
  }),
  result: (tenantId: string, evaluationId: string, position: number) => ({
    pk: `TENANT#${tenantId}#EVAL#${evaluationId}`,
    sk: `RESULT#${String(position).padStart(7, '0')}`,
  }),
  /** Present only while the evaluation is unfinished, sorted by last progress. */
  active: (updatedAt: string) => ({ gsi3pk: 'ACTIVE', gsi3sk: updatedAt }),
};

const storageAttributes = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'expires_at', 'tenant_scope']);

/** Whether a transaction was cancelled because the condition of its `index`-th item failed. */
function failedCondition(error: unknown, index: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
}

const resultStorage = new Set(['pk', 'sk']);
const toResult = (item: Record<string, unknown>) => withoutAttributes<ItemResult>(item, resultStorage);

export const toEvaluation = (item: Record<string, unknown>) => withoutAttributes<Evaluation>(item, storageAttributes);

export class DynamoDbEvaluationStore implements EvaluationStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  private readonly benchmarksTableName: string;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string; benchmarksTableName?: string } = {}) {
    this.client = options.client ?? documentClient;
    this.tableName = options.tableName ?? requireEnv(tableDefinitions.evaluations.envVar);
    this.benchmarksTableName = options.benchmarksTableName ?? process.env[tableDefinitions.benchmarks.envVar] ?? '';
  }

  async hasActiveEvaluation(tenantId: string, benchmarkId: string): Promise<boolean> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          FilterExpression: '#status IN (:pending, :running)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': evaluationKeys.byBenchmark(tenantId, benchmarkId, '').gsi2pk, ':pending': 'pending', ':running': 'running' },
          ProjectionExpression: 'evaluation_id',
          ExclusiveStartKey: startKey,
        }),
      );
      if ((page.Items ?? []).length > 0) return true;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return false;
  }

  async create(evaluation: Evaluation, idempotency?: IdempotentCreate, options: { alreadyPinned?: boolean } = {}): Promise<CreateOutcome> {
    const { tenant_id: tenantId, evaluation_id: evaluationId } = evaluation;
    // Pins the version in the benchmark's record, so the next append starts a new version; conditional on
    // the version read, so an append committed in between is noticed instead of silently mixed in.
    const pin = {
      Update: {
        TableName: this.benchmarksTableName,
        Key: benchmarkKeys.meta(tenantId, evaluation.benchmark_id),
        UpdateExpression: 'SET pinned_version = :version',
        ConditionExpression: 'version = :version AND content_hash = :hash',
        ExpressionAttributeValues: { ':version': evaluation.benchmark_version, ':hash': evaluation.benchmark_content_hash },
      },
    };
    const evaluationPut = {
      Put: {
        TableName: this.tableName,
        Item: {
          ...evaluationKeys.record(tenantId, evaluationId),
          ...evaluationKeys.listing(tenantId, evaluationId),
          ...evaluationKeys.byBenchmark(tenantId, evaluation.benchmark_id, evaluationId),
          ...evaluationKeys.active(evaluation.updated_at),
          ...evaluation,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    if (!idempotency && options.alreadyPinned) {
      // The version read was already pinned, so any append committed since started a new version and
      // cannot have changed the items this evaluation pins: a plain conditional put is enough.
      await this.client.send(new PutCommand(evaluationPut.Put));
      return { created: true };
    }
    if (!idempotency) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: [evaluationPut, pin] }));
      } catch (error) {
        throw failedCondition(error, 1) ? new BenchmarkVersionChangedError(evaluation.benchmark_id) : error;
      }
      return { created: true };
    }
    const idempotencyPut = {
      Put: {
        TableName: this.tableName,
        Item: {
          ...evaluationKeys.idempotency(tenantId, idempotency.key),
          ...idempotency,
          expires_at: Math.floor(Date.now() / 1000) + IDEMPOTENCY_TTL_SECONDS,
        },
        // Two concurrent retries of one request race here: exactly one transaction writes the
        // evaluation, the other is cancelled and replays the winner's response.
        ConditionExpression: 'attribute_not_exists(pk) OR expires_at < :now',
        ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000) },
      },
    };
    try {
      await this.client.send(
        new TransactWriteCommand({ TransactItems: options.alreadyPinned ? [idempotencyPut, evaluationPut] : [idempotencyPut, evaluationPut, pin] }),
      );
      return { created: true };
    } catch (error) {
      if (failedCondition(error, 2)) throw new BenchmarkVersionChangedError(evaluation.benchmark_id);
      if (!failedCondition(error, 0)) throw error;
      const previous = await this.getIdempotent(tenantId, idempotency.key);
      if (!previous) throw error;
      return { created: false, previous };
    }
  }

  async get(tenantId: string, evaluationId: string): Promise<Evaluation | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: evaluationKeys.record(tenantId, evaluationId) }),
    );
    return Item ? toEvaluation(Item) : undefined;
  }

  async failToQueue(evaluation: Evaluation, error: EvaluationError, idempotencyKey?: string): Promise<void> {
    const now = isoNow();
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: evaluationKeys.record(evaluation.tenant_id, evaluation.evaluation_id),
              UpdateExpression: 'SET #status = :failed, #error = :error, updated_at = :now, completed_at = :now REMOVE gsi3pk, gsi3sk',
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
              ExpressionAttributeValues: { ':failed': 'failed', ':pending': 'pending', ':error': error, ':now': now },
            },
          },
          ...(idempotencyKey
            ? [{ Delete: { TableName: this.tableName, Key: evaluationKeys.idempotency(evaluation.tenant_id, idempotencyKey) } }]
            : []),
        ],
      }),
    );
  }

  /** pending → running with its chunk plan; undefined when it was not pending (a redelivered start). */
  async markRunning(tenantId: string, evaluationId: string, plan: EvaluationPlan): Promise<Evaluation | undefined> {
    const now = isoNow();
    const applied = await updateIf(this.client, {
      TableName: this.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      UpdateExpression: 'SET #status = :running, #plan = :plan, chunks_done = :zero, started_at = :now, updated_at = :now, gsi3sk = :now',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status', '#plan': 'plan' },
      ExpressionAttributeValues: { ':running': 'running', ':pending': 'pending', ':plan': plan, ':zero': 0, ':now': now },
      ReturnValues: 'ALL_NEW',
    });
    return applied && toEvaluation(applied);
  }

  async getConsistent(tenantId: string, evaluationId: string): Promise<Evaluation | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: evaluationKeys.record(tenantId, evaluationId), ConsistentRead: true }),
    );
    return Item ? toEvaluation(Item) : undefined;
  }

  /** Stored results of the positions [first, first + count), by position. */
  async getResults(tenantId: string, evaluationId: string, first: number, count: number): Promise<Map<number, ItemResult>> {
    const rows = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
      ExpressionAttributeValues: {
        ':pk': evaluationKeys.record(tenantId, evaluationId).pk,
        ':first': evaluationKeys.result(tenantId, evaluationId, first).sk,
        ':last': evaluationKeys.result(tenantId, evaluationId, first + count - 1).sk,
      },
      ConsistentRead: true,
    });
    return new Map(rows.map((row) => [row.position as number, toResult(row)]));
  }

  /** Writes per-item results; rewriting one (a redelivered chunk) replaces it, it never adds a row. */
  async putResults(tenantId: string, evaluationId: string, results: readonly ItemResult[]): Promise<void> {
    await batchWriteAll(
      this.client,
      this.tableName,
      results.map((result) => ({ PutRequest: { Item: { ...evaluationKeys.result(tenantId, evaluationId, result.position), ...result } } })),
    );
  }

  /**
   * Counts a finished chunk exactly once: the chunk's marker and the evaluation's counters change in one
   * transaction, conditional on the marker not existing, so a redelivered or duplicated chunk message
   * adds nothing. Answers false for such a duplicate.
   */
  async recordChunk(tenantId: string, evaluationId: string, chunk: number, tally: ChunkTally): Promise<boolean> {
    const now = isoNow();
    const names: Record<string, string> = { '#progress': 'progress', '#mp': 'model_progress' };
    const values: Record<string, unknown> = { ':one': 1, ':completed': tally.completed_items, ':failed': tally.failed_items, ':now': now };
    const sets = [
      'chunks_done = chunks_done + :one',
      '#progress.completed_items = #progress.completed_items + :completed',
      '#progress.failed_items = #progress.failed_items + :failed',
      'updated_at = :now',
    ];
    Object.entries(tally.models).forEach(([modelId, counts], index) => {
      names[`#m${index}`] = modelId;
      values[`:s${index}`] = counts.scored;
      values[`:f${index}`] = counts.failed;
      sets.push(`#mp.#m${index}.scored = #mp.#m${index}.scored + :s${index}`, `#mp.#m${index}.failed = #mp.#m${index}.failed + :f${index}`);
    });
    // Progress moves an unfinished evaluation's place in the reconciler's index; a finished one has none.
    const progressUpdate = {
      Update: {
        TableName: this.tableName,
        Key: evaluationKeys.record(tenantId, evaluationId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
    const marker = {
      Put: {
        TableName: this.tableName,
        Item: { ...evaluationKeys.chunk(tenantId, evaluationId, chunk), chunk, done_at: now, ...tally },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    try {
      await retryConflicts(() => this.client.send(new TransactWriteCommand({ TransactItems: [marker, progressUpdate] })));
    } catch (error) {
      if (failedCondition(error, 0)) return false;
      throw error;
    }
    // Only the reconciler's stall index: should this fail, the chunk is still counted, and failing the
    // message now would only delay finalizing by a visibility timeout. The evaluation may then look
    // stalled a little early, and a re-drive of counted chunks does nothing.
    await this.touchActive(tenantId, evaluationId, now).catch((error: unknown) => {
      logger.warn('chunk counted, but its progress time was not recorded', { evaluation_id: evaluationId, chunk, error: error as Error });
    });
    return true;
  }

  /** Chunks that have a completion marker. */
  async doneChunks(tenantId: string, evaluationId: string): Promise<Set<number>> {
    const markers = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :chunk)',
      ExpressionAttributeValues: { ':pk': evaluationKeys.record(tenantId, evaluationId).pk, ':chunk': 'CHUNK#' },
      ProjectionExpression: 'chunk',
      ConsistentRead: true,
    });
    return new Set(markers.map((marker) => marker.chunk as number));
  }

  /**
   * Every stored result, page by page, in item order. Strongly consistent: the finalizer reads right after
   * the last chunk wrote, and an eventually consistent read could miss those rows in its aggregates.
   */
  async *allResults(tenantId: string, evaluationId: string): AsyncGenerator<ItemResult[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :result)',
          ExpressionAttributeValues: { ':pk': evaluationKeys.record(tenantId, evaluationId).pk, ':result': 'RESULT#' },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      yield (page.Items ?? []).map(toResult);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async listResults(
    tenantId: string,
    evaluationId: string,
    page: { limit: number; cursor?: string; failedOnly?: boolean; modelId?: string },
  ): Promise<Page<ItemResult>> {
    const pk = evaluationKeys.record(tenantId, evaluationId).pk;
    const items: ItemResult[] = [];
    let startKey: Record<string, unknown> | undefined = decodeCursor(page.cursor, { fixed: { pk }, keys: ['sk'] });
    // Filters run after the read, so a filtered page may need several reads to fill up.
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :result)',
          ExpressionAttributeValues: { ':pk': pk, ':result': 'RESULT#' },
          Limit: page.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const row of (result.Items ?? []).map(toResult)) {
        const outputs = page.modelId ? { [page.modelId]: row.outputs[page.modelId] } : row.outputs;
        if (page.failedOnly && !Object.values(outputs).some((output) => output?.status === 'failed')) continue;
        items.push(page.modelId ? { ...row, outputs: outputs as ItemResult['outputs'] } : row);
      }
      startKey = result.LastEvaluatedKey;
    } while (startKey && items.length < page.limit);
    return { items, next_cursor: encodeCursor(startKey) };
  }

  /** A `listResults` cursor that continues right after the result at `position`, for a reader that stops mid-page. */
  resultCursorAfter(tenantId: string, evaluationId: string, position: number): string {
    return encodeCursor(evaluationKeys.result(tenantId, evaluationId, position)) ?? '';
  }

  /**
   * The one transition to a final state with results: conditional on the status it finishes from, so
   * two finalizers racing (a duplicated last chunk) write once.
   */
  async finish(
    tenantId: string,
    evaluationId: string,
    from: EvaluationStatus,
    to: EvaluationStatus,
    results: EvaluationResults,
    error?: EvaluationError,
  ): Promise<boolean> {
    const now = isoNow();
    const applied = await updateIf(this.client, {
      TableName: this.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      UpdateExpression: `SET #status = :to, results = :results, updated_at = :now, completed_at = :now${error ? ', #error = :error' : ''} REMOVE gsi3pk, gsi3sk`,
      ConditionExpression: '#status = :from AND attribute_not_exists(results)',
      ExpressionAttributeNames: { '#status': 'status', ...(error ? { '#error': 'error' } : {}) },
      ExpressionAttributeValues: { ':to': to, ':from': from, ':results': results, ':now': now, ...(error ? { ':error': error } : {}) },
    });
    return applied !== undefined;
  }

  /** Fails an unfinished evaluation with its reason; false when it had already finished. */
  async fail(tenantId: string, evaluationId: string, error: EvaluationError): Promise<boolean> {
    const now = isoNow();
    const applied = await updateIf(this.client, {
      TableName: this.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      UpdateExpression: 'SET #status = :failed, #error = :error, updated_at = :now, completed_at = :now REMOVE gsi3pk, gsi3sk',
      ConditionExpression: '#status IN (:pending, :running)',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: { ':failed': 'failed', ':error': error, ':now': now, ':pending': 'pending', ':running': 'running' },
    });
    return applied !== undefined;
  }

  /** pending/running → cancelled; the record as it now is, or undefined when it had already finished. */
  async cancel(tenantId: string, evaluationId: string): Promise<Evaluation | undefined> {
    const now = isoNow();
    const applied = await updateIf(this.client, {
      TableName: this.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      UpdateExpression: 'SET #status = :cancelled, cancelled_at = :now, updated_at = :now',
      ConditionExpression: '#status IN (:pending, :running)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':cancelled': 'cancelled', ':now': now, ':pending': 'pending', ':running': 'running' },
      ReturnValues: 'ALL_NEW',
    });
    return applied && toEvaluation(applied);
  }

  async list(tenantId: string, page: { limit: number; cursor?: string; filter?: EvaluationFilter }): Promise<Page<Evaluation>> {
    const fixed = { gsi1pk: evaluationKeys.listing(tenantId, '').gsi1pk };
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
    const items: Evaluation[] = [];
    let startKey: Record<string, unknown> | undefined = decodeCursor(page.cursor, { fixed, keys: ['gsi1sk', 'pk', 'sk'] });
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          FilterExpression: conditions.length > 0 ? conditions.join(' AND ') : undefined,
          ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: page.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(result.Items ?? []).map(toEvaluation));
      startKey = result.LastEvaluatedKey;
    } while (startKey && items.length < page.limit);
    return { items, next_cursor: encodeCursor(startKey) };
  }

  /** Unfinished evaluations whose last progress is older than `before`, oldest first, across tenants. */
  async listStalled(before: string, limit: number): Promise<Evaluation[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :active AND gsi3sk < :before',
        ExpressionAttributeValues: { ':active': 'ACTIVE', ':before': before },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map(toEvaluation);
  }

  /** Counts a re-drive and restarts the stall clock; false when the evaluation finished meanwhile. */
  async recordRedrive(tenantId: string, evaluationId: string): Promise<boolean> {
    const now = isoNow();
    const applied = await updateIf(this.client, {
      TableName: this.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      UpdateExpression: 'SET redrives = if_not_exists(redrives, :zero) + :one, updated_at = :now, gsi3sk = :now',
      ConditionExpression: 'attribute_exists(gsi3pk)',
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':now': now },
    });
    return applied !== undefined;
  }

  /** Records a message the evaluator could not use, for operators to read. */
  async recordDeadLetter(entry: {
    message_id: string;
    body: string;
    reason: string;
    reason_code?: string;
    /** `evaluator`: sent there at once as unreadable; `redrive`: moved there by SQS after failed receives. */
    source?: 'evaluator' | 'redrive';
    evaluation_id?: string;
    tenant_id?: string;
  }): Promise<void> {
    const now = new Date().toISOString();
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: 'DEADLETTER',
          sk: `${now}#${entry.message_id}`,
          ...entry,
          body: entry.body.slice(0, 4000),
          recorded_at: now,
          expires_at: Math.floor(Date.now() / 1000) + 30 * 24 * 3600,
        },
      }),
    );
  }

  private async touchActive(tenantId: string, evaluationId: string, now: string): Promise<void> {
    await updateIf(this.client, {
      TableName: this.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      UpdateExpression: 'SET gsi3sk = :now',
      ConditionExpression: 'attribute_exists(gsi3pk)',
      ExpressionAttributeValues: { ':now': now },
    });
  }

  private async getIdempotent(tenantId: string, key: string): Promise<IdempotentCreate | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: evaluationKeys.idempotency(tenantId, key), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return { key: Item.key, fingerprint: Item.fingerprint, response: Item.response } as IdempotentCreate;
  }
}
