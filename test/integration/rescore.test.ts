/**
 * Rescore through the public API on the local stack: a completed evaluation's stored answers are scored
 * again with other metrics in a new evaluation, and the model server sees no call at all; failed answers
 * stay failed; the reused answers cost nothing (the source counted them); what cannot be rescored is
 * refused with nothing written.
 */
import { pollUntil } from '../../local/poll.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { localDocumentClient } from '../../local/seed.js';
import { api, startTestStack, stackStartTimeoutMs, type TestStack } from './support/local-stack.js';
import { describeChanges, snapshotTables } from './support/table-snapshot.js';

let stack: TestStack;
let client: ReturnType<typeof api>;
let fake: FakeModelServer;
let slow: FakeModelServer;
let documents: ReturnType<typeof localDocumentClient>;
let benchmarkId: string;
let sourceId: string;

const pricing = { input_per_million: 1_000, output_per_million: 2_000 };

async function register(model_id: string, server: FakeModelServer) {
  const registered = await client.request('POST', '/api/v3/models', {
    body: {
      model_id,
      provider: 'openai_compatible',
      provider_model_id: 'gpt-4o',
      base_url: server.url,
      timeout_ms: 2000,
      max_concurrency: 4,
      pricing,
    },
  });
  expect(registered.status).toBe(201);
}

async function finished(id: string) {
  return pollUntil(
    async () => {
      const status = await client.request('GET', `/api/v3/evaluations/${id}/status`);
      return ['completed', 'failed', 'cancelled'].includes(status.json.status) ? status.json : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200, description: `evaluation ${id} to finish` },
  );
}

async function rows(id: string) {
  return (await client.request('GET', `/api/v3/evaluations/${id}/results?limit=100`)).json.items as any[];
}

beforeAll(async () => {
  // One item's prompt gets a 400 from the model server every time: a failure that is final, not retried.
  fake = await startFakeModelServer({ seed: 3, promptFaults: [{ marker: 'REFUSE', fault: 'bad_request' }] });
  slow = await startFakeModelServer({ latencyMs: 20_000 });
  stack = await startTestStack();
  client = api(stack);
  documents = localDocumentClient(stack.env);
  await register('answerer', fake);
  await register('sluggish', slow);
  const created = await client.request('POST', '/api/v3/benchmarks', {
    body: {
      name: 'Sums to rescore',
      task_type: 'exact_answer',
      items: [
        { id: 'add', input: '2 + 3 = ?', expected: '5' },
        { id: 'mul', input: '4 * 6 = ?', expected: '24' },
        // The fake answers 3: wrong, so exact_match and token_f1 both score it 0.
        { id: 'sub', input: '10 - 7 = ?', expected: '4' },
        { id: 'refused', input: 'REFUSE 1 + 1 = ?', expected: '2' },
      ],
    },
  });
  expect(created.status).toBe(201);
  benchmarkId = created.json.benchmark_id;
  const source = await client.request('POST', '/api/v3/evaluations', {
    body: { model_id: 'answerer', model_id_2: 'baseline:reference', benchmark_id: benchmarkId, custom_metrics: ['exact_match'] },
  });
  expect(source.status).toBe(202);
  sourceId = source.json.evaluation_id;
  expect((await finished(sourceId)).status).toBe('completed');
}, stackStartTimeoutMs + 60_000);

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
  await fake?.stop();
  await slow?.stop();
});

describe('POST /api/v3/evaluations/{id}/rescore', () => {
  it('scores the stored answers with new metrics in a new evaluation, calling no candidate model', async () => {
    const callsBefore = fake.stats().requests;
    const response = await client.request('POST', `/api/v3/evaluations/${sourceId}/rescore`, {
      body: { custom_metrics: ['token_f1', { name: 'digits', type: 'regex', pattern: '^\\d+$' }], tags: { purpose: 'rescore' } },
    });
    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({ status: 'pending', model_id: 'answerer', model_id_2: 'baseline:reference', benchmark_id: benchmarkId });
    const rescoreId = response.json.evaluation_id as string;
    expect(rescoreId).not.toBe(sourceId);
    expect(response.headers.get('location')).toBe(`/api/v3/evaluations/${rescoreId}/status`);

    const status = await finished(rescoreId);
    expect(status).toMatchObject({ status: 'completed', source_evaluation_id: sourceId });
    expect(status.progress).toMatchObject({ total_items: 4, completed_items: 3, failed_items: 1 });
    expect(fake.stats().requests).toBe(callsBefore);

    const [before, after] = [await rows(sourceId), await rows(rescoreId)];
    expect(after.map((row) => row.item_id)).toEqual(['add', 'mul', 'sub', 'refused']);
    after.forEach((row, index) => {
      const original = before[index].outputs.answerer;
      const reused = row.outputs.answerer;
      expect(reused).toMatchObject({ status: original.status, reused_from: sourceId });
      expect(reused.output).toEqual(original.output);
      if (original.status === 'scored') {
        expect(original.cost_usd).toBeGreaterThan(0);
        expect(reused.cost_usd).toBe(0);
        expect(reused.usage).toBeUndefined();
        expect(Object.keys(reused.scores).sort()).toEqual(['digits', 'token_f1']);
      }
    });
    expect(after[3].outputs.answerer.error.code).toBe(before[3].outputs.answerer.error.code);

    const evaluation = (await client.request('GET', `/api/v3/evaluations/${rescoreId}`)).json;
    const answerer = evaluation.results.models.find((model: any) => model.model_id === 'answerer');
    // 2 of the 3 answered items are right (the fake answers 10 - 7 with 3); every answer is digits only.
    expect(answerer.metrics.token_f1.mean).toBeCloseTo(2 / 3, 10);
    expect(answerer.metrics.digits.mean).toBe(1);
    // Nothing was spent on the candidates this time: the source counted what their answers cost.
    expect(answerer.cost_usd).toBe(0);
    // Comparison mode carries over: the reference baseline is right on every item it answered.
    expect(evaluation.results.models.find((model: any) => model.model_id === 'baseline:reference').metrics.token_f1.mean).toBe(1);
    expect(evaluation.results.comparison).toBeDefined();
  });

  it('replays its first answer for a repeated Idempotency-Key, and refuses the key with another body', async () => {
    const send = (metrics: string[]) =>
      client.request('POST', `/api/v3/evaluations/${sourceId}/rescore`, {
        body: { custom_metrics: metrics },
        headers: { 'idempotency-key': 'rescore-once' },
      });
    const first = await send(['contains']);
    const again = await send(['contains']);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.json.evaluation_id).toBe(first.json.evaluation_id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await send(['token_f1']);
    expect({ status: other.status, code: other.json.code }).toEqual({ status: 409, code: 'idempotency_key_reused' });
    await finished(first.json.evaluation_id);
  });

  it('refuses what it cannot rescore with a code and the offending field, writing nothing', async () => {
    const running = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'sluggish', benchmark_id: benchmarkId, custom_metrics: ['exact_match'] },
    });
    expect(running.status).toBe(202);
    const runningId = running.json.evaluation_id as string;

    // The running evaluation's own rows (and its model's limiter slots) may change meanwhile; nothing else may.
    const others = { excludeRow: (row: string) => row.includes(runningId) || row.includes('#LIMIT#') };
    const before = await snapshotTables(documents, stack.env, others);
    const cases: Array<[string, string, unknown, number, string, string | undefined]> = [
      ['an unfinished evaluation', runningId, { custom_metrics: ['token_f1'] }, 409, 'evaluation_not_finished', undefined],
      ['an unknown metric', sourceId, { custom_metrics: ['exact_match', 'wisdom'] }, 422, 'unknown_metric', 'custom_metrics.1'],
      ['no metrics', sourceId, {}, 400, 'validation_error', 'custom_metrics'],
      ['an empty metric list', sourceId, { custom_metrics: [] }, 400, 'validation_error', 'custom_metrics'],
      ['an unknown field', sourceId, { custom_metrics: ['token_f1'], model_id: 'other' }, 400, 'validation_error', 'model_id'],
      ['an unknown evaluation', 'eval-doesnotexist', { custom_metrics: ['token_f1'] }, 404, 'not_found', 'evaluation_id'],
    ];
    for (const [label, id, body, status, code, path] of cases) {
      const response = await client.request('POST', `/api/v3/evaluations/${id}/rescore`, { body });
      expect({ label, status: response.status }).toEqual({ label, status });
      if (code) expect({ label, code: response.json.code }).toEqual({ label, code });
      expect(typeof response.json.message).toBe('string');
      if (path) expect({ label, paths: response.json.errors.map((error: any) => error.path) }).toEqual({ label, paths: [path] });
    }
    expect(describeChanges(before, await snapshotTables(documents, stack.env, others))).toEqual([]);

    const cancelled = await client.request('POST', `/api/v3/evaluations/${runningId}/cancel`);
    expect(cancelled.status).toBe(202);
    expect((await finished(runningId)).status).toBe('cancelled');
    const refused = await client.request('POST', `/api/v3/evaluations/${runningId}/rescore`, { body: { custom_metrics: ['token_f1'] } });
    expect({ status: refused.status, code: refused.json.code }).toEqual({ status: 409, code: 'evaluation_not_completed' });
  }, 90_000);
});
