/**
 * The one description of Arbiter's tables and queues. The CDK stack builds them from here and the local
 * stack creates them from here, so cloud and laptop cannot drift apart.
 */

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
}

export interface TableDefinition {
  /** Logical name: CDK construct id and the suffix of the local table name. */
  id: string;
  /** Environment variable through which a function learns the table's name. */
  envVar: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  globalSecondaryIndexes: IndexDefinition[];
  /** Attribute holding an epoch-seconds expiry, when items of this table expire. */
  timeToLiveAttribute?: string;
}

const pk: KeyAttribute = { name: 'pk', type: 'S' };
const sk: KeyAttribute = { name: 'sk', type: 'S' };
const byTenantNewestFirst: IndexDefinition = {
  indexName: 'gsi1',
  partitionKey: { name: 'gsi1pk', type: 'S' },
  sortKey: { name: 'gsi1sk', type: 'S' },
};

export const tableDefinitions = {
  apiKeys: {
    id: 'ApiKeys',
    envVar: 'API_KEYS_TABLE',
    partitionKey: pk,
    globalSecondaryIndexes: [byTenantNewestFirst],
  },
  benchmarks: {
    id: 'Benchmarks',
    envVar: 'BENCHMARKS_TABLE',
    partitionKey: pk,
    sortKey: sk,
    globalSecondaryIndexes: [byTenantNewestFirst],
  },
  models: {
    id: 'Models',
    envVar: 'MODELS_TABLE',
    partitionKey: pk,
    sortKey: sk,
    globalSecondaryIndexes: [byTenantNewestFirst],
  },
  evaluations: {
    id: 'Evaluations',
    envVar: 'EVALUATIONS_TABLE',
    partitionKey: pk,
    sortKey: sk,
    globalSecondaryIndexes: [
      byTenantNewestFirst,
      // A benchmark's evaluations, newest first: guards deleting a benchmark that is in use.
      { indexName: 'gsi2', partitionKey: { name: 'gsi2pk', type: 'S' }, sortKey: { name: 'gsi2sk', type: 'S' } },
      // Sparse: only unfinished evaluations carry gsi3pk, by last progress; the reconciler finds stalls here.
      { indexName: 'gsi3', partitionKey: { name: 'gsi3pk', type: 'S' }, sortKey: { name: 'gsi3sk', type: 'S' } },
    ],
    timeToLiveAttribute: 'expires_at',
  },
  // Apart from the rest: every authenticated route counts its request here, so every route may write it;
  // it holds nothing else, and each window expires a few minutes after its minute.
  requestRates: {
    id: 'RequestRates',
    envVar: 'REQUEST_RATES_TABLE',
    partitionKey: pk,
    globalSecondaryIndexes: [],
    timeToLiveAttribute: 'expires_at',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableName = keyof typeof tableDefinitions;

/** The evaluator's limits; the queue's settings are derived from them. */
export const evaluatorSettings = {
  timeoutSeconds: 300,
  memorySizeMb: 1024,
  batchSize: 5,
  /** Caps concurrent evaluator invocations, and so the load one deployment puts on model providers. */
  maxConcurrency: 20,
} as const;

export interface QueueDefinition {
  id: string;
  envVar: string;
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  /** For a queue with a dead-letter queue: receives before a message is moved there. */
  maxReceiveCount?: number;
  deadLetterQueue?: string;
}

export const queueDefinitions = {
  workDeadLetter: {
    id: 'WorkDeadLetterQueue',
    envVar: 'WORK_DLQ_URL',
    // The dead-letter handler consumes it with the evaluator's limits, so the same six-times rule applies.
    visibilityTimeoutSeconds: 6 * evaluatorSettings.timeoutSeconds,
    retentionSeconds: 14 * 24 * 3600,
  },
  work: {
    id: 'WorkQueue',
    envVar: 'WORK_QUEUE_URL',
    // AWS recommends at least six times the consumer's timeout, so a batch that is retried inside one
    // invocation is not redelivered to a second invocation meanwhile.
    visibilityTimeoutSeconds: 6 * evaluatorSettings.timeoutSeconds,
    retentionSeconds: 4 * 24 * 3600,
    maxReceiveCount: 5,
    deadLetterQueue: 'workDeadLetter',
  },
} as const satisfies Record<string, QueueDefinition>;

export type QueueName = keyof typeof queueDefinitions;
