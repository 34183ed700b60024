import { BatchGetCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Benchmark, BenchmarkItem } from '../../contracts/benchmarks/schemas.js';
import { documentClient } from '../aws-clients.js';
import { tableName } from '../../platform/config.js';
import type { Page } from '../../contracts/pagination.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { tableDefinitions } from '../../contracts/resources.js';
import {
  BenchmarkBusyError,
  BenchmarkChangedError,
  BenchmarkNotFoundError,
  type AppendLease,
  type BenchmarkStore,
} from '../../domain/ports/benchmark-store.js';
import { deleteIf, updateIf } from './conditional-writes.js';
import { allOf, anyOf, itemAbsent, itemExists, withCondition, type Condition } from './conditions.js';
import { benchmarkKeys } from './keys.js';
import { listNewestFirst, queryAll, queryPage, queryPages, withoutAttributes } from './queries.js';
import { backoff, batchWriteAll } from './writes.js';

const storageAttributes = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'pending_append', 'pending_until']);

const strip = <T>(item: Record<string, unknown>): T => withoutAttributes<T>(item, storageAttributes);

/** DynamoDB's BatchGetItem limit. */
const GET_BATCH = 100;

/** How long an append may hold a benchmark before another append may take it over. */
const APPEND_LEASE_MS = 60_000;

/** No append holds the benchmark, or the one that did let its lease expire (it crashed, say). */
const notLeased = (now: number): Condition =>
  anyOf({ expression: 'attribute_not_exists(pending_append)' }, { expression: 'pending_until < :now', values: { ':now': now } });

/** This append still holds the lease: one whose lease expired and was taken over commits nothing. */
const leasedBy = (token: string): Condition => ({ expression: 'pending_append = :token', values: { ':token': token } });

export class DynamoDbBenchmarkStore implements BenchmarkStore {
  protected readonly client: DynamoDBDocumentClient;
  readonly tableName: string;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string } = {}) {
    this.client = options.client ?? documentClient;
    this.tableName = options.tableName ?? tableName(tableDefinitions.benchmarks.envVar);
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
    // Benchmark ids are new: the condition only keeps an id that somehow repeats from replacing one.
    await this.client.send(
      new PutCommand(
        withCondition(
          {
            TableName: this.tableName,
            Item: {
              ...benchmarkKeys.meta(benchmark.tenant_id, benchmark.benchmark_id),
              gsi1pk: benchmarkKeys.listing(benchmark.tenant_id),
              gsi1sk: benchmark.benchmark_id,
              ...benchmark,
            },
          },
          itemAbsent,
        ),
      ),
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
    const result = await queryPage(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: {
          ':pk': pk,
          ':first': benchmarkKeys.item(tenantId, benchmark.benchmark_id, first).sk,
          ':last': benchmarkKeys.item(tenantId, benchmark.benchmark_id, last).sk,
        },
        Limit: page.limit,
        ConsistentRead: true,
      },
      startKey,
    );
    const items = result.items.map((item) => strip<BenchmarkItem>(item));
    const lastKey = result.lastKey;
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
        ':first': benchmarkKeys.item(tenantId, benchmarkId, first).sk,
        ':last': benchmarkKeys.item(tenantId, benchmarkId, first + count - 1).sk,
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
    const leased = await updateIf(
      this.client,
      {
        TableName: this.tableName,
        Key: benchmarkKeys.meta(tenantId, benchmarkId),
        UpdateExpression: 'SET pending_append = :token, pending_until = :until',
        ExpressionAttributeValues: { ':token': token, ':until': now + APPEND_LEASE_MS },
        ReturnValues: 'ALL_NEW',
      },
      allOf(itemExists, notLeased(now)),
    );
    if (leased) return { token, benchmark: strip<Benchmark>(leased) };
    if (!(await this.get(tenantId, benchmarkId))) throw new BenchmarkNotFoundError(benchmarkId);
    throw new BenchmarkBusyError(benchmarkId);
  }

  /** Gives the lease back; a lease another append has taken over since is left to that append. */
  async releaseLease(tenantId: string, benchmarkId: string, token: string): Promise<void> {
    await updateIf(
      this.client,
      { TableName: this.tableName, Key: benchmarkKeys.meta(tenantId, benchmarkId), UpdateExpression: 'REMOVE pending_append, pending_until' },
      leasedBy(token),
    );
  }

  /** Ids among `itemIds` already used by committed items (markers past the count are leftovers). */
  async existingItemIds(
    tenantId: string,
    benchmark: Pick<Benchmark, 'benchmark_id' | 'item_count'>,
    itemIds: readonly string[],
  ): Promise<Set<string>> {
    const found = new Set<string>();
    const unique = [...new Set(itemIds)];
    for (let start = 0; start < unique.length; start += GET_BATCH) {
      let keys: Record<string, string>[] = unique
        .slice(start, start + GET_BATCH)
        .map((id) => benchmarkKeys.itemId(tenantId, benchmark.benchmark_id, id));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt > 0) await backoff(attempt);
        const result = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
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
    const committed = await updateIf(
      this.client,
      {
        TableName: this.tableName,
        Key: benchmarkKeys.meta(tenantId, benchmarkId),
        UpdateExpression: 'SET item_count = :count, content_hash = :hash, version = :version, updated_at = :now REMOVE pending_append, pending_until',
        ExpressionAttributeValues: {
          ':count': update.item_count,
          ':hash': update.content_hash,
          ':version': update.version,
          ':now': update.updated_at,
        },
        ReturnValues: 'ALL_NEW',
      },
      leasedBy(token),
    );
    if (!committed) throw new BenchmarkChangedError(benchmarkId);
    return strip<Benchmark>(committed);
  }

  /** Hides the benchmark at once; its items are purged afterwards, in the background. */
  async deleteRecord(tenantId: string, benchmarkId: string): Promise<boolean> {
    return deleteIf(this.client, { TableName: this.tableName, Key: benchmarkKeys.meta(tenantId, benchmarkId) }, itemExists);
  }

  /** Deletes up to `maxItems` stored rows of a deleted benchmark; answers whether any remain. */
  async purgeSome(tenantId: string, benchmarkId: string, maxItems: number): Promise<boolean> {
    const pk = benchmarkKeys.partition(tenantId, benchmarkId);
    const record = benchmarkKeys.meta(tenantId, benchmarkId);
    let deleted = 0;
    let lastKey: Record<string, unknown> | undefined;
    const pages = queryPages(
      this.client,
      { TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ProjectionExpression: 'pk, sk' },
      { limit: () => Math.min(500, maxItems - deleted) },
    );
    for await (const page of pages) {
      // A benchmark recreated under the same id keeps its record; only rows without one are purged.
      const keys = page.items.filter((key) => key.sk !== record.sk) as Record<string, string>[];
      await batchWriteAll(
        this.client,
        this.tableName,
        keys.map((key) => ({ DeleteRequest: { Key: key } })),
      );
      deleted += keys.length;
      lastKey = page.lastKey;
      if (deleted >= maxItems) break;
    }
    return lastKey !== undefined;
  }

  async writeItems(tenantId: string, benchmarkId: string, items: readonly BenchmarkItem[]): Promise<void> {
    const rows = items.flatMap((item) => [
      { ...benchmarkKeys.item(tenantId, benchmarkId, item.position), ...item },
      { ...benchmarkKeys.itemId(tenantId, benchmarkId, item.item_id), item_id: item.item_id, position: item.position },
    ]);
    await batchWriteAll(
      this.client,
      this.tableName,
      rows.map((row) => ({ PutRequest: { Item: row } })),
    );
  }
}
