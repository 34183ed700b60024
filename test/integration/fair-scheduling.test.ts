/**
 * Fair scheduling: an evaluation keeps at most its window of chunk messages in flight and sends the next
 * as each is counted, so a small evaluation submitted behind a huge one from another tenant starts at
 * once; a refill lost between its claim and its send is recovered, sending only the window again.
 *
 * The window's own arithmetic is in test/unit/evaluator/chunk-window.test.ts. Here the evaluator's code
 * runs in this process on the stack's real DynamoDB Local with a queue the test delivers from (so it can
 * count what is in flight and lose a message), and on the stack's own evaluator behind the SQS emulator.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scopes } from '#shared/contracts/auth/scopes.js';
import type { WorkMessage } from '#shared/contracts/messages.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { evaluationKeys } from '#shared/adapters/dynamodb/keys.js';
import { reconcile } from '#shared/domain/evaluator/reconcile.js';
import type { WorkQueue } from '#shared/domain/ports/work-queue.js';
import { resetConfigForTests } from '#shared/platform/config.js';
import { localDocumentClient } from '../../local/seed.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { evaluationOutcome } from './support/evaluation-outcome.js';
import { inProcessEvaluator } from './support/in-process-evaluator.js';
import { api, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

/** Read by planChunks and the window in this process (the stack's evaluator gets its own below). */
const WINDOW = 3;
const CHUNK_SIZE = 2;
const ITEMS = 40;
const CHUNKS = ITEMS / CHUNK_SIZE;
/** A short chunk lease in this process, so a claim left unsent is old enough to send again within seconds. */
const LEASE_SECONDS = 1;
const saved = {
  size: process.env.ARBITER_CHUNK_SIZE,
  window: process.env.ARBITER_CHUNK_WINDOW,
  lease: process.env.ARBITER_CHUNK_LEASE_SECONDS,
};

let stack: TestStack;
let fake: FakeModelServer;
let documents: DynamoDBDocumentClient;
let benchmarkId: string;

beforeAll(async () => {
  process.env.ARBITER_CHUNK_SIZE = String(CHUNK_SIZE);
  process.env.ARBITER_CHUNK_WINDOW = String(WINDOW);
  process.env.ARBITER_CHUNK_LEASE_SECONDS = String(LEASE_SECONDS);
  resetConfigForTests();
  fake = await startFakeModelServer({ latencyMs: 20 });
  // The stack's evaluator: chunks of 20 and a window of 2, for the two tenants' evaluations below.
  stack = await startTestStack({ env: { ARBITER_CHUNK_SIZE: '20', ARBITER_CHUNK_WINDOW: '2' } });
  documents = localDocumentClient(stack.env);
  benchmarkId = await createBenchmark(stack.devApiKey, 'Windowed', ITEMS);
});

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
  await fake?.stop();
  for (const [name, value] of [
    ['ARBITER_CHUNK_SIZE', saved.size],
    ['ARBITER_CHUNK_WINDOW', saved.window],
    ['ARBITER_CHUNK_LEASE_SECONDS', saved.lease],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetConfigForTests();
});

async function createBenchmark(apiKey: string, name: string, count: number): Promise<string> {
  const client = api(stack);
  const created = await client.request('POST', '/api/v3/benchmarks', { body: { name, task_type: 'exact_answer' }, apiKey });
  if (created.status !== 201) throw new Error(`benchmark: ${created.status} ${created.text}`);
  for (let first = 0; first < count; first += 1000) {
    const items = Array.from({ length: Math.min(1000, count - first) }, (_, i) => ({ input: `${first + i} + 1`, expected: String(first + i + 1) }));
    const appended = await client.request('POST', `/api/v3/benchmarks/${created.json.benchmark_id}/items`, { body: { items }, apiKey });
    if (appended.status >= 300) throw new Error(`items: ${appended.status} ${appended.text}`);
  }
  return created.json.benchmark_id as string;
}

/**
 * The evaluator's queue, watched: every chunk message sent, and how many were counted when it was sent,
 * so the test sees the most chunks ever in flight. `lose` decides, per chunk message, to drop it silently
 * (a crash after the claim) or to fail the send.
 */
function watchedEvaluator(lose: (chunk: number) => 'drop' | 'fail' | undefined = () => undefined) {
  const evaluator = inProcessEvaluator(stack.env, documents);
  const memory = evaluator.queue;
  const watch = { sent: [] as number[], counted: 0, mostInFlight: 0, dropped: [] as number[] };
  const note = (message: WorkMessage) => {
    if (message.type !== 'chunk') return true;
    const fault = lose(message.chunk);
    if (fault === 'fail') throw new Error(`injected: the send of chunk ${message.chunk} failed`);
    if (fault === 'drop') {
      watch.dropped.push(message.chunk);
      return false;
    }
    watch.sent.push(message.chunk);
    watch.mostInFlight = Math.max(watch.mostInFlight, watch.sent.length - watch.counted);
    return true;
  };
  const queue: WorkQueue = {
    send: async (message) => {
      if (note(message)) await memory.send(message);
    },
    sendAll: async (messages) => {
      await memory.sendAll(messages.filter(note));
    },
  };
  const evaluations = evaluator.deps.evaluations;
  const recordChunk = evaluations.recordChunk.bind(evaluations);
  // Observes the real store's answer: a chunk counted leaves the window.
  evaluations.recordChunk = async (...args) => {
    const counted = await recordChunk(...args);
    if (counted) watch.counted += 1;
    return counted;
  };
  evaluator.deps.queue = queue;
  return { evaluator, watch };
}

/**
 * Delivers as the event source would: every message at once, and one that failed again only after its
 * visibility timeout, here just past a chunk lease (LEASE_SECONDS), as in a deployment where the
 * visibility timeout is far longer than the lease. Answers how many deliveries failed.
 */
async function drainWithVisibilityTimeout(evaluator: ReturnType<typeof watchedEvaluator>['evaluator'], first: WorkMessage): Promise<number> {
  let failures = 0;
  let round: WorkMessage[] = [first];
  let hidden: { message: WorkMessage; visibleAt: number }[] = [];
  while (round.length > 0 || hidden.length > 0) {
    const failed = await Promise.all(
      round.map((message) =>
        evaluator.deliver(message).then(
          () => undefined,
          () => message,
        ),
      ),
    );
    for (const message of failed) {
      if (message) hidden.push({ message, visibleAt: Date.now() + LEASE_SECONDS * 1000 + 200 });
    }
    failures += failed.filter(Boolean).length;
    round = evaluator.queue.take();
    if (round.length === 0 && hidden.length > 0) {
      // The simulated visibility timeout: nothing else is left to run meanwhile.
      const next = Math.min(...hidden.map((entry) => entry.visibleAt));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
      round = hidden.filter((entry) => entry.visibleAt <= Date.now()).map((entry) => entry.message);
      hidden = hidden.filter((entry) => entry.visibleAt > Date.now());
    }
  }
  return failures;
}

async function expectExactlyCounted(evaluationId: string) {
  const outcome = await evaluationOutcome(documents, stack.env, evaluationId);
  expect(outcome).toMatchObject({
    status: 'completed',
    chunks_done: CHUNKS,
    progress: { total_items: ITEMS, completed_items: ITEMS, failed_items: 0 },
  });
  expect(outcome.chunks.map((chunk) => chunk.chunk)).toEqual([...Array(CHUNKS).keys()]);
  expect(outcome.rows.map((row) => row.position)).toEqual([...Array(ITEMS).keys()]);
}

const reference = () => ({ model_id: 'baseline:reference', benchmark_id: benchmarkId, custom_metrics: ['exact_match'] });

describe('a window of chunks in flight', () => {
  it(`never has more than ${WINDOW} chunk messages outstanding, and still counts every item once`, async () => {
    const { evaluator, watch } = watchedEvaluator();
    const { evaluationId, start } = await evaluator.create(reference());

    await evaluator.drain(start);

    expect(watch.mostInFlight).toBe(WINDOW);
    // Each chunk sent once: no re-send of the plan, no duplicate.
    expect([...watch.sent].sort((a, b) => a - b)).toEqual([...Array(CHUNKS).keys()]);
    await expectExactlyCounted(evaluationId);
  });

  it('a failed refill send is sent again by the redelivery of the chunk that claimed it, after its visibility timeout', async () => {
    let failed = false;
    const { evaluator, watch } = watchedEvaluator((chunk) => {
      if (failed || chunk < WINDOW) return undefined;
      failed = true;
      return 'fail';
    });
    const { evaluationId, start } = await evaluator.create(reference());

    const redeliveries = await drainWithVisibilityTimeout(evaluator, start);

    expect(redeliveries).toBe(1);
    expect(watch.mostInFlight).toBeLessThanOrEqual(WINDOW);
    // The claimed chunk once, by the redelivery; nothing else twice.
    expect([...watch.sent].sort((a, b) => a - b)).toEqual([...Array(CHUNKS).keys()]);
    await expectExactlyCounted(evaluationId);
  });

  it('a refill lost after its claim is recovered by the reconciler, which sends only the window again', async () => {
    let lost: number | undefined;
    const { evaluator, watch } = watchedEvaluator((chunk) => {
      if (lost !== undefined || chunk < WINDOW + 2) return undefined;
      lost = chunk;
      return 'drop';
    });
    const { evaluationId, start } = await evaluator.create(reference());
    await evaluator.drain(start);

    // Everything else ran; the lost chunk holds the evaluation back.
    const stuck = await evaluationOutcome(documents, stack.env, evaluationId);
    expect(stuck).toMatchObject({ status: 'running', chunks_done: CHUNKS - 1 });
    expect(watch.dropped).toEqual([lost]);

    const sentBefore = watch.sent.length;
    const outcome = await reconcile(evaluator.deps, { stallAfterMs: 0, maxRedrives: 3, now: Date.now() + 5_000 });
    expect(outcome.redriven).toBeGreaterThanOrEqual(1);
    const resent = evaluator.queue.take();
    // The window's one uncounted chunk, not the plan's twenty.
    expect(resent.filter((message) => 'evaluation_id' in message && message.evaluation_id === evaluationId)).toEqual([
      expect.objectContaining({ type: 'chunk', chunk: lost }),
    ]);
    expect(watch.sent.length - sentBefore).toBe(1);

    for (const message of resent) await evaluator.drain(message);
    await expectExactlyCounted(evaluationId);
  });
});

describe('two tenants on the local stack', () => {
  it("starts and finishes a small evaluation behind another tenant's large one long before the large one is near done", async () => {
    const keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
    const tenantA = (await keys.issue({ tenantId: 'fair-a', scopes: [...scopes], name: 'fair-a' })).key;
    const client = api(stack);
    const register = async (apiKey: string) => {
      const registered = await client.request('POST', '/api/v3/models', {
        body: {
          model_id: 'fake',
          provider: 'openai_compatible',
          provider_model_id: 'fake-1',
          base_url: fake.url,
          timeout_ms: 5000,
          max_concurrency: 4,
        },
        apiKey,
      });
      if (registered.status !== 201) throw new Error(`model: ${registered.status} ${registered.text}`);
    };
    await register(tenantA);
    await register(stack.devApiKey);
    const largeItems = 4000;
    const large = await createBenchmark(tenantA, 'Large', largeItems);
    const small = await createBenchmark(stack.devApiKey, 'Small', 20);
    const status = async (id: string, apiKey: string) => (await client.request('GET', `/api/v3/evaluations/${id}/status`, { apiKey })).json;

    const a = await client.request('POST', '/api/v3/evaluations', { body: { model_id: 'fake', benchmark_id: large }, apiKey: tenantA });
    expect(a.status).toBe(202);
    const aId = a.json.evaluation_id as string;
    await waitFor(async () => (await status(aId, tenantA)).progress?.completed_items > 0, {
      timeoutMs: 60_000,
      description: 'the large evaluation to run',
    });

    const b = await client.request('POST', '/api/v3/evaluations', { body: { model_id: 'fake', benchmark_id: small } });
    expect(b.status).toBe(202);
    const bId = b.json.evaluation_id as string;
    const bDone = await waitFor(
      async () => {
        const now = await status(bId, stack.devApiKey);
        return ['completed', 'failed', 'cancelled'].includes(now.status) ? now : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, description: 'the small evaluation to finish' },
    );
    const aThen = await status(aId, tenantA);

    expect(bDone.status).toBe('completed');
    expect(bDone.progress).toMatchObject({ completed_items: 20, failed_items: 0 });
    expect(aThen.status).toBe('running');
    expect(aThen.progress.completed_items + aThen.progress.failed_items).toBeLessThan(largeItems / 2);

    // Cancelled, the large one stops refilling its window and finishes once its claimed chunks are counted.
    expect((await client.request('POST', `/api/v3/evaluations/${aId}/cancel`, { apiKey: tenantA })).status).toBe(202);
    const aEnd = await waitFor(
      async () => {
        const now = await status(aId, tenantA);
        return now.status === 'cancelled' && (await client.request('GET', `/api/v3/evaluations/${aId}`, { apiKey: tenantA })).json.results
          ? now
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'the large evaluation to finish cancelled' },
    );
    expect(aEnd.progress.completed_items).toBeLessThan(largeItems);
    const { Item: record } = await documents.send(
      new GetCommand({ TableName: stack.env[tableDefinitions.evaluations.envVar], Key: evaluationKeys.record('fair-a', aId), ConsistentRead: true }),
    );
    expect(record?.chunks_done).toBe(record?.chunks_sent);
    expect(record?.chunks_sent).toBeLessThan(largeItems / 20);
  }, 180_000);
});
