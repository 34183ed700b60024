/**
 * Model providers misbehaving, at the evaluator issue's fault rates (5% 429s, 2% 500s, 1% timeouts) and
 * beyond: a provider that hangs, one that answers 200 with an empty or a non-JSON body, one that is down
 * (connection refused) for a whole chunk or a whole evaluation. Every item ends scored or failed with a
 * clear code, every evaluation reaches a final state with counts that add up, none stays `running`.
 */
import { ChunkOutOfTimeError } from '#shared/domain/evaluator/chunk-watch.js';
import type { ChunkMessage } from '#shared/contracts/messages.js';
import { localDocumentClient } from '../../local/seed.js';
import { startFakeModelServer, type FakeModelServer, type PromptFault } from '../../local/fake-model-server/server.js';
import { evaluationOutcome } from './support/evaluation-outcome.js';
import { runToEnd } from './support/fault-runs.js';
import { inProcessEvaluator } from './support/in-process-evaluator.js';
import { api, startTestStack, type TestStack } from './support/local-stack.js';

const CHUNK_SIZE = 4;
const previousChunkSize = process.env.ARBITER_CHUNK_SIZE;
/** The evaluator issue's rates. */
const issueRates = { rateLimit: 0.05, serverError: 0.02, timeout: 0.01 };
const promptFaults: PromptFault[] = [
  { marker: '[hang]', fault: 'timeout' },
  { marker: '[empty]', fault: 'empty_body' },
  { marker: '[garbled]', fault: 'non_json_body' },
];

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let flaky: FakeModelServer;
let down: FakeModelServer;

async function register(modelId: string, server: FakeModelServer, timeoutMs: number) {
  const registered = await client.request('POST', '/api/v3/models', {
    body: {
      model_id: modelId,
      provider: 'openai_compatible',
      provider_model_id: 'fake-1',
      base_url: server.url,
      timeout_ms: timeoutMs,
      max_concurrency: 8,
    },
  });
  expect(registered.status).toBe(201);
}

/** Items `<marker> a + b`, answered (when answered) correctly by the fake. */
async function benchmarkOf(name: string, inputs: string[]): Promise<string> {
  const items = inputs.map((input) => {
    const [, a, op, b] = /(\d+) ([-+*]) (\d+)$/.exec(input)!;
    const value = op === '+' ? Number(a) + Number(b) : op === '-' ? Number(a) - Number(b) : Number(a) * Number(b);
    return { input, expected: String(value) };
  });
  const created = await client.request('POST', '/api/v3/benchmarks', { body: { name, task_type: 'exact_answer', items } });
  expect(created.status).toBe(201);
  return created.json.benchmark_id;
}

async function rows(evaluationId: string) {
  return (await evaluationOutcome(documents, stack.env, evaluationId)).rows;
}

beforeAll(async () => {
  process.env.ARBITER_CHUNK_SIZE = String(CHUNK_SIZE);
  // Seed 7 draws a 429, a 500 and a timeout among the 34 ordinary items' first attempts.
  flaky = await startFakeModelServer({ seed: 7, rates: issueRates, retryAfterSeconds: 0, promptFaults });
  down = await startFakeModelServer({ seed: 18 });
  stack = await startTestStack({ env: { ARBITER_CHUNK_SIZE: String(CHUNK_SIZE) } });
  client = api(stack);
  documents = localDocumentClient(stack.env);
  // Per-attempt timeout of 1 s (the least a model may set): a hanging call gives up quickly.
  await register('flaky', flaky, 1000);
  await register('down', down, 1000);
});

afterAll(async () => {
  if (previousChunkSize === undefined) delete process.env.ARBITER_CHUNK_SIZE;
  else process.env.ARBITER_CHUNK_SIZE = previousChunkSize;
  documents?.destroy();
  await stack?.stop();
  await flaky?.stop();
  await down?.stop();
});

describe('a provider at the issue fault rates that also hangs and answers 200 with empty or non-JSON bodies', () => {
  it('fails exactly the items it cannot answer, each with a clear code, retries the rest, and completes within bounds', async () => {
    const inputs = Array.from({ length: 40 }, (_, i) => `${i} + 1`);
    inputs[1] = `[hang] ${inputs[1]}`;
    inputs[6] = `[hang] ${inputs[6]}`;
    inputs[2] = `[empty] ${inputs[2]}`;
    inputs[11] = `[empty] ${inputs[11]}`;
    inputs[7] = `[garbled] ${inputs[7]}`;
    inputs[12] = `[garbled] ${inputs[12]}`;
    const benchmarkId = await benchmarkOf('Provider faults', inputs);

    const started = Date.now();
    const evaluation = await runToEnd(client, { model_id: 'flaky', benchmark_id: benchmarkId, custom_metrics: ['exact_match'] });
    const elapsedMs = Date.now() - started;

    expect(evaluation.status).toBe('completed');
    expect(evaluation.progress).toMatchObject({ total_items: 40, completed_items: 34, failed_items: 6 });
    expect(evaluation.results.models[0]).toMatchObject({
      completed_items: 34,
      failed_items: 6,
      failure_reasons: { timeout: 2, malformed_response: 4 },
      metrics: { exact_match: { mean: 1, n: 34, n_excluded: 6 } },
    });
    const byInput = new Map((await rows(evaluation.evaluation_id)).map((row) => [inputs[row.position]!, row.outputs.flaky!]));
    for (const input of inputs) {
      const expected = input.startsWith('[hang]')
        ? 'timeout'
        : input.startsWith('[empty]') || input.startsWith('[garbled]')
          ? 'malformed_response'
          : undefined;
      expect({ input, status: byInput.get(input)?.status, code: byInput.get(input)?.error_code }).toEqual({
        input,
        status: expected ? 'failed' : 'scored',
        code: expected,
      });
    }
    // The transient faults were met and retried away.
    const seen = flaky.stats().byOutcome;
    expect(seen.rate_limited ?? 0).toBeGreaterThan(0);
    expect(seen.server_error ?? 0).toBeGreaterThan(0);
    expect(seen.empty_body ?? 0).toBeGreaterThan(0);
    expect(seen.non_json_body ?? 0).toBeGreaterThan(0);
    // A hang is tried five times (every attempt times out), a garbled answer twice (one retry, in case the
    // connection dropped mid-body); the item keeps the last error with its attempts.
    const listed = await client.request('GET', `/api/v3/evaluations/${evaluation.evaluation_id}/results?failed=true&limit=100`);
    expect(
      listed.json.items.map((row: any) => [row.input.split(' ')[0], row.outputs.flaky.error.code, row.outputs.flaky.error.attempts]).sort(),
    ).toEqual([
      ['[empty]', 'malformed_response', 2],
      ['[empty]', 'malformed_response', 2],
      ['[garbled]', 'malformed_response', 2],
      ['[garbled]', 'malformed_response', 2],
      ['[hang]', 'timeout', 5],
      ['[hang]', 'timeout', 5],
    ]);
    // A hanging call is abandoned after its 1 s timeout, five times with backoff: about 12 s at worst, so
    // the whole run stays far inside one invocation, never stuck behind a provider that never answers.
    expect(elapsedMs).toBeLessThan(45_000);
  }, 90_000);
});

describe('a provider that is down (connection refused)', () => {
  it('for a whole chunk: that chunk fails its items with network_error, later chunks score, the evaluation completes', async () => {
    const benchmarkId = await benchmarkOf(
      'Down for a chunk',
      Array.from({ length: 12 }, (_, i) => `${i} * 2`),
    );
    const evaluator = inProcessEvaluator(stack.env, documents);
    const { evaluationId, start } = await evaluator.create({
      model_id: 'down',
      model_id_2: 'baseline:reference',
      benchmark_id: benchmarkId,
      custom_metrics: ['exact_match'],
    });
    await evaluator.deliver(start);
    // The start sends the evaluation's window of chunks (two by default), not all three.
    const [first, second, ...beyondWindow] = evaluator.queue.take() as ChunkMessage[];
    expect(beyondWindow).toHaveLength(0);

    await down.down();
    try {
      await evaluator.deliver(first!);
    } finally {
      await down.up();
    }
    // Counting the failed chunk sent the next one of the window.
    const refilled = evaluator.queue.take() as ChunkMessage[];
    expect(refilled.map((chunk) => chunk.chunk)).toEqual([2]);
    await Promise.all([second!, ...refilled].map((chunk) => evaluator.deliver(chunk)));

    const outcome = await evaluationOutcome(documents, stack.env, evaluationId);
    expect(outcome).toMatchObject({
      status: 'completed',
      chunks_done: 3,
      progress: { total_items: 12, completed_items: 8, failed_items: 4 },
      model_progress: { down: { scored: 8, failed: 4 }, 'baseline:reference': { scored: 12, failed: 0 } },
      models: { down: { completed_items: 8, failed_items: 4, metrics: { exact_match: { mean: 1, n: 8, n_excluded: 4 } } } },
    });
    expect(outcome.rows.filter((row) => row.outputs.down!.status === 'failed').map((row) => [row.position, row.outputs.down!.error_code])).toEqual([
      [0, 'network_error'],
      [1, 'network_error'],
      [2, 'network_error'],
      [3, 'network_error'],
    ]);
  }, 90_000);

  it('for a whole evaluation: every item fails with network_error and the evaluation fails with the reason, not stuck running', async () => {
    const benchmarkId = await benchmarkOf(
      'Down throughout',
      Array.from({ length: 8 }, (_, i) => `${i} - 1`),
    );
    await down.down();
    let evaluation: Awaited<ReturnType<typeof runToEnd>>;
    try {
      evaluation = await runToEnd(client, {
        model_id: 'down',
        model_id_2: 'baseline:reference',
        benchmark_id: benchmarkId,
        custom_metrics: ['exact_match'],
      });
    } finally {
      await down.up();
    }
    expect(evaluation.status).toBe('failed');
    expect(evaluation.error.code).toBe('model_unusable');
    expect(evaluation.progress).toMatchObject({ total_items: 8, completed_items: 0, failed_items: 8 });
    const byModel = Object.fromEntries(evaluation.results.models.map((model: any) => [model.model_id, model]));
    expect(byModel.down).toMatchObject({ completed_items: 0, failed_items: 8, failure_reasons: { network_error: 8 } });
    expect(byModel['baseline:reference']).toMatchObject({ completed_items: 8, failed_items: 0 });

    // Back up: the same model works again (no dead pooled connection is reused for good).
    const again = await runToEnd(client, { model_id: 'down', benchmark_id: benchmarkId, custom_metrics: ['exact_match'] });
    expect(again.status).toBe('completed');
    expect(again.results.models[0]).toMatchObject({ completed_items: 8, failed_items: 0 });
  }, 120_000);
});

describe('a provider that hangs past the invocation timeout', () => {
  it('has its calls abandoned before the function times out; the chunk resumes on redelivery and is counted once', async () => {
    const patient = await startFakeModelServer({ seed: 5, promptFaults: [{ marker: '[hang]', fault: 'timeout' }] });
    try {
      // A model that waits up to 60 s per attempt: retries alone would outlast the invocation.
      await register('patient', patient, 60_000);
      const benchmarkId = await benchmarkOf('Hangs past the timeout', ['1 + 1', '[hang] 2 + 2', '3 + 3', '[hang] 4 + 4']);
      const evaluator = inProcessEvaluator(stack.env, documents);
      const { evaluationId, start } = await evaluator.create({ model_id: 'patient', benchmark_id: benchmarkId, custom_metrics: ['exact_match'] });
      await evaluator.deliver(start);
      const [chunk] = evaluator.queue.take() as ChunkMessage[];

      // 25 s left when the chunk starts: calls start (new ones need 20 s), and those still waiting are
      // abandoned 10 s before the end, not left to run past it.
      const invocationEnds = Date.now() + 25_000;
      await expect(evaluator.deliver(chunk!, () => invocationEnds - Date.now())).rejects.toBeInstanceOf(ChunkOutOfTimeError);
      expect(invocationEnds - Date.now()).toBeGreaterThan(5_000);
      // What was answered is kept; the abandoned items are not recorded as failures.
      expect((await rows(evaluationId)).map((row) => [row.position, row.outputs.patient!.status])).toEqual([
        [0, 'scored'],
        [2, 'scored'],
      ]);

      // Redelivered once the provider answers again: it finishes the two missing items only.
      patient.setOptions({ promptFaults: [] });
      const before = patient.stats().requests;
      await evaluator.deliver(chunk!);
      expect(patient.stats().requests - before).toBe(2);
      const outcome = await evaluationOutcome(documents, stack.env, evaluationId);
      expect(outcome).toMatchObject({ status: 'completed', chunks_done: 1, progress: { completed_items: 4, failed_items: 0 } });
    } finally {
      await patient.stop();
    }
  }, 60_000);
});

describe('a model that answers far more than anyone asked for', () => {
  it('has a 1 MB answer scored on its stored part and flagged truncated, an answer over the byte cap fail only its item, and the evaluation complete', async () => {
    const rambling = await startFakeModelServer({
      seed: 3,
      promptFaults: [
        { marker: '[1mb]', fault: 'large_answer', bytes: 1_000_000 },
        // Over the 4 MiB default cap on what is read of a response.
        { marker: '[5mb]', fault: 'large_answer', bytes: 5 * 1024 * 1024 },
      ],
    });
    try {
      await register('rambling', rambling, 10_000);
      const inputs = ['1 + 1', '[1mb] 2 + 2', '3 + 3', '[5mb] 4 + 4', '[1mb] 5 + 5', '6 + 6'];
      const benchmarkId = await benchmarkOf('Rambling answers', inputs);

      const evaluation = await runToEnd(client, {
        model_id: 'rambling',
        benchmark_id: benchmarkId,
        custom_metrics: ['starts_with', { name: 'reached_the_end', type: 'contains', value: '[end]' }],
      });

      expect(evaluation.status).toBe('completed');
      expect(evaluation.progress).toMatchObject({ total_items: 6, completed_items: 5, failed_items: 1 });
      expect(evaluation.results.models[0]).toMatchObject({ completed_items: 5, failed_items: 1, failure_reasons: { malformed_response: 1 } });
      const listed = await client.request('GET', `/api/v3/evaluations/${evaluation.evaluation_id}/results?limit=100`);
      expect(listed.status).toBe(200);
      const byInput = new Map(listed.json.items.map((row: any) => [row.input, row.outputs.rambling]));
      for (const input of ['[1mb] 2 + 2', '[1mb] 5 + 5']) {
        const output: any = byInput.get(input);
        expect(output).toMatchObject({ status: 'scored', truncated: true, scores: { starts_with: 1, reached_the_end: 0 } });
        // Cut at 64 KiB of UTF-8 without splitting a character: the stored text encodes back to itself.
        const bytes = Buffer.byteLength(output.output);
        expect(bytes).toBeLessThanOrEqual(64 * 1024);
        expect(bytes).toBeGreaterThan(64 * 1024 - 4);
        expect(output.output.isWellFormed()).toBe(true);
        expect(output.output).not.toContain('\uFFFD');
      }
      expect(byInput.get('1 + 1')).toMatchObject({ status: 'scored', scores: { starts_with: 1, reached_the_end: 0 } });
      expect(byInput.get('1 + 1')).not.toHaveProperty('truncated');
      const flood: any = byInput.get('[5mb] 4 + 4');
      expect(flood).toMatchObject({ status: 'failed', error: { code: 'malformed_response', attempts: 1 } });
      expect(flood.error.message).toContain('response_too_large');
      // The stored row of a truncated answer stays far under DynamoDB's 400 KB item limit.
      expect(Buffer.byteLength(JSON.stringify(listed.json.items))).toBeLessThan(200_000);
    } finally {
      await rambling.stop();
    }
  }, 90_000);
});
