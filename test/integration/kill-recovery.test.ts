/**
 * The evaluator process killed outright (SIGKILL) at a seeded random moment of an evaluation, 20 times:
 * before the start message was read, mid-chunk, between counting a chunk and finalizing, after the end.
 * Lambda's answer to a crash is a new process and the messages in flight coming back after their
 * visibility timeout; every run must end with exactly the counts of an undisturbed run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { localDocumentClient } from '../../local/seed.js';
import { mulberry32 } from '#shared/domain/stats/random.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { evaluationOutcome, type EvaluationOutcome } from './support/evaluation-outcome.js';
import { createKnownBenchmark, expectedCounts, finalStatuses, registerFakeModel, type KnownBenchmark } from './support/fault-runs.js';
import { api, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

const RUNS = 20;
const ITEMS = 20;
const CHUNK_SIZE = 5;

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let fake: FakeModelServer;
let benchmark: KnownBenchmark;

beforeAll(async () => {
  // A little latency, so that a run lasts long enough to be killed in the middle of it.
  fake = await startFakeModelServer({ seed: 1, latencyMs: 40 });
  // A short visibility timeout: the messages the killed process held come back within seconds. Short
  // long-polls: a receive the killed process left waiting would otherwise take the next run's messages.
  // A short chunk lease: the lease a killed delivery held runs out soon after its message comes back.
  stack = await startTestStack({
    env: { ARBITER_CHUNK_SIZE: String(CHUNK_SIZE), ARBITER_POLL_WAIT_SECONDS: '2', ARBITER_CHUNK_LEASE_SECONDS: '2' },
    visibilityTimeoutSeconds: 3,
  });
  client = api(stack);
  documents = localDocumentClient(stack.env);
  await registerFakeModel(client, fake, 'fake', { maxConcurrency: 4 });
  benchmark = await createKnownBenchmark(client, 'Kill recovery', ITEMS);
});

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
  await fake?.stop();
});

async function start(): Promise<string> {
  const created = await client.request('POST', '/api/v3/evaluations', {
    body: { model_id: 'fake', model_id_2: 'baseline:reference', benchmark_id: benchmark.benchmarkId, custom_metrics: ['exact_match'] },
  });
  expect(created.status).toBe(202);
  return created.json.evaluation_id;
}

async function finished(evaluationId: string): Promise<EvaluationOutcome> {
  await waitFor(async () => finalStatuses.includes((await client.request('GET', `/api/v3/evaluations/${evaluationId}/status`)).json.status), {
    timeoutMs: 60_000,
    intervalMs: 100,
    description: `evaluation ${evaluationId} to reach a final state`,
  });
  return evaluationOutcome(documents, stack.env, evaluationId);
}

it(`an evaluator killed at a random point of ${RUNS} seeded runs always ends with the counts of an undisturbed run`, async () => {
  const began = Date.now();
  const undisturbed = await finished(await start());
  const duration = Date.now() - began;
  expect(undisturbed).toMatchObject({ ...expectedCounts(benchmark), chunks_done: ITEMS / CHUNK_SIZE });

  const killedWhile: string[] = [];
  for (let seed = 1; seed <= RUNS; seed += 1) {
    // Anywhere from right after the create to the undisturbed run's end.
    const killAfterMs = Math.floor(mulberry32(seed)() * duration);
    const evaluationId = await start();
    await sleep(killAfterMs);
    const before = (await client.request('GET', `/api/v3/evaluations/${evaluationId}/status`)).json;
    await stack.crashEvaluator();
    killedWhile.push(`${before.status}:${before.progress.completed_items + before.progress.failed_items}`);

    const outcome = await finished(evaluationId);
    expect({ seed, killAfterMs, outcome }).toEqual({ seed, killAfterMs, outcome: undisturbed });
  }
  // The kills landed at different points of the run, not all before or after it.
  expect(new Set(killedWhile).size).toBeGreaterThan(3);
  expect(killedWhile.some((point) => point.startsWith('running'))).toBe(true);
}, 300_000);
