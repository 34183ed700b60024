import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Benchmark, BenchmarkItem } from '../../contracts/benchmarks/schemas.js';
import { documentClient } from '../aws-clients.js';
import { requireEnv } from '../../platform/config.js';
import { decodeCursor, encodeCursor, type Page } from '../../contracts/pagination.js';
import { tableDefinitions } from '../../contracts/resources.js';
import {
  BenchmarkBusyError,
  BenchmarkChangedError,
  BenchmarkNotFoundError,
  type AppendLease,
  type BenchmarkStore,
} from '../../domain/ports/benchmark-store.js';
import { listNewestFirst, queryAll, withoutAttributes } from './queries.js';
import { backoff, batchWriteAll } from './writes.js';

const POSITION_DIGITS = 7;
const position = (n: number) => String(n).padStart(POSITION_DIGITS, '0');

export const benchmarkKeys = {
  partition: (tenantId: string, benchmarkId: string) => `TENANT#${tenantId}#BENCH#${benchmarkId}`,
  meta: (tenantId: string, benchmarkId: string) => ({ pk: benchmarkKeys.partition(tenantId, benchmarkId), sk: 'META' }),
  item: (tenantId: string, benchmarkId: string, at: number) => ({
    pk: benchmarkKeys.partition(tenantId, benchmarkId),
    sk: `ITEM#${position(at)}`,
  }),
  /** One marker per item id: keeps ids unique across appends without reading every item. */
  itemId: (tenantId: string, benchmarkId: string, itemId: string) => ({
    pk: benchmarkKeys.partition(tenantId, benchmarkId),
    sk: `ID#${itemId}`,
  }),
  listing: (tenantId: string) => `TENANT#${tenantId}#BENCHMARKS`,
};

const storageAttributes = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'pending_append', 'pending_until']);

const strip = <T>(item: Record<string, unknown>): T => withoutAttributes<T>(item, storageAttributes);

/** DynamoDB's BatchGetItem limit. */
const GET_BATCH = 100;

/** How long an append may hold a benchmark before another append may take it over. */
const APPEND_LEASE_MS = 60_000;

export class DynamoDbBenchmarkStore implements BenchmarkStore {
  protected readonly client: DynamoDBDocumentClient;
  readonly tableName: string;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string } = {}) {
    this.client = options.client ?? documentClient;
    this.tableName = options.tableName ?? requireEnv(tableDefinitions.benchmarks.envVar);
  }

  async get(tenantId: string, benchmarkId: string): Promise<Benchmark | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: benchmarkKeys.meta(tenantId, benchmarkId), ConsistentRead: true }),
    );
    return Item ? strip<Benchmark>(Item) : undefined;
  }

  /**
   * Writes the items first and the benchmark's record last: until that last write succeeds, the
   * benchmark does not exist, so a create that fails half-way leaves nothing anyone can see.
   */
  async create(benchmark: Benchmark, items: readonly BenchmarkItem[]): Promise<void> {
    await this.writeItems(benchmark.tenant_id, benchmark.benchmark_id, items);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...benchmarkKeys.meta(benchmark.tenant_id, benchmark.benchmark_id),
          gsi1pk: benchmarkKeys.listing(benchmark.tenant_id),
          gsi1sk: benchmark.benchmark_id,
          ...benchmark,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async list(tenantId: string, page: { limit: number; cursor?: string }): Promise<Page<Benchmark>> {
    const result = await listNewestFirst(this.client, this.tableName, benchmarkKeys.listing(tenantId), page);
    return { items: result.items.map((item) => strip<Benchmark>(item)), next_cursor: result.next_cursor };
  }

  /** Items in order, only those of the committed count: a half-finished append is never visible. */
  async listItems(
    tenantId: string,
    benchmark: Pick<Benchmark, 'benchmark_id' | 'item_count'>,
    page: { limit: number; cursor?: string; from?: number },
  ): Promise<Page<BenchmarkItem>> {
    const pk = benchmarkKeys.partition(tenantId, benchmark.benchmark_id);
    if (benchmark.item_count === 0) return { items: [], next_cursor: null };
    const startKey = decodeCursor(page.cursor, { fixed: { pk }, keys: ['sk'] });
    const first = page.from ?? 0;
    const last = benchmark.item_count - 1;
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: { ':pk': pk, ':first': `ITEM#${position(first)}`, ':last': `ITEM#${position(last)}` },
        Limit: page.limit,
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    const items = (result.Items ?? []).map((item) => strip<BenchmarkItem>(item));
    const lastKey = result.LastEvaluatedKey;
    const more = lastKey !== undefined && (items.at(-1)?.position ?? last) < last;
    return { items, next_cursor: more ? encodeCursor(lastKey) : null };
  }

  /** Items at positions [first, first + count), in order: what one evaluation chunk works on. */
  async readRange(tenantId: string, benchmarkId: string, first: number, count: number): Promise<BenchmarkItem[]> {
    const rows = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
      ExpressionAttributeValues: {
        ':pk': benchmarkKeys.partition(tenantId, benchmarkId),
        ':first': `ITEM#${position(first)}`,
        ':last': `ITEM#${position(first + count - 1)}`,
      },
    });
    return rows.map((item) => strip<BenchmarkItem>(item));
  }

  /**
   * Takes the benchmark for one append. Appends are serialised so that positions and the id check
   * cannot race; a lease that its holder never released expires, so a crashed append blocks nobody.
   */
  async leaseForAppend(tenantId: string, benchmarkId: string, token: string): Promise<AppendLease> {
    const now = Date.now();
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: benchmarkKeys.meta(tenantId, benchmarkId),
          UpdateExpression: 'SET pending_append = :token, pending_until = :until',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(pending_append) OR pending_until < :now)',
          ExpressionAttributeValues: { ':token': token, ':until': now + APPEND_LEASE_MS, ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { token, benchmark: strip<Benchmark>(Attributes ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (!(await this.get(tenantId, benchmarkId))) throw new BenchmarkNotFoundError(benchmarkId);
      throw new BenchmarkBusyError(benchmarkId);
    }
  }

  async releaseLease(tenantId: string, benchmarkId: string, token: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: benchmarkKeys.meta(tenantId, benchmarkId),
          UpdateExpression: 'REMOVE pending_append, pending_until',
          ConditionExpression: 'pending_append = :token',
          ExpressionAttributeValues: { ':token': token },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Ids among `itemIds` already used by committed items (markers past the count are leftovers). */
  async existingItemIds(tenantId: string, benchmark: Pick<Benchmark, 'benchmark_id' | 'item_count'>, itemIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const unique = [...new Set(itemIds)];
    for (let start = 0; start < unique.length; start += GET_BATCH) {
      let keys: Record<string, string>[] = unique
        .slice(start, start + GET_BATCH)
        .map((id) => benchmarkKeys.itemId(tenantId, benchmark.benchmark_id, id));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt > 0) await backoff(attempt);
        const result = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const marker of result.Responses?.[this.tableName] ?? []) {
          if (typeof marker.position === 'number' && marker.position < benchmark.item_count) found.add(String(marker.item_id));
        }
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, string>[];
      }
    }
    return found;
  }

  /** Makes appended items visible, if this append still holds the lease. */
  async commitAppend(
    tenantId: string,
    benchmarkId: string,
    token: string,
    update: Pick<Benchmark, 'item_count' | 'content_hash' | 'version' | 'updated_at'>,
  ): Promise<Benchmark> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: benchmarkKeys.meta(tenantId, benchmarkId),
          UpdateExpression:
            'SET item_count = :count, content_hash = :hash, version = :version, updated_at = :now REMOVE pending_append, pending_until',
          ConditionExpression: 'pending_append = :token',
          ExpressionAttributeValues: {
            ':count': update.item_count,
            ':hash': update.content_hash,
            ':version': update.version,
            ':now': update.updated_at,
            ':token': token,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip<Benchmark>(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new BenchmarkChangedError(benchmarkId);
      throw error;
    }
  }

  /** Hides the benchmark at once; its items are purged afterwards, in the background. */
  async deleteRecord(tenantId: string, benchmarkId: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: benchmarkKeys.meta(tenantId, benchmarkId),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Deletes up to `maxItems` stored rows of a deleted benchmark; answers whether any remain. */
  async purgeSome(tenantId: string, benchmarkId: string, maxItems: number): Promise<boolean> {
    const pk = benchmarkKeys.partition(tenantId, benchmarkId);
    let deleted = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ProjectionExpression: 'pk, sk',
          Limit: Math.min(500, maxItems - deleted),
          ExclusiveStartKey: startKey,
        }),
      );
      // A benchmark recreated under the same id keeps its record; only rows without one are purged.
      const keys = (page.Items ?? []).filter((key) => key.sk !== 'META') as Record<string, string>[];
      await batchWriteAll(this.client, this.tableName, keys.map((key) => ({ DeleteRequest: { Key: key } })));
      deleted += keys.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey && deleted < maxItems);
    return startKey !== undefined;
  }

  async writeItems(tenantId: string, benchmarkId: string, items: readonly BenchmarkItem[]): Promise<void> {
    const rows = items.flatMap((item) => [
      { ...benchmarkKeys.item(tenantId, benchmarkId, item.position), ...item },
      { ...benchmarkKeys.itemId(tenantId, benchmarkId, item.item_id), item_id: item.item_id, position: item.position },
    ]);
    await batchWriteAll(this.client, this.tableName, rows.map((row) => ({ PutRequest: { Item: row } })));
  }
}
