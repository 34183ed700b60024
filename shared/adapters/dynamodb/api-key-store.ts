import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { digestsEqual, displayPrefix, generateApiKey, hashApiKey } from '../../domain/auth/api-keys.js';
import type { Scope } from '../../contracts/auth/scopes.js';
import { documentClient } from '../aws-clients.js';
import { tableName } from '../../platform/config.js';
import { newId } from '../../platform/ids.js';
import { tableDefinitions } from '../../contracts/resources.js';
import { updateIf } from './conditional-writes.js';
import { allOf, itemExists, type Condition } from './conditions.js';
import { apiKeyKeys } from './keys.js';
import { queryAll, queryPage } from './queries.js';

export interface ApiKeyRecord {
  key_id: string;
  tenant_id: string;
  scopes: Scope[];
  prefix: string;
  name?: string;
  created_at: string;
  revoked_at?: string;
}

export interface IssuedApiKey {
  /** The plaintext key: shown once, never stored. */
  key: string;
  record: ApiKeyRecord;
}

/** Not revoked yet: revoking twice keeps the first revocation time rather than moving it. */
const notRevoked: Condition = { expression: 'attribute_not_exists(revoked_at)' };

export class DynamoDbApiKeyStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string } = {}) {
    this.client = options.client ?? documentClient;
    this.tableName = options.tableName ?? tableName(tableDefinitions.apiKeys.envVar);
  }

  /** Issues a key; `plaintextKey` lets the local stack keep a fixed development key across restarts. */
  async issue(input: { tenantId: string; scopes: Scope[]; name?: string; plaintextKey?: string }): Promise<IssuedApiKey> {
    const key = input.plaintextKey ?? generateApiKey();
    const digest = hashApiKey(key);
    const record: ApiKeyRecord = {
      key_id: newId('key'),
      tenant_id: input.tenantId,
      scopes: input.scopes,
      prefix: displayPrefix(key),
      name: input.name,
      created_at: new Date().toISOString(),
    };
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...apiKeyKeys.record(digest), digest, gsi1pk: apiKeyKeys.listing(input.tenantId), gsi1sk: record.key_id, ...record },
      }),
    );
    return { key, record };
  }

  /** The live record for a presented key, or undefined for an unknown or revoked one. */
  async resolve(key: string): Promise<ApiKeyRecord | undefined> {
    const digest = hashApiKey(key);
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: apiKeyKeys.record(digest) }));
    if (!Item || typeof Item.digest !== 'string' || !digestsEqual(Item.digest, digest) || Item.revoked_at) {
      return undefined;
    }
    return toRecord(Item);
  }

  async list(tenantId: string): Promise<ApiKeyRecord[]> {
    const rows = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': apiKeyKeys.listing(tenantId) },
      ScanIndexForward: false,
    });
    return rows.map(toRecord);
  }

  /** The revoked key's record, or undefined when the tenant has no key of that id. */
  async revoke(tenantId: string, keyId: string): Promise<ApiKeyRecord | undefined> {
    const page = await queryPage(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
      ExpressionAttributeValues: { ':pk': apiKeyKeys.listing(tenantId), ':sk': keyId },
    });
    const item = page.items[0];
    if (!item) return undefined;
    const revoked = await updateIf(
      this.client,
      {
        TableName: this.tableName,
        Key: { pk: item.pk },
        UpdateExpression: 'SET revoked_at = :now',
        ExpressionAttributeValues: { ':now': new Date().toISOString() },
        ReturnValues: 'ALL_NEW',
      },
      allOf(itemExists, notRevoked),
    );
    return toRecord(revoked ?? item);
  }
}

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  const { pk: _pk, digest: _digest, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, ...record } = item;
  return record as unknown as ApiKeyRecord;
}
