import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Comparison, ComparedItem } from '../../contracts/comparisons/schemas.js';
import type { Page } from '../../contracts/pagination.js';
import { tableDefinitions } from '../../contracts/resources.js';
import type { ComparisonStore, ItemChange } from '../../domain/ports/comparison-store.js';
import { tableName } from '../../platform/config.js';
import { documentClient } from '../aws-clients.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { comparisonKeys } from './keys.js';
import { queryPage, withoutAttributes } from './queries.js';
import type { Table } from './table.js';
import { backoff } from './writes.js';

const storage = new Set(['pk', 'sk']);
/** Batch writes in flight at once: enough to keep DynamoDB busy, few enough not to starve other requests of one container. */
const WRITERS = 8;

/** Comparisons in the evaluations table, beside the evaluations they compare (docs/data-model.md). */
export class DynamoDbComparisonStore implements ComparisonStore {
  private readonly table: Table;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string } = {}) {
    this.table = { client: options.client ?? documentClient, tableName: options.tableName ?? tableName(tableDefinitions.evaluations.envVar) };
  }

  async put(tenantId: string, comparison: Comparison, changed: readonly ComparedItem[]): Promise<void> {
    const id = comparison.comparison_id;
    const rows = changed.flatMap((item) =>
      (['regressed', 'improved'] as const)
        .filter((change) => Object.values(item.scores).some((score) => score.change === change))
        .map((change) => ({ ...comparisonKeys.item(tenantId, id, change, item.position), ...item })),
    );
    const batches: (typeof rows)[] = [];
    for (let i = 0; i < rows.length; i += 25) batches.push(rows.slice(i, i + 25));
    let next = 0;
    const writer = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await this.writeBatch(batch);
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITERS, batches.length) }, writer));
    // Last: until the record exists the comparison answers 404, so no reader sees it with items missing.
    await this.table.client.send(
      new PutCommand({ TableName: this.table.tableName, Item: { ...comparisonKeys.record(tenantId, id), ...comparison } }),
    );
  }

  private async writeBatch(items: Record<string, unknown>[]): Promise<void> {
    let requests = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; requests.length > 0; attempt += 1) {
      const response = await this.table.client.send(new BatchWriteCommand({ RequestItems: { [this.table.tableName]: requests } }));
      requests = (response.UnprocessedItems?.[this.table.tableName] as typeof requests | undefined) ?? [];
      if (requests.length > 0) await backoff(attempt);
    }
  }

  async get(tenantId: string, comparisonId: string): Promise<Comparison | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: comparisonKeys.record(tenantId, comparisonId) }),
    );
    return Item ? withoutAttributes<Comparison>(Item, storage) : undefined;
  }

  async listItems(tenantId: string, comparisonId: string, change: ItemChange, page: { limit: number; cursor?: string }): Promise<Page<ComparedItem>> {
    const pk = comparisonKeys.partition(tenantId, comparisonId);
    const result = await queryPage(
      this.table.client,
      {
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :change)',
        ExpressionAttributeValues: { ':pk': pk, ':change': comparisonKeys.itemPrefix(change) },
        Limit: page.limit,
      },
      decodeCursor(page.cursor, { fixed: { pk }, keys: ['sk'] }),
    );
    return { items: result.items.map((row) => withoutAttributes<ComparedItem>(row, storage)), next_cursor: encodeCursor(result.lastKey) };
  }
}
