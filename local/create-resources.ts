/**
 * Creates the local tables and queues from `shared/contracts/resources.ts`, the definitions the CDK stack uses, so
 * local and cloud cannot drift. Idempotent: a restart reuses the tables kept in the data directory and
 * only adds what the definitions gained since (a new index, a TTL attribute).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueNameExists,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  queueDefinitions,
  tableDefinitions,
  type IndexDefinition,
  type KeyAttribute,
  type QueueDefinition,
  type QueueName,
  type TableDefinition,
  type TableName,
} from '#shared/contracts/resources.js';
import { pollUntil } from './poll.js';

/** Local resource names: `arbiter-local-Evaluations`, `arbiter-local-WorkQueue`. */
export function localResourceName(id: string): string {
  return `arbiter-local-${id}`;
}

export interface LocalQueue {
  url: string;
  arn: string;
}

export interface LocalResources {
  tables: Record<TableName, string>;
  queues: Record<QueueName, LocalQueue>;
}

export interface CreateResourcesOptions {
  dynamoDb: DynamoDBClient;
  sqs: SQSClient;
  /**
   * Replaces every queue's visibility timeout. The deployed 30 minutes (six times the evaluator timeout)
   * would make a test of redelivery or of the DLQ wait half an hour.
   */
  visibilityTimeoutSeconds?: number;
}

export async function createResources(options: CreateResourcesOptions): Promise<LocalResources> {
  const tables = {} as Record<TableName, string>;
  for (const [name, definition] of Object.entries(tableDefinitions) as [TableName, TableDefinition][]) {
    tables[name] = await ensureTable(options.dynamoDb, definition);
  }
  return { tables, queues: await ensureQueues(options.sqs, options.visibilityTimeoutSeconds) };
}

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute): KeySchemaElement[] {
  return [{ AttributeName: partitionKey.name, KeyType: 'HASH' }, ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : [])];
}

function attributeDefinitions(keys: (KeyAttribute | undefined)[]): AttributeDefinition[] {
  const byName = new Map<string, AttributeDefinition>();
  for (const key of keys) if (key) byName.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  return [...byName.values()];
}

function indexSpec(index: IndexDefinition): GlobalSecondaryIndex {
  return {
    IndexName: index.indexName,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: { ProjectionType: 'ALL' },
  };
}

async function describe(client: DynamoDBClient, tableName: string) {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function ensureTable(client: DynamoDBClient, definition: TableDefinition): Promise<string> {
  const tableName = localResourceName(definition.id);
  const existing = await describe(client, tableName);
  if (!existing) {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: keySchema(definition.partitionKey, definition.sortKey),
        AttributeDefinitions: attributeDefinitions([
          definition.partitionKey,
          definition.sortKey,
          ...definition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
        ]),
        ...(definition.globalSecondaryIndexes.length > 0 ? { GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map(indexSpec) } : {}),
      }),
    );
  } else {
    assertSameKeys(tableName, existing.KeySchema ?? [], keySchema(definition.partitionKey, definition.sortKey));
    const present = new Set((existing.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    for (const index of definition.globalSecondaryIndexes.filter((candidate) => !present.has(candidate.indexName))) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: attributeDefinitions([index.partitionKey, index.sortKey]),
          GlobalSecondaryIndexUpdates: [{ Create: indexSpec(index) }],
        }),
      );
    }
  }
  await waitUntilActive(client, tableName);
  if (definition.timeToLiveAttribute) await ensureTimeToLive(client, tableName, definition.timeToLiveAttribute);
  return tableName;
}

/** A key change cannot be applied in place, in DynamoDB Local as in AWS: say how to start over. */
function assertSameKeys(tableName: string, actual: KeySchemaElement[], expected: KeySchemaElement[]): void {
  const render = (schema: KeySchemaElement[]) => schema.map((key) => `${key.AttributeName}:${key.KeyType}`).join(',');
  if (render(actual) !== render(expected)) {
    throw new Error(
      `Local table ${tableName} has keys ${render(actual)} but shared/contracts/resources.ts defines ${render(expected)}. ` +
        'Delete the local data (the dynamodb folder in the data directory) and start again.',
    );
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  await pollUntil(
    async () => {
      const table = await describe(client, tableName);
      return table?.TableStatus === 'ACTIVE' && (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    },
    { timeoutMs: 30_000, description: `table ${tableName} to become ACTIVE` },
  );
}

async function ensureTimeToLive(client: DynamoDBClient, tableName: string, attributeName: string): Promise<void> {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const description = current.TimeToLiveDescription;
  if (description?.TimeToLiveStatus === 'ENABLED' && description.AttributeName === attributeName) return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: attributeName },
    }),
  );
}

async function ensureQueues(client: SQSClient, visibilityOverride?: number): Promise<Record<QueueName, LocalQueue>> {
  const entries = Object.entries(queueDefinitions) as [QueueName, QueueDefinition][];
  const queues = {} as Record<QueueName, LocalQueue>;
  // A redrive policy names its dead-letter queue's ARN, so queues without one are created first.
  const ordered = [...entries.filter(([, q]) => !q.deadLetterQueue), ...entries.filter(([, q]) => q.deadLetterQueue)];
  for (const [name, definition] of ordered) {
    const attributes: Record<string, string> = {
      VisibilityTimeout: String(visibilityOverride ?? definition.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(definition.retentionSeconds),
    };
    if (definition.deadLetterQueue) {
      const deadLetter = queues[definition.deadLetterQueue as QueueName];
      if (!deadLetter) throw new Error(`Queue ${definition.id} names an unknown dead-letter queue ${definition.deadLetterQueue}`);
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: deadLetter.arn,
        maxReceiveCount: definition.maxReceiveCount ?? 5,
      });
    }
    queues[name] = await ensureQueue(client, localResourceName(definition.id), attributes);
  }
  return queues;
}

async function ensureQueue(client: SQSClient, queueName: string, attributes: Record<string, string>): Promise<LocalQueue> {
  let url: string | undefined;
  try {
    url = (await client.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }))).QueueUrl;
  } catch (error) {
    // Same name, other attributes (e.g. a changed visibility override): apply the current ones.
    if (!(error instanceof QueueNameExists)) throw error;
    url = (await client.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl;
    await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  }
  if (!url) throw new Error(`The SQS emulator returned no URL for queue ${queueName}`);
  const arn = (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  if (!arn) throw new Error(`The SQS emulator returned no ARN for queue ${queueName}`);
  return { url, arn };
}
