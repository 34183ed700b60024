import { BatchWriteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Benchmark, BenchmarkItem } from '../../benchmarks/schemas.js';
import { documentClient } from '../../clients.js';
import { requireEnv } from '../../config.js';
import { tableDefinitions } from '../../resources.js';

const POSITION_DIGITS = 7;

export const benchmarkKeys = {
  meta: (tenantId: string, benchmarkId: string) => ({ pk: `TENANT#${tenantId}#BENCH#${benchmarkId}`, sk: 'META' }),
  item: (tenantId: string, benchmarkId: string, position: number) => ({
    pk: `TENANT#${tenantId}#BENCH#${benchmarkId}`,
    sk: `ITEM#${String(position).padStart(POSITION_DIGITS, '0')}`,
  }),
  listing: (tenantId: string, benchmarkId: string) => ({ gsi1pk: `TENANT#${tenantId}#BENCHMARKS`, gsi1sk: benchmarkId }),
};

const storageAttributes = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'pending_append', 'pending_until']);

function strip<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !storageAttributes.has(name))) as T;
}

/** DynamoDB's BatchWriteItem limit. */
const BATCH_SIZE = 25;

export class DynamoDbBenchmarkStore {
  protected readonly client: DynamoDBDocumentClient;
  protected readonly tableName: string;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string } = {}) {
    this.client = options.client ?? documentClient;
    this.tableName = options.tableName ?? requireEnv(tableDefinitions.benchmarks.envVar);
  }

  async get(tenantId: string, benchmarkId: string): Promise<Benchmark | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: benchmarkKeys.meta(tenantId, benchmarkId) }),
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
          ...benchmarkKeys.listing(benchmark.tenant_id, benchmark.benchmark_id),
          ...benchmark,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  protected async writeItems(tenantId: string, benchmarkId: string, items: readonly BenchmarkItem[]): Promise<void> {
    const batches: BenchmarkItem[][] = [];
    for (let start = 0; start < items.length; start += BATCH_SIZE) batches.push(items.slice(start, start + BATCH_SIZE));
    // A few batches in flight at once: DynamoDB scales with parallel requests, one at a time is latency-bound.
    const inFlight = 4;
    for (let next = 0; next < batches.length; next += inFlight) {
      await Promise.all(batches.slice(next, next + inFlight).map((batch) => this.writeBatch(tenantId, benchmarkId, batch)));
    }
  }

  private async writeBatch(tenantId: string, benchmarkId: string, batch: readonly BenchmarkItem[]): Promise<void> {
    let requests = batch.map((item) => ({
      PutRequest: { Item: { ...benchmarkKeys.item(tenantId, benchmarkId, item.position), ...item } },
    }));
    for (let attempt = 0; requests.length > 0; attempt += 1) {
      if (attempt > 8) throw new Error(`DynamoDB left ${requests.length} benchmark items unprocessed after ${attempt} attempts`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));
      const result = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
      requests = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
    }
  }
}
