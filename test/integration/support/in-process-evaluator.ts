/**
 * The evaluator's own code (start, chunk, finalize) run inside the test process against the stack's real
 * DynamoDB Local, with whatever DynamoDB client the test hands in (one carrying injected faults, say).
 * Messages the evaluator would send go to an in-memory queue the test delivers from, so the test decides
 * how often and in what order each is delivered.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import type { EvaluatorDeps } from '#shared/domain/evaluator/deps.js';
import { scorerFor } from '#shared/domain/evaluator/metric-scorer.js';
import { runChunk } from '#shared/domain/evaluator/run-chunk.js';
import { startEvaluation } from '#shared/domain/evaluator/start-evaluation.js';
import { createEvaluation } from '#shared/domain/evaluations/create-evaluation.js';
import { CreateEvaluationRequestSchema } from '#shared/contracts/evaluations/schemas.js';
import type { StartMessage, WorkMessage } from '#shared/contracts/messages.js';
import { EnvironmentCredentialCheck } from '#shared/adapters/secrets/credential-check.js';
import type { Model } from '#shared/contracts/models/schemas.js';
import { createModelClient } from '#shared/adapters/providers/model-client.js';
import type { ModelClient } from '#shared/domain/ports/model-client.js';
import type { WorkQueue } from '#shared/domain/ports/work-queue.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { DynamoDbModelStore } from '#shared/adapters/dynamodb/model-store.js';
import { DynamoDbSpendLedger } from '#shared/adapters/dynamodb/spend-ledger.js';

/** Keeps what the evaluator sends, in order; the test takes the messages out and delivers them. */
export class MemoryQueue implements WorkQueue {
  messages: WorkMessage[] = [];

  async send(message: WorkMessage): Promise<void> {
    this.messages.push(message);
  }

  async sendAll(messages: readonly WorkMessage[]): Promise<void> {
    this.messages.push(...messages);
  }

  take(): WorkMessage[] {
    const taken = this.messages;
    this.messages = [];
    return taken;
  }
}

export interface InProcessEvaluator {
  deps: EvaluatorDeps;
  queue: MemoryQueue;
  /** Creates an evaluation as the API does; its start message lands on the memory queue, not SQS. */
  create(request: v.InferInput<typeof CreateEvaluationRequestSchema>, tenantId?: string): Promise<{ evaluationId: string; start: StartMessage }>;
  /** One delivery of a message to the evaluator's code, as its record handler would run it. */
  deliver(message: WorkMessage, remainingMs?: () => number): Promise<void>;
  /**
   * Delivers `first` and everything the evaluator sends in turn until nothing is left, each round's
   * messages at once (the event source runs batches concurrently); a delivery that throws is delivered
   * again, as SQS would after the visibility timeout. `duplicate` delivers every message twice at once.
   */
  drain(first: WorkMessage, options?: { duplicate?: boolean; maxDeliveries?: number }): Promise<DrainReport>;
}

export interface DrainReport {
  deliveries: number;
  /** Deliveries that threw, and were delivered again. */
  redeliveries: number;
  errors: string[];
}

export function inProcessEvaluator(env: Record<string, string>, client: DynamoDBDocumentClient): InProcessEvaluator {
  const queue = new MemoryQueue();
  const evaluations = new DynamoDbEvaluationStore({
    client,
    tableName: env[tableDefinitions.evaluations.envVar],
    benchmarksTableName: env[tableDefinitions.benchmarks.envVar],
  });
  const benchmarks = new DynamoDbBenchmarkStore({ client, tableName: env[tableDefinitions.benchmarks.envVar] });
  const models = new DynamoDbModelStore({ client, tableName: env[tableDefinitions.models.envVar] });
  const clients = new Map<string, ModelClient>();
  const deps: EvaluatorDeps = {
    evaluations,
    benchmarks,
    queue,
    clientFor: (model: Model, tenantId: string) => {
      const key = JSON.stringify([tenantId, model]);
      if (!clients.has(key)) clients.set(key, createModelClient(model, tenantId));
      return clients.get(key)!;
    },
    scorerFor,
    spend: new DynamoDbSpendLedger({ client, tableName: env[tableDefinitions.evaluations.envVar] }),
  };
  const deliver = async (message: WorkMessage, remainingMs: () => number = () => Number.POSITIVE_INFINITY) => {
    if (message.type === 'start') await startEvaluation(deps, message);
    else if (message.type === 'chunk') await runChunk(deps, message, remainingMs);
    else throw new Error(`in-process delivery of ${message.type} is not supported`);
  };
  return {
    deps,
    queue,
    deliver,
    async drain(first, options = {}) {
      const report: DrainReport = { deliveries: 0, redeliveries: 0, errors: [] };
      const maxDeliveries = options.maxDeliveries ?? 500;
      let round: WorkMessage[] = [first];
      while (round.length > 0) {
        if (report.deliveries > maxDeliveries)
          throw new Error(`still not drained after ${report.deliveries} deliveries: ${report.errors.slice(-3).join(' | ')}`);
        const copies = options.duplicate ? round.flatMap((message) => [message, message]) : round;
        const failed = await Promise.all(
          copies.map(async (message) => {
            report.deliveries += 1;
            try {
              await deliver(message);
              return undefined;
            } catch (error) {
              report.redeliveries += 1;
              report.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
              return message;
            }
          }),
        );
        round = [...failed.filter((message): message is WorkMessage => message !== undefined), ...queue.take()];
      }
      return report;
    },
    async create(request, tenantId = 'dev') {
      const { response } = await createEvaluation(
        { evaluations, benchmarks, models, credentials: new EnvironmentCredentialCheck(), queue },
        tenantId,
        v.parse(CreateEvaluationRequestSchema, request),
      );
      const start = queue.take().find((message): message is StartMessage => message.type === 'start');
      if (!start) throw new Error('createEvaluation queued no start message');
      return { evaluationId: response.evaluation_id, start };
    },
  };
}
