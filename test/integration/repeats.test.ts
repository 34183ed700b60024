/**
 * Repeats through the public API on the local stack: every item is answered `repeats` times (or its own
 * `metadata.repeats`), each sample its own result row, progress counts samples, and the results show
 * per-item means, pass@k, pass^k and flaky items. The fake model server's `flip-odd` model answers a
 * prompt right on its 1st, 3rd and 5th call and wrong on its 2nd and 4th, so with 5 samples each item
 * passes 3 times of 5.
 */
import { pollUntil } from '../../local/poll.js';
import { FLIP_ODD_MODEL_PREFIX, startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { passAtK, passHatK } from '#shared/domain/stats/repeats.js';
import { api, startTestStack, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let client: ReturnType<typeof api>;
let fake: FakeModelServer;

beforeAll(async () => {
  fake = await startFakeModelServer({ seed: 1 });
  stack = await startTestStack();
  client = api(stack);
  const registered = await client.request('POST', '/api/v3/models', {
    body: {
      model_id: 'flaky',
      provider: 'openai_compatible',
      provider_model_id: `${FLIP_ODD_MODEL_PREFIX}-1`,
      base_url: fake.url,
      timeout_ms: 2000,
      max_concurrency: 4,
    },
  });
  expect(registered.status).toBe(201);
});

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

async function createBenchmark(items: unknown[]) {
  const created = await client.request('POST', '/api/v3/benchmarks', { body: { name: 'Sums', task_type: 'exact_answer', items } });
  return created;
}

async function finished(id: string) {
  await pollUntil(
    async () => {
      const status = await client.request('GET', `/api/v3/evaluations/${id}/status`);
      return ['completed', 'failed', 'cancelled'].includes(status.json.status) ? status.json : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, description: `evaluation ${id} to finish` },
  );
  return (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
}

describe('repeats', () => {
  it('answers each item repeats times, one row per sample, and reports the item-level statistics', async () => {
    const benchmark = await createBenchmark([
      { id: 'a', input: 'What is 2 + 3?', expected: '5' },
      { id: 'b', input: 'What is 4 + 4?', expected: '8' },
      { id: 'c', input: 'What is 7 - 1?', expected: '6', metadata: { repeats: 1 } },
    ]);
    expect(benchmark.status).toBe(201);
    const created = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'flaky', benchmark_id: benchmark.json.benchmark_id, custom_metrics: ['exact_match'], repeats: 5 },
    });
    expect(created.status).toBe(202);

    const evaluation = await finished(created.json.evaluation_id);
    expect(evaluation.status).toBe('completed');
    // 2 items × 5 samples + 1 item asking for 1: progress counts the 11 samples exactly.
    const status = (await client.request('GET', `/api/v3/evaluations/${created.json.evaluation_id}/status`)).json;
    expect(status.progress).toMatchObject({ total_items: 3, total_samples: 11, completed_items: 11, failed_items: 0, percent: 100 });

    const rows = (await client.request('GET', `/api/v3/evaluations/${created.json.evaluation_id}/results?limit=100`)).json.items as any[];
    expect(rows.map((row) => [row.item_id, row.repeat])).toEqual([
      ['a', 0],
      ['a', 1],
      ['a', 2],
      ['a', 3],
      ['a', 4],
      ['b', 0],
      ['b', 1],
      ['b', 2],
      ['b', 3],
      ['b', 4],
      ['c', undefined],
    ]);
    const passes = (id: string) => rows.filter((row) => row.item_id === id).reduce((sum, row) => sum + row.outputs.flaky.scores.exact_match, 0);
    expect([passes('a'), passes('b'), passes('c')]).toEqual([3, 3, 1]);

    const [model] = evaluation.results.models;
    // The item is the unit: means of per-item means (0.6, 0.6, 1), n = 3 items.
    expect(model.metrics.exact_match.n).toBe(3);
    expect(model.metrics.exact_match.mean).toBeCloseTo((0.6 + 0.6 + 1) / 3, 12);
    expect(model.completed_items).toBe(11);
    expect(model.repeats).toEqual({
      samples: 11,
      items: 3,
      flaky_items: 2,
      metrics: {
        exact_match: {
          k: 5,
          pass_at_k: passAtK(5, 3, 5),
          pass_hat_k: passHatK(5, 3, 5),
          items: 2,
          flaky_items: 2,
          flakiness_rate: 0.4,
        },
      },
    });
  });

  it('refuses an item asking for a sample count out of range, with its path, and writes nothing', async () => {
    const before = (await client.request('GET', '/api/v3/benchmarks?limit=100')).json.items.length;
    const refused = await createBenchmark([
      { id: 'ok', input: 'What is 1 + 1?', expected: '2' },
      { id: 'bad', input: 'What is 1 + 2?', expected: '3', metadata: { repeats: 21 } },
    ]);
    expect(refused.status).toBe(400);
    expect(refused.json.code).toBe('validation_error');
    expect(refused.json.errors).toEqual([expect.objectContaining({ path: 'items.1.metadata.repeats' })]);
    expect((await client.request('GET', '/api/v3/benchmarks?limit=100')).json.items.length).toBe(before);
  });

  it('refuses repeats out of range on create', async () => {
    const benchmark = await createBenchmark([{ id: 'a', input: 'What is 2 + 3?', expected: '5' }]);
    const refused = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'flaky', benchmark_id: benchmark.json.benchmark_id, repeats: 0 },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([expect.objectContaining({ path: 'repeats' })]);
  });
});
