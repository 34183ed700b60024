/**
 * DynamoDB faults (throttling, 500s, connection resets, transaction conflicts) injected through SDK
 * middleware into the client the evaluator's code uses, run in this process against the stack's real
 * DynamoDB Local. Whatever the SDK retries and whatever our redelivery retries, the stored counters and
 * result rows must equal those of an undisturbed run: nothing is written twice, nothing is lost.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChunkMessage } from '#shared/contracts/messages.js';
import { chunkMessages, planChunks } from '#shared/domain/evaluator/plan.js';
import { localDocumentClient } from '../../local/seed.js';
import { injectDynamoDbFaults, type DynamoDbFaultInjector, type DynamoDbFaultOptions } from '../support/dynamodb-faults.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { evaluationOutcome, type EvaluationOutcome } from './support/evaluation-outcome.js';
import { inProcessEvaluator } from './support/in-process-evaluator.js';
import { createKnownBenchmark, expectedCounts, registerFakeModel, type KnownBenchmark } from './support/fault-runs.js';
import { api, startTestStack, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let fake: FakeModelServer;
let clean: DynamoDBDocumentClient;
let benchmark: KnownBenchmark;
let undisturbed: EvaluationOutcome;
const clients: DynamoDBDocumentClient[] = [];

/** 4 items a chunk, so the 18 items make 5 chunks; read by planChunks in this process. */
const CHUNK_SIZE = '4';
const previousChunkSize = process.env.ARBITER_CHUNK_SIZE;

/** A comparison of the fake (which refuses the items marked `[reject]`) with the reference baseline. */
const request = () => ({
  model_id: 'fake',
  model_id_2: 'baseline:reference',
  benchmark_id: benchmark.benchmarkId,
  custom_metrics: ['exact_match', 'token_f1'],
});

function documentsWith(faults?: DynamoDbFaultOptions & { maxAttempts?: number }): {
  documents: DynamoDBDocumentClient;
  injector?: DynamoDbFaultInjector;
} {
  const base = new DynamoDBClient({
    endpoint: stack.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: stack.env.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...(faults?.maxAttempts ? { maxAttempts: faults.maxAttempts } : {}),
  });
  const injector = faults ? injectDynamoDbFaults(base, faults) : undefined;
  // The marshalling options of the evaluator's own client (shared/adapters/aws-clients.ts).
  const documents = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } });
  clients.push(documents);
  return { documents, ...(injector ? { injector } : {}) };
}

async function run(documents: DynamoDBDocumentClient, options: { duplicate?: boolean } = {}) {
  const evaluator = inProcessEvaluator(stack.env, documents);
  // Created with the clean client: the faults are the evaluator's, not the API's.
  const { evaluationId, start } = await inProcessEvaluator(stack.env, clean).create(request());
  const report = await evaluator.drain(start, options);
  return { evaluationId, report, outcome: await evaluationOutcome(clean, stack.env, evaluationId) };
}

beforeAll(async () => {
  process.env.ARBITER_CHUNK_SIZE = CHUNK_SIZE;
  fake = await startFakeModelServer({ seed: 1 });
  stack = await startTestStack();
  const client = api(stack);
  clean = localDocumentClient(stack.env);
  await registerFakeModel(client, fake, 'fake', { maxConcurrency: 4 });
  benchmark = await createKnownBenchmark(client, 'DynamoDB faults', 18);

  undisturbed = (await run(documentsWith().documents)).outcome;
});

afterAll(async () => {
  if (previousChunkSize === undefined) delete process.env.ARBITER_CHUNK_SIZE;
  else process.env.ARBITER_CHUNK_SIZE = previousChunkSize;
  for (const documents of clients) documents.destroy();
  clean?.destroy();
  await stack?.stop();
  await fake?.stop();
});

describe('the undisturbed run', () => {
  it('is the reference: 5 chunks, the rejected items failed, the rest scored', () => {
    expect(undisturbed).toMatchObject({ ...expectedCounts(benchmark), chunks_done: 5 });
    expect(undisturbed.models.fake).toMatchObject({
      completed_items: 15,
      failed_items: 3,
      metrics: { exact_match: { mean: 14 / 15, n: 15, n_excluded: 3 } },
    });
    expect(undisturbed.rows).toHaveLength(18);
    expect(undisturbed.chunks).toHaveLength(5);
  });
});

describe('DynamoDB faults under the evaluator', () => {
  it('throttling, 500s and connection resets on 30% of requests, retried by the SDK: the same counters and rows as an undisturbed run', async () => {
    const { documents, injector } = documentsWith({ seed: 11, rate: 0.3 });
    const { outcome, report } = await run(documents);

    expect(outcome).toEqual(undisturbed);
    const stats = injector!.stats();
    expect(Object.keys(stats.injected)).toEqual(
      expect.arrayContaining(['internal_error', 'reset_after', 'reset_before', 'throttling', 'throughput_exceeded']),
    );
    expect(stats.requests).toBeGreaterThan(50);
    // Whatever the SDK gave up on came back as a redelivery, not as a lost or doubled count.
    expect(report.errors.every((error) => !/already|twice/i.test(error))).toBe(true);
  });

  it('with the SDK retrying nothing, every fault reaches the evaluator and the message is redelivered: still the same counters and rows', async () => {
    const { documents, injector } = documentsWith({ seed: 23, rate: 0.12, maxAttempts: 1 });
    const { outcome, report } = await run(documents);

    expect(report.redeliveries).toBeGreaterThan(0);
    expect(Object.values(injector!.stats().injected).reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(report.redeliveries);
    expect(outcome).toEqual(undisturbed);
  });

  it('writes refused for a transaction in progress on the same item are retried at once by the evaluator, not after a visibility timeout', async () => {
    const { documents, injector } = documentsWith({
      seed: 9,
      rate: 0.5,
      faults: ['transaction_conflict'],
      operations: ['TransactWriteItems', 'UpdateItem'],
    });
    const { outcome, report } = await run(documents);

    expect(injector!.stats().byOperation.TransactWriteItems ?? 0).toBeGreaterThan(0);
    // A redelivery would cost a whole visibility timeout (30 minutes deployed) for a conflict that clears in milliseconds.
    expect(report.errors).toEqual([]);
    expect(outcome).toEqual(undisturbed);
  });

  it('the counting transaction and the final update applied, then answered 500 or reset: the SDK repeats them and nothing is counted twice', async () => {
    const { documents, injector } = documentsWith({
      seed: 5,
      rate: 0.6,
      faults: ['internal_error', 'reset_after'],
      operations: ['TransactWriteItems', 'UpdateItem', 'BatchWriteItem'],
    });
    const { outcome } = await run(documents);

    expect(injector!.stats().byOperation.TransactWriteItems ?? 0).toBeGreaterThan(0);
    expect(outcome).toEqual(undisturbed);
  });
});

describe('a duplicate chunk', () => {
  it('whose marker exists fails the counting condition and is taken as already done, before and after the evaluation finished', async () => {
    const { documents } = documentsWith();
    const evaluator = inProcessEvaluator(stack.env, documents);
    const { evaluationId, start } = await evaluator.create(request());
    await evaluator.deliver(start);
    // The start sends the first window of chunks; each counted chunk sends the next.
    const [first, ...rest] = evaluator.queue.take() as ChunkMessage[];
    const chunks = chunkMessages('dev', evaluationId, benchmark.items, planChunks(benchmark.items));
    expect(chunks).toHaveLength(5);

    await evaluator.deliver(first!);
    const once = await evaluationOutcome(clean, stack.env, evaluationId);
    // Delivered again, and twice at once: the marker's condition fails, which counts as done.
    await evaluator.deliver(first!);
    await Promise.all([evaluator.deliver(first!), evaluator.deliver(first!)]);
    expect(await evaluationOutcome(clean, stack.env, evaluationId)).toEqual(once);
    expect(once).toMatchObject({ status: 'running', chunks_done: 1 });

    // The store itself answers "already counted" rather than throwing, whatever lease the caller names.
    const tally = {
      outcome: 'done' as const,
      completed_items: 99,
      failed_items: 0,
      models: { fake: { scored: 99, failed: 0 }, 'baseline:reference': { scored: 99, failed: 0 } },
      cache_hits: 0,
      cache_saved_usd: 0,
    };
    expect(await evaluator.deps.evaluations.recordChunk('dev', evaluationId, { chunk: first!.chunk, token: 'no-such-lease' }, tally)).toBe(false);

    // The rest, and whatever they send in turn (the duplicates above sent nothing more).
    for (const chunk of [...rest, ...evaluator.queue.take()]) await evaluator.drain(chunk);
    const finished = await evaluationOutcome(clean, stack.env, evaluationId);
    await Promise.all(chunks.map((chunk) => evaluator.deliver(chunk)));
    expect(await evaluationOutcome(clean, stack.env, evaluationId)).toEqual(finished);
    expect(finished).toEqual(undisturbed);
  });
});
