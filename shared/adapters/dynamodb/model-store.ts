import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { tableName } from '../../platform/config.js';
import type { Model } from '../../contracts/models/schemas.js';
import type { Page } from '../../contracts/pagination.js';
import { tableDefinitions } from '../../contracts/resources.js';
import { ModelAlreadyExistsError, type ModelStore } from '../../domain/ports/model-store.js';
import { deleteIf, putIf } from './conditional-writes.js';
import { itemAbsent, itemExists, type Condition } from './conditions.js';
import { modelKeys } from './keys.js';
import { listNewestFirst, withoutAttributes } from './queries.js';

const storageAttributes = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'tenant_id']);
const toModel = (item: Record<string, unknown>) => withoutAttributes<Model>(item, storageAttributes);

/** The default judge is still this model: a registration that made another the default in between keeps it. */
const judgeIs = (modelId: string): Condition => ({ expression: 'default_judge_model_id = :model', values: { ':model': modelId } });

export class DynamoDbModelStore implements ModelStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string } = {}) {
    this.client = options.client ?? documentClient;
    this.tableName = options.tableName ?? tableName(tableDefinitions.models.envVar);
  }

  async create(tenantId: string, model: Model): Promise<void> {
    const created = await putIf(
      this.client,
      {
        TableName: this.tableName,
        Item: {
          ...modelKeys.record(tenantId, model.model_id),
          gsi1pk: modelKeys.listing(tenantId),
          // Newest first, ties broken by id.
          gsi1sk: `${model.created_at}#${model.model_id}`,
          tenant_id: tenantId,
          ...model,
        },
      },
      // Of two registrations of one id, the second is refused instead of replacing the first.
      itemAbsent,
    );
    if (!created) throw new ModelAlreadyExistsError(model.model_id);
  }

  async get(tenantId: string, modelId: string): Promise<Model | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: modelKeys.record(tenantId, modelId) }));
    return Item ? toModel(Item) : undefined;
  }

  async list(tenantId: string, page: { limit: number; cursor?: string }): Promise<Page<Model>> {
    const result = await listNewestFirst(this.client, this.tableName, modelKeys.listing(tenantId), page);
    return { items: result.items.map(toModel), next_cursor: result.next_cursor };
  }

  async setDefaultJudge(tenantId: string, modelId: string): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...modelKeys.settings(tenantId), default_judge_model_id: modelId } }));
  }

  async defaultJudge(tenantId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: modelKeys.settings(tenantId) }));
    return typeof Item?.default_judge_model_id === 'string' ? Item.default_judge_model_id : undefined;
  }

  /** Forgets the tenant's default judge if it is this model (a deleted model cannot judge). */
  async clearDefaultJudge(tenantId: string, modelId: string): Promise<void> {
    await deleteIf(this.client, { TableName: this.tableName, Key: modelKeys.settings(tenantId) }, judgeIs(modelId));
  }

  async delete(tenantId: string, modelId: string): Promise<boolean> {
    return deleteIf(this.client, { TableName: this.tableName, Key: modelKeys.record(tenantId, modelId) }, itemExists);
  }
}
