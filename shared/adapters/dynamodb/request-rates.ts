import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableDefinitions } from '../../contracts/resources.js';
import type { MinuteWindow } from '../../domain/tenants/calendar.js';
import { documentClient } from '../aws-clients.js';
import { tableName } from '../../platform/config.js';
import { updateIf } from './conditional-writes.js';
import { requestRateKeys } from './keys.js';

/**
 * Fixed one-minute windows of each tenant's request count, one item per tenant and minute that DynamoDB's
 * TTL removes after it. Counting is one conditional update: the count goes up only while it is below the
 * limit, so a refused request does not count and concurrent requests cannot overshoot it.
 */
export class DynamoDbRequestRates {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string } = {}) {
    this.client = options.client ?? documentClient;
    this.tableName = options.tableName ?? tableName(tableDefinitions.requestRates.envVar);
  }

  /** Counts one request in the window; false (and nothing counted) when the window already holds `limit`. */
  async take(tenantId: string, limit: number, window: MinuteWindow): Promise<boolean> {
    const applied = await updateIf(
      this.client,
      {
        TableName: this.tableName,
        Key: requestRateKeys.window(tenantId, window.minute),
        UpdateExpression: 'ADD requests :one SET expires_at = :expires',
        ExpressionAttributeValues: { ':one': 1, ':expires': window.expiresAt },
      },
      { expression: 'attribute_not_exists(requests) OR requests < :limit', values: { ':limit': limit } },
    );
    return applied !== undefined;
  }

  /** Requests counted in the window so far. */
  async counted(tenantId: string, window: MinuteWindow): Promise<number> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: requestRateKeys.window(tenantId, window.minute), ProjectionExpression: 'requests' }),
    );
    return typeof Item?.requests === 'number' ? Item.requests : 0;
  }
}
