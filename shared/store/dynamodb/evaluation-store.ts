import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../clients.js';
import { requireEnv } from '../../config.js';
import type { Evaluation, EvaluationError } from '../../evaluations/schemas.js';
import { tableDefinitions } from '../../resources.js';
import { isoNow } from '../../time.js';
import { BenchmarkVersionChangedError, type CreateOutcome, type EvaluationStore, type IdempotentCreate } from '../evaluation-store.js';
import { benchmarkKeys } from './benchmark-store.js';

/** How long a create's `Idempotency-Key` is remembered. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export const evaluationKeys = {
  record: (tenantId: string, evaluationId: string) => ({ pk: `TENANT#${tenantId}#EVAL#${evaluationId}`, sk: 'EVAL' }),
  listing: (tenantId: string, evaluationId: string) => ({ gsi1pk: `TENANT#${tenantId}#EVALS`, gsi1sk: evaluationId }),
  byBenchmark: (tenantId: string, benchmarkId: string, evaluationId: string) => ({
    gsi2pk: `TENANT#${tenantId}#BENCH#${benchmarkId}`,
    gsi2sk: evaluationId,
  }),
  idempotency: (tenantId: string, key: string) => ({ pk: `TENANT#${tenantId}#IDEMPOTENCY#${key}`, sk: 'IDEMPOTENCY' }),
};

const storageAttributes = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'expires_at']);

/** Whether a transaction was cancelled because the condition of its `index`-th item failed. */
function failedCondition(error: unknown, index: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
}

export function toEvaluation(item: Record<string, unknown>): Evaluation {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !storageAttributes.has(name))) as unknown as Evaluation;
}

export class DynamoDbEvaluationStore implements EvaluationStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  private readonly benchmarksTableName: string;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string; benchmarksTableName?: string } = {}) {
    this.client = options.client ?? documentClient;
    this.tableName = options.tableName ?? requireEnv(tableDefinitions.evaluations.envVar);
    this.benchmarksTableName = options.benchmarksTableName ?? process.env[tableDefinitions.benchmarks.envVar] ?? '';
  }

  async hasActiveEvaluation(tenantId: string, benchmarkId: string): Promise<boolean> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          FilterExpression: '#status IN (:pending, :running)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': evaluationKeys.byBenchmark(tenantId, benchmarkId, '').gsi2pk, ':pending': 'pending', ':running': 'running' },
          ProjectionExpression: 'evaluation_id',
          ExclusiveStartKey: startKey,
        }),
      );
      if ((page.Items ?? []).length > 0) return true;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return false;
  }

  async create(evaluation: Evaluation, idempotency?: IdempotentCreate): Promise<CreateOutcome> {
    const { tenant_id: tenantId, evaluation_id: evaluationId } = evaluation;
    // Pins the version in the benchmark's record, so the next append starts a new version; conditional on
    // the version read, so an append committed in between is noticed instead of silently mixed in.
    const pin = {
      Update: {
        TableName: this.benchmarksTableName,
        Key: benchmarkKeys.meta(tenantId, evaluation.benchmark_id),
        UpdateExpression: 'SET pinned_version = :version',
        ConditionExpression: 'version = :version AND content_hash = :hash',
        ExpressionAttributeValues: { ':version': evaluation.benchmark_version, ':hash': evaluation.benchmark_content_hash },
      },
    };
    const evaluationPut = {
      Put: {
        TableName: this.tableName,
        Item: {
          ...evaluationKeys.record(tenantId, evaluationId),
          ...evaluationKeys.listing(tenantId, evaluationId),
          ...evaluationKeys.byBenchmark(tenantId, evaluation.benchmark_id, evaluationId),
          ...evaluation,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    if (!idempotency) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: [evaluationPut, pin] }));
      } catch (error) {
        throw failedCondition(error, 1) ? new BenchmarkVersionChangedError(evaluation.benchmark_id) : error;
      }
      return { created: true };
    }
    const idempotencyPut = {
      Put: {
        TableName: this.tableName,
        Item: {
          ...evaluationKeys.idempotency(tenantId, idempotency.key),
          ...idempotency,
          expires_at: Math.floor(Date.now() / 1000) + IDEMPOTENCY_TTL_SECONDS,
        },
        // Two concurrent retries of one request race here: exactly one transaction writes the
        // evaluation, the other is cancelled and replays the winner's response.
        ConditionExpression: 'attribute_not_exists(pk) OR expires_at < :now',
        ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000) },
      },
    };
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [idempotencyPut, evaluationPut, pin] }));
      return { created: true };
    } catch (error) {
      if (failedCondition(error, 2)) throw new BenchmarkVersionChangedError(evaluation.benchmark_id);
      if (!failedCondition(error, 0)) throw error;
      const previous = await this.getIdempotent(tenantId, idempotency.key);
      if (!previous) throw error;
      return { created: false, previous };
    }
  }

  async get(tenantId: string, evaluationId: string): Promise<Evaluation | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: evaluationKeys.record(tenantId, evaluationId) }),
    );
    return Item ? toEvaluation(Item) : undefined;
  }

  async failToQueue(evaluation: Evaluation, error: EvaluationError, idempotencyKey?: string): Promise<void> {
    const now = isoNow();
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: evaluationKeys.record(evaluation.tenant_id, evaluation.evaluation_id),
              UpdateExpression: 'SET #status = :failed, #error = :error, updated_at = :now, completed_at = :now',
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
              ExpressionAttributeValues: { ':failed': 'failed', ':pending': 'pending', ':error': error, ':now': now },
            },
          },
          ...(idempotencyKey
            ? [{ Delete: { TableName: this.tableName, Key: evaluationKeys.idempotency(evaluation.tenant_id, idempotencyKey) } }]
            : []),
        ],
      }),
    );
  }

  private async getIdempotent(tenantId: string, key: string): Promise<IdempotentCreate | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: evaluationKeys.idempotency(tenantId, key), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return { key: Item.key, fingerprint: Item.fingerprint, response: Item.response } as IdempotentCreate;
  }
}
