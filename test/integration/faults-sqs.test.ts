/**
 * SQS delivers at least once. Against the real local stack: every message (start and chunks alike)
 * delivered twice, at once or one after the other, by the local event source
 * (ARBITER_DUPLICATE_DELIVERY); and a chunk redelivered when its visibility timeout ran out while the
 * first delivery was still waiting on a slow model. The final counts must be those of a single delivery.
 */
import { localDocumentClient } from '../../local/seed.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { evaluationOutcome } from './support/evaluation-outcome.js';
import { createKnownBenchmark, expectedCounts, registerFakeModel, runToEnd } from './support/fault-runs.js';
import { api, startTestStack, testVisibilityTimeoutSeconds, waitFor, type TestStack } from './support/local-stack.js';

const CHUNK_SIZE = 7;

async function startStack(env: Record<string, string>) {
  const fake = await startFakeModelServer({ seed: 3 });
  const stack = await startTestStack({ env: { ARBITER_CHUNK_SIZE: String(CHUNK_SIZE), LOG_LEVEL: 'INFO', ...env } });
  return { fake, stack };
}

/** Runs `fake` (registered as `modelId`) against the reference baseline and checks the final counts. */
async function checkFinalCounts(
  stack: TestStack,
  fake: FakeModelServer,
  modelId: string,
  items: number,
  model: { timeoutMs?: number; maxConcurrency?: number } = {},
) {
  const client = api(stack);
  await registerFakeModel(client, fake, modelId, model);
  const benchmark = await createKnownBenchmark(client, `At least once (${modelId})`, items);
  const evaluation = await runToEnd(client, {
    model_id: modelId,
    model_id_2: 'baseline:reference',
    benchmark_id: benchmark.benchmarkId,
    custom_metrics: ['exact_match'],
  });

  const documents = localDocumentClient(stack.env);
  try {
    const outcome = await evaluationOutcome(documents, stack.env, evaluation.evaluation_id);
    const chunkCount = Math.ceil(items / CHUNK_SIZE);
    expect(outcome).toMatchObject({ ...expectedCounts(benchmark, modelId), chunks_done: chunkCount });
    // One marker and one row each: nothing was counted or written twice.
    expect(outcome.chunks.map((chunk) => chunk.chunk)).toEqual([...Array(chunkCount).keys()]);
    expect(outcome.rows.map((row) => row.position)).toEqual([...Array(items).keys()]);
    expect(outcome.chunks.reduce((sum, chunk) => sum + chunk.completed_items + chunk.failed_items, 0)).toBe(items);
  } finally {
    documents.destroy();
  }
}

/** The event source's batch log lines (kept in the stack's output tail), with the invocations each made. */
function deliveredBatches(stack: TestStack): { invocations: number; receiveCounts: number[] }[] {
  return stack
    .recentOutput('evaluator')
    .split('\n')
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { message?: string; request_id?: string; receive_counts?: number[] };
        return entry.message === 'batch' && entry.request_id
          ? [{ invocations: entry.request_id.split(',').length, receiveCounts: entry.receive_counts ?? [] }]
          : [];
      } catch {
        return [];
      }
    });
}

describe('every message delivered twice at once', () => {
  let stack: TestStack;
  let fake: FakeModelServer;
  beforeAll(async () => ({ stack, fake } = await startStack({ ARBITER_DUPLICATE_DELIVERY: 'concurrent' })));
  afterAll(async () => {
    await stack?.stop();
    await fake?.stop();
  });

  it('the same final counts as one delivery', async () => {
    await checkFinalCounts(stack, fake, 'fake', 24);
    const batches = deliveredBatches(stack);
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((batch) => batch.invocations === 2)).toBe(true);
    // Only the delivery holding a chunk's lease called the model; its duplicates waited for it to count
    // the chunk: one call per item, however many deliveries.
    expect(fake.stats().requests).toBe(24);
  }, 120_000);
});

describe('every message delivered twice, one after the other', () => {
  let stack: TestStack;
  let fake: FakeModelServer;
  beforeAll(async () => ({ stack, fake } = await startStack({ ARBITER_DUPLICATE_DELIVERY: 'sequential' })));
  afterAll(async () => {
    await stack?.stop();
    await fake?.stop();
  });

  it('the same final counts as one delivery', async () => {
    await checkFinalCounts(stack, fake, 'fake', 24);
    const batches = deliveredBatches(stack);
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((batch) => batch.invocations === 2)).toBe(true);
  }, 120_000);

  it('a chunk redelivered after its visibility timeout while the first delivery still waits on a slow model: counted once', async () => {
    // Every answer takes longer than the visibility timeout, so each chunk message reappears and another
    // poller takes it while the first delivery is still waiting on the model.
    fake.setOptions({ latencyMs: (testVisibilityTimeoutSeconds + 1.5) * 1000 });
    const before = fake.stats().requests;
    await checkFinalCounts(stack, fake, 'slow', 14, { timeoutMs: 30_000, maxConcurrency: 16 });
    // Proof the redelivery happened: a chunk message was received again while its first delivery held it
    // (that batch ends once it sees the chunk counted, a moment after the evaluation finished).
    await waitFor(() => deliveredBatches(stack).some((batch) => batch.receiveCounts.some((count) => count > 1)), {
      description: 'the redelivered chunk message to be handled',
    });
    // The redelivery waited for the first delivery (which holds the chunk's lease) instead of calling the
    // model again, and the sequential duplicates found the chunk counted: one call per item.
    expect(fake.stats().requests - before).toBe(14);
  }, 120_000);
});
