/**
 * Two races the API and the evaluator must settle one way only:
 * - identical creates sent at once with one `Idempotency-Key` (a client retrying a request it thinks was
 *   lost, or several workers of one client): every one answers the same 202, one evaluation is created;
 * - a cancel that lands while the last chunk is being finalized: the evaluation ends `cancelled`, with the
 *   results it has, at once, not when the reconciler next finds it stalled.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { DynamoDbModelStore } from '#shared/adapters/dynamodb/model-store.js';
import { EnvironmentCredentialCheck } from '#shared/adapters/secrets/credential-check.js';
import { CreateEvaluationRequestSchema } from '#shared/contracts/evaluations/schemas.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { createEvaluation } from '#shared/domain/evaluations/create-evaluation.js';
import { localDocumentClient } from '../../local/seed.js';
import { emulateTransactionConflicts } from '../support/dynamodb-faults.js';
import type { EvaluationStore } from '#shared/domain/ports/evaluation-store.js';
import { inProcessEvaluator, MemoryQueue } from './support/in-process-evaluator.js';
import { api, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;

beforeAll(async () => {
  stack = await startTestStack();
  client = api(stack);
  documents = localDocumentClient(stack.env);
});

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
});

/** The tenant's evaluations of `benchmarkId`, read from the table (the listing's index, like the API). */
async function evaluationsOf(benchmarkId: string): Promise<string[]> {
  const { Items } = await documents.send(
    new QueryCommand({
      TableName: stack.env[tableDefinitions.evaluations.envVar],
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': `TENANT#dev#BENCH#${benchmarkId}` },
    }),
  );
  return (Items ?? []).map((item) => item.evaluation_id as string);
}

async function createBenchmark(name: string): Promise<string> {
  const created = await client.request('POST', '/api/v3/benchmarks', {
    body: { name, task_type: 'exact_answer', items: [{ input: '1 + 1', expected: '2' }] },
  });
  expect(created.status).toBe(201);
  return created.json.benchmark_id as string;
}

/** The create route's dependencies over `documents`, as the API's handler wires them. */
function createDeps(over: DynamoDBDocumentClient) {
  return {
    evaluations: new DynamoDbEvaluationStore({
      client: over,
      tableName: stack.env[tableDefinitions.evaluations.envVar],
      benchmarksTableName: stack.env[tableDefinitions.benchmarks.envVar],
    }),
    benchmarks: new DynamoDbBenchmarkStore({ client: over, tableName: stack.env[tableDefinitions.benchmarks.envVar] }),
    models: new DynamoDbModelStore({ client: over, tableName: stack.env[tableDefinitions.models.envVar] }),
    credentials: new EnvironmentCredentialCheck(),
    queue: new MemoryQueue(),
  };
}

describe('identical creates sent at once with one Idempotency-Key', () => {
  it.each([
    ['a benchmark no evaluation pinned yet', false],
    ['a benchmark already pinned', true],
  ])('on %s: all ten answer the same 202, and one evaluation exists', async (_, pinnedFirst) => {
    const benchmarkId = await createBenchmark(`Idempotent race (${pinnedFirst ? 'pinned' : 'fresh'})`);
    const body = { model_id: 'baseline:reference', benchmark_id: benchmarkId, custom_metrics: ['exact_match'] };
    // An evaluation created before pins the benchmark's version: the races then write no pin.
    if (pinnedFirst) expect((await client.request('POST', '/api/v3/evaluations', { body })).status).toBe(202);
    const before = await evaluationsOf(benchmarkId);

    const headers = { 'idempotency-key': `race-${pinnedFirst ? 'pinned' : 'fresh'}-${Date.now()}` };
    const answers = await Promise.all(Array.from({ length: 10 }, () => client.request('POST', '/api/v3/evaluations', { body, headers })));

    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(202));
    const ids = new Set(answers.map((answer) => answer.json.evaluation_id));
    expect(ids.size).toBe(1);
    for (const answer of answers) expect(answer.json).toEqual(answers[0]!.json);
    expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    expect((await evaluationsOf(benchmarkId)).filter((id) => !before.includes(id))).toEqual([...ids]);
  });

  it('where DynamoDB refuses the transactions that meet the first one in progress: every create still answers the first response', async () => {
    const base = new DynamoDBClient({
      endpoint: stack.env.AWS_ENDPOINT_URL_DYNAMODB,
      region: stack.env.AWS_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const emulator = emulateTransactionConflicts(base);
    const over = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } });
    try {
      const deps = createDeps(over);
      const request = v.parse(CreateEvaluationRequestSchema, {
        model_id: 'baseline:reference',
        benchmark_id: await createBenchmark('Idempotent race (conflicts)'),
        custom_metrics: ['exact_match'],
      });
      const key = `race-conflicts-${Date.now()}`;

      // Settled one by one: a create that throws is what the route would answer with a 500.
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => createEvaluation(deps, 'dev', request, key)));

      expect(emulator.conflicts()).toBeGreaterThan(0);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => String((outcome as PromiseRejectedResult).reason))).toEqual(
        [],
      );
      const results = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<Awaited<ReturnType<typeof createEvaluation>>>).value);
      expect(new Set(results.map((result) => result.response.evaluation_id)).size).toBe(1);
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(deps.queue.take()).toHaveLength(1);
    } finally {
      over.destroy();
    }
  });
});

describe('a cancel that lands while the last chunk finalizes', () => {
  it('ends cancelled, with the results it has, within seconds', async () => {
    const items = Array.from({ length: 3 }, (_, i) => ({ input: `${i} + ${i}`, expected: String(2 * i) }));
    const created = await client.request('POST', '/api/v3/benchmarks', {
      body: { name: 'Cancel while finalizing', task_type: 'exact_answer', items },
    });
    expect(created.status).toBe(201);
    // Run in this process (its messages never reach the stack's evaluator), so the test can hold the
    // finalizer between reading the evaluation and writing its final state, and cancel right there.
    const evaluator = inProcessEvaluator(stack.env, documents);
    const store = evaluator.deps.evaluations;
    let cancel: Awaited<ReturnType<typeof client.request>> | undefined;
    evaluator.deps.evaluations = new Proxy(store, {
      get: (target, property, receiver) =>
        property === 'finish'
          ? async (...args: Parameters<EvaluationStore['finish']>) => {
              if (!cancel) cancel = await client.request('POST', `/api/v3/evaluations/${args[1]}/cancel`);
              return target.finish(...args);
            }
          : Reflect.get(target, property, receiver),
    }) as EvaluationStore;
    const { evaluationId, start } = await evaluator.create({
      model_id: 'baseline:reference',
      benchmark_id: created.json.benchmark_id,
      custom_metrics: ['exact_match'],
    });

    const began = Date.now();
    await evaluator.drain(start);
    expect(cancel).toMatchObject({ status: 202, json: { status: 'cancelled' } });

    // Not left cancelled without results for the reconciler to find stalled: settled by the finalizer.
    const settled = await waitFor(
      async () => {
        const evaluation = (await client.request('GET', `/api/v3/evaluations/${evaluationId}`)).json;
        return evaluation.results ? evaluation : undefined;
      },
      { timeoutMs: 5000, intervalMs: 100, description: 'the cancelled evaluation to have its results' },
    );
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(settled.status).toBe('cancelled');
    expect(settled.progress).toMatchObject({ total_items: 3, completed_items: 3, failed_items: 0 });
    expect(settled.results.models).toEqual([
      expect.objectContaining({
        model_id: 'baseline:reference',
        completed_items: 3,
        failed_items: 0,
        metrics: { exact_match: expect.objectContaining({ mean: 1, n: 3 }) },
      }),
    ]);
  });
});
