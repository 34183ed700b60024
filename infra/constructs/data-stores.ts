/**
 * Tables and queues, built from the definitions in `shared/contracts/resources.ts` that the local stack uses too.
 */
import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  queueDefinitions,
  tableDefinitions,
  type KeyAttribute,
  type QueueDefinition,
  type QueueName,
  type TableDefinition,
  type TableName,
} from '#shared/contracts/resources.js';

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER };
}

export interface DataStoresProps {
  /** RETAIN for a persistent stage, DESTROY otherwise. */
  removalPolicy: RemovalPolicy;
  /** Refuses table deletion (by CloudFormation or by hand) until switched off. */
  deletionProtection: boolean;
}

export class DataStores extends Construct {
  readonly tables = {} as Record<TableName, TableV2>;
  readonly queues = {} as Record<QueueName, Queue>;

  constructor(scope: Construct, id: string, props: DataStoresProps) {
    super(scope, id);

    for (const [name, definition] of Object.entries(tableDefinitions) as [TableName, TableDefinition][]) {
      this.tables[name] = new TableV2(this, definition.id, {
        partitionKey: attribute(definition.partitionKey),
        sortKey: definition.sortKey && attribute(definition.sortKey),
        // On demand: evaluation traffic comes in bursts (one create fans out into many chunk writes), and an
        // idle deployment then costs nothing.
        billing: Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: TableEncryptionV2.awsManagedKey(),
        globalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          sortKey: attribute(index.sortKey),
        })),
        timeToLiveAttribute: definition.timeToLiveAttribute,
        removalPolicy: props.removalPolicy,
        deletionProtection: props.deletionProtection,
      });
    }

    for (const name of Object.keys(queueDefinitions) as QueueName[]) {
      this.createQueue(name);
    }
  }

  /** Creates a queue after the dead-letter queue it points at, whatever the order of the definitions. */
  private createQueue(name: QueueName, visiting: QueueName[] = []): Queue {
    const existing = this.queues[name];
    if (existing) return existing;
    if (visiting.includes(name)) {
      throw new Error(`Queue definitions form a dead-letter cycle: ${[...visiting, name].join(' -> ')}`);
    }
    const definition: QueueDefinition = queueDefinitions[name];
    const deadLetterName = definition.deadLetterQueue as QueueName | undefined;
    if (deadLetterName !== undefined && !(deadLetterName in queueDefinitions)) {
      throw new Error(`Queue ${name} names an unknown dead-letter queue "${deadLetterName}"`);
    }
    const deadLetterQueue = deadLetterName && this.createQueue(deadLetterName, [...visiting, name]);

    const queue = new Queue(this, definition.id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(definition.retentionSeconds),
      deadLetterQueue: deadLetterQueue ? { queue: deadLetterQueue, maxReceiveCount: definition.maxReceiveCount ?? 5 } : undefined,
    });
    const redrivenFrom = (Object.values(queueDefinitions) as QueueDefinition[]).filter((candidate) => candidate.deadLetterQueue === name);
    if (redrivenFrom.length > 0) {
      Validations.of(queue).acknowledge({
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          `${definition.id} is the dead-letter queue of ${redrivenFrom.map((candidate) => candidate.id).join(', ')}: the end of ` +
          `the redrive chain. It keeps messages ${Math.round(definition.retentionSeconds / 86_400)} days, a consumer fails their ` +
          `work with the reason, and any message left in it raises the ${definition.id}NotEmpty alarm.`,
      });
    }
    this.queues[name] = queue;
    return queue;
  }

  /** Names of the queues that serve as another queue's dead-letter queue. */
  static deadLetterQueueNames(): QueueName[] {
    return (Object.values(queueDefinitions) as QueueDefinition[])
      .map((definition) => definition.deadLetterQueue as QueueName | undefined)
      .filter((name): name is QueueName => name !== undefined);
  }
}
