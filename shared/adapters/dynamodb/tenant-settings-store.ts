import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { tableDefinitions } from '../../contracts/resources.js';
import {
  quotaNames,
  TenantSettingsSchema,
  type SettingName,
  type TenantSettings,
  type TenantSettingsPatch,
} from '../../contracts/tenants/schemas.js';
import type { TenantSettingsStore } from '../../domain/ports/tenant-settings.js';
import { documentClient } from '../aws-clients.js';
import { tableName } from '../../platform/config.js';
import { apiKeyKeys, tenantSettingsKeys } from './keys.js';
import { queryPage } from './queries.js';

const quotaSet = new Set<string>(quotaNames);

/** A stored record back to settings; a value that no longer parses (edited by hand) is left out, not trusted. */
function toSettings(item: Record<string, unknown> | undefined): TenantSettings {
  const quotas = Object.fromEntries(Object.entries(item ?? {}).filter(([name]) => quotaSet.has(name)));
  const parsed = v.safeParse(TenantSettingsSchema, {
    quotas,
    ...(item?.default_budget_usd !== undefined ? { default_budget_usd: item.default_budget_usd } : {}),
  });
  return parsed.success ? parsed.output : { quotas: {} };
}

/**
 * Tenant settings in the API keys table, beside the keys that make a tenant exist: one item per tenant,
 * one attribute per quota, so that setting one quota never overwrites another set at the same time.
 */
export class DynamoDbTenantSettingsStore implements TenantSettingsStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string } = {}) {
    this.client = options.client ?? documentClient;
    this.tableName = options.tableName ?? tableName(tableDefinitions.apiKeys.envVar);
  }

  async get(tenantId: string): Promise<TenantSettings> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: tenantSettingsKeys.record(tenantId), ConsistentRead: true }),
    );
    return toSettings(Item);
  }

  async exists(tenantId: string): Promise<boolean> {
    const page = await queryPage(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': apiKeyKeys.listing(tenantId) },
      Limit: 1,
    });
    return page.items.length > 0;
  }

  async update(tenantId: string, patch: TenantSettingsPatch): Promise<TenantSettings> {
    const entries = Object.entries(patch).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return this.get(tenantId);
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: tenantSettingsKeys.record(tenantId),
        UpdateExpression: `SET tenant_id = :tenant, updated_at = :now, ${entries.map((_, index) => `#n${index} = :v${index}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], index) => [`#n${index}`, name])),
        ExpressionAttributeValues: {
          ':tenant': tenantId,
          ':now': new Date().toISOString(),
          ...Object.fromEntries(entries.map(([, value], index) => [`:v${index}`, value])),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toSettings(Attributes);
  }

  async clear(tenantId: string, name: SettingName): Promise<TenantSettings> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: tenantSettingsKeys.record(tenantId),
        UpdateExpression: 'SET tenant_id = :tenant, updated_at = :now REMOVE #name',
        ExpressionAttributeNames: { '#name': name },
        ExpressionAttributeValues: { ':tenant': tenantId, ':now': new Date().toISOString() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toSettings(Attributes);
  }
}
