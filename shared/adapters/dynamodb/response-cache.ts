import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableDefinitions } from '../../contracts/resources.js';
import type { CachedAnswer, ResponseCache } from '../../domain/ports/response-cache.js';
import { serviceConfig, tableName } from '../../platform/config.js';
import { documentClient } from '../aws-clients.js';
import { responseCacheKeys } from './keys.js';
import type { Table } from './table.js';

/**
 * The response cache in the evaluations table, one item per tenant and call hash, expiring through the
 * table's TTL attribute (`expires_at`) after `ARBITER_CACHE_TTL_SECONDS`. DynamoDB deletes expired items
 * only eventually (within days), so a read also refuses an entry past its time.
 */
export class DynamoDbResponseCache implements ResponseCache {
  private readonly table: Table;
  private readonly ttlSeconds: () => number;
  private readonly now: () => number;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string; ttlSeconds?: number; now?: () => number } = {}) {
    this.table = { client: options.client ?? documentClient, tableName: options.tableName ?? tableName(tableDefinitions.evaluations.envVar) };
    const { ttlSeconds } = options;
    this.ttlSeconds = ttlSeconds === undefined ? () => serviceConfig.cacheTtlSeconds : () => ttlSeconds;
    this.now = options.now ?? Date.now;
  }

  async get(tenantId: string, key: string): Promise<CachedAnswer | undefined> {
    const { Item } = await this.table.client.send(new GetCommand({ TableName: this.table.tableName, Key: responseCacheKeys.entry(tenantId, key) }));
    if (!Item || (Item.expires_at as number) <= Math.floor(this.now() / 1000)) return undefined;
    return Item.answer as CachedAnswer;
  }

  async put(tenantId: string, key: string, answer: CachedAnswer): Promise<void> {
    const nowSeconds = Math.floor(this.now() / 1000);
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          ...responseCacheKeys.entry(tenantId, key),
          // Kept beside the key so an operator can tell whose entry an item is without the hash.
          tenant_id: tenantId,
          answer,
          cached_at: new Date(nowSeconds * 1000).toISOString(),
          expires_at: nowSeconds + this.ttlSeconds(),
        },
      }),
    );
  }
}
