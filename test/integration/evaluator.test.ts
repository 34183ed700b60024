import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { benchmarkKeys, evaluationKeys } from '#shared/adapters/dynamodb/keys.js';
import { localDocumentClient } from '../../local/seed.js';
import { pollUntil } from '../../local/poll.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { api, startTestStack, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let fake: FakeModelServer;

beforeAll(async () => {
  fake = await startFakeModelServer({ seed: 1 });
  // Small chunks so that even the 30-item samples fan out into several chunk messages; a short stall
  // threshold so the reconciler can be seen working.
  stack = await startTestStack({ env: { ARBITER_CHUNK_SIZE: '7' } });
  client = api(stack);
  documents = localDocumentClient(stack.env);
  const registered = await client.request('POST', '/api/v3/models', {
    body: { model_id: 'fake', provider: 'openai_compatible', provider_model_id: 'fake-1', base_url: fake.url, timeout_ms: 1000, max_concurrency: 8 },
  });
  expect(registered.status).toBe(201);
});

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
  await fake?.stop();
});

async function runToEnd(body: Record<string, unknown>, timeoutMs = 60_000) {
  // The runs here measure calls to the fake model (its faults, its counts): none may come from the response cache.
  const created = await client.request('POST', '/api/v3/evaluations', { body: { cache: 'off', ...body } });
  expect(created.status).toBe(202);
  const id = created.json.evaluation_id as string;
  await pollUntil(
    async () => {
      const status = await client.request('GET', `/api/v3/evaluations/${id}/status`);
      return ['completed', 'failed', 'cancelled'].includes(status.json.status) ? true : undefined;
    },
    { timeoutMs, intervalMs: 200, description: `evaluation ${id} to finish` },
  );
  return (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
}

async function allResults(id: string, query = '') {
  const rows: any[] = [];
  let cursor: string | null = null;
  do {
    const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await client.request('GET', `/api/v3/evaluations/${id}/results?limit=100${query}${suffix}`);
    expect(page.status).toBe(200);
    rows.push(...page.json.items);
    cursor = page.json.next_cursor;
  } while (cursor);
  return rows;
}

async function chunkMarkers(id: string): Promise<number> {
  const result = await documents.send(
    new QueryCommand({
      TableName: stack.env[tableDefinitions.evaluations.envVar],
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :chunk)',
      ExpressionAttributeValues: { ':pk': evaluationKeys.partition('dev', id), ':chunk': evaluationKeys.chunkPrefix },
      Select: 'COUNT',
    }),
  );
  return result.Count ?? 0;
}

describe('single model', () => {
  it('runs the seed request against a model server to completed, with correct per-item results', async () => {
    const evaluation = await runToEnd({ model_id: 'fake', benchmark_id: 'task-sample-arithmetic', custom_metrics: ['exact_match', 'token_f1'] });
    expect(evaluation.status).toBe('completed');
    expect(evaluation.progress).toMatchObject({ total_items: 30, completed_items: 30, failed_items: 0, percent: 100 });
    const [model] = evaluation.results.models;
    expect(model).toMatchObject({ model_id: 'fake', completed_items: 30, failed_items: 0 });
    // The fake answers arithmetic correctly, so exact match is perfect; the Wilson interval is not [1, 1].
    expect(model.metrics.exact_match).toMatchObject({ mean: 1, n: 30, n_excluded: 0 });
    expect(model.metrics.exact_match.ci95[0]).toBeGreaterThan(0.85);
    expect(model.metrics.exact_match.ci95[0]).toBeLessThan(1);
    expect(model.usage.input_tokens).toBeGreaterThan(0);
    expect(model.latency_ms.p50).toEqual(expect.any(Number));

    const rows = await allResults(evaluation.evaluation_id);
    expect(rows).toHaveLength(30);
    expect(rows.map((row) => row.position)).toEqual([...Array(30).keys()]);
    for (const row of rows) {
      expect(row.outputs.fake).toMatchObject({ status: 'scored', output: row.expected, scores: { exact_match: 1 } });
    }
    expect(await chunkMarkers(evaluation.evaluation_id)).toBe(5); // ceil(30 / 7)
  });

  it('fails an evaluation whose model cannot answer any item, with the reason on every item', async () => {
    const evaluation = await runToEnd({
      model_id: 'claude-3-sonnet-20240229',
      benchmark_id: 'task-sample-arithmetic',
      custom_metrics: ['accuracy', 'relevance'],
    });
    expect(evaluation.status).toBe('failed');
    expect(evaluation.error.code).toBe('model_unusable');
    expect(evaluation.results.models[0]).toMatchObject({ completed_items: 0, failed_items: 30, failure_reasons: { credentials_missing: 30 } });
    const failed = await allResults(evaluation.evaluation_id, '&failed=true');
    expect(failed).toHaveLength(30);
    expect(failed[0].outputs['claude-3-sonnet-20240229'].error.message).toContain('ANTHROPIC_API_KEY');
  });
});

describe('comparison mode', () => {
  it('runs two baselines side by side and compares them with a paired test', async () => {
    const evaluation = await runToEnd({ model_id: 'baseline:first-choice', model_id_2: 'baseline:reference', benchmark_id: 'task-sample-capitals' });
    expect(evaluation.status).toBe('completed');
    const byModel = Object.fromEntries(evaluation.results.models.map((model: any) => [model.model_id, model]));
    expect(byModel['baseline:reference'].metrics.accuracy.mean).toBe(1);
    const rows = await allResults(evaluation.evaluation_id);
    const firstChoiceRight = rows.filter((row) => row.expected === 'A').length;
    expect(byModel['baseline:first-choice'].metrics.accuracy.mean).toBeCloseTo(firstChoiceRight / 30, 10);

    const comparison = evaluation.results.comparison.metrics.accuracy;
    expect(comparison).toMatchObject({
      test: 'mcnemar_exact',
      wins: 30 - firstChoiceRight,
      ties: firstChoiceRight,
      losses: 0,
      verdict: 'model_2 better',
    });
    expect(comparison.difference).toBeCloseTo(1 - firstChoiceRight / 30, 10);
    expect(comparison.p_value).toBeLessThan(0.001);
    // Side by side: every row carries both models' answers.
    for (const row of rows) expect(Object.keys(row.outputs).sort()).toEqual(['baseline:first-choice', 'baseline:reference']);
  });
});

describe('faults', () => {
  it('with 5% 429s, 2% 500s and 1% timeouts, every item ends scored or failed with a reason, none counted twice', async () => {
    fake.setOptions({ rates: { rateLimit: 0.05, serverError: 0.02, timeout: 0.01 }, seed: 42, retryAfterSeconds: 0 });
    try {
      const evaluation = await runToEnd({ model_id: 'fake', model_id_2: 'baseline:reference', benchmark_id: 'task-sample-arithmetic' }, 90_000);
      expect(evaluation.status).toBe('completed');
      const rows = await allResults(evaluation.evaluation_id);
      expect(rows).toHaveLength(30);
      for (const row of rows) {
        const output = row.outputs.fake;
        expect(['scored', 'failed']).toContain(output.status);
        if (output.status === 'failed') expect(output.error.code).toEqual(expect.any(String));
      }
      const fakeModel = evaluation.results.models.find((model: any) => model.model_id === 'fake');
      expect(fakeModel.completed_items + fakeModel.failed_items).toBe(30);
      expect(evaluation.progress.completed_items + evaluation.progress.failed_items).toBe(30);
      expect(await chunkMarkers(evaluation.evaluation_id)).toBe(5);
      expect(fake.stats().byOutcome.rate_limited ?? 0).toBeGreaterThan(0);
    } finally {
      fake.setOptions({ rates: {}, seed: 1 });
    }
  });

  it('dead-letters a chunk that keeps failing, fails its items with the reason, and still finishes', async () => {
    const benchmark = await client.request('POST', '/api/v3/benchmarks', {
      body: {
        name: 'Poison',
        task_type: 'exact_answer',
        items: Array.from({ length: 10 }, (_, i) => ({ input: `${i} + 1`, expected: String(i + 1) })),
      },
    });
    // Corrupt the stored benchmark so that every chunk throws (its prompt template is no longer text), as a
    // damaged record would in production: the messages are retried, dead-lettered, and handled there.
    await documents.send(
      new UpdateCommand({
        TableName: stack.env[tableDefinitions.benchmarks.envVar],
        Key: benchmarkKeys.meta('dev', benchmark.json.benchmark_id),
        UpdateExpression: 'SET prompt_template = :number',
        ExpressionAttributeValues: { ':number': 42 },
      }),
    );
    const created = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'baseline:reference', benchmark_id: benchmark.json.benchmark_id },
    });
    expect(created.status).toBe(202);
    const id = created.json.evaluation_id as string;
    await pollUntil(
      async () => {
        const status = await client.request('GET', `/api/v3/evaluations/${id}/status`);
        return ['completed', 'failed', 'cancelled'].includes(status.json.status) ? status.json : undefined;
      },
      { timeoutMs: 100_000, intervalMs: 500, description: 'the poisoned evaluation to reach a final state' },
    );
    const evaluation = (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
    expect(evaluation.status).toBe('failed');
    expect(evaluation.error.code).toBe('model_unusable');
    expect(evaluation.results.models[0].failure_reasons).toEqual({ dead_lettered: 10 });
    expect(await chunkMarkers(id)).toBe(2);
  }, 120_000);
});

describe('crash', () => {
  it('an evaluator killed in the middle of a chunk and restarted gives the same final counts', async () => {
    const benchmark = await client.request('POST', '/api/v3/benchmarks', {
      body: {
        name: 'Crash',
        task_type: 'exact_answer',
        items: Array.from({ length: 120 }, (_, i) => ({ input: `${i} + 3`, expected: String(i + 3) })),
      },
    });
    fake.setOptions({ latencyMs: 100 });
    const before = fake.stats().requests;
    try {
      const created = await client.request('POST', '/api/v3/evaluations', {
        body: { model_id: 'fake', benchmark_id: benchmark.json.benchmark_id, cache: 'off' },
      });
      const id = created.json.evaluation_id as string;
      await pollUntil(async () => (fake.stats().requests - before >= 20 ? true : undefined), { timeoutMs: 20_000, description: 'work in progress' });
      await stack.crashEvaluator();

      const evaluation = await pollUntil(
        async () => {
          const current = (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
          return current.results ? current : undefined;
        },
        // Recovery waits for the dead process's chunk lease to run out (about 40 s here when the machine is
        // quiet); the window leaves room for a loaded CI machine. What is asserted is the counts, not the time.
        { timeoutMs: 150_000, intervalMs: 300, description: 'the evaluation to finish after the crash' },
      );
      expect(evaluation.status).toBe('completed');
      expect(evaluation.progress).toMatchObject({ total_items: 120, completed_items: 120, failed_items: 0 });
      expect(evaluation.results.models[0]).toMatchObject({ completed_items: 120, failed_items: 0 });
      expect(evaluation.results.models[0].metrics.exact_match.mean).toBe(1);
      expect(await chunkMarkers(id)).toBe(Math.ceil(120 / 7));
      expect(await allResults(id)).toHaveLength(120);
    } finally {
      fake.setOptions({ latencyMs: 0 });
    }
  }, 200_000);
});

describe('cancel', () => {
  it('stops calling the model within one chunk and ends cancelled, keeping what was done', async () => {
    const benchmark = await client.request('POST', '/api/v3/benchmarks', {
      body: {
        name: 'Long',
        task_type: 'exact_answer',
        items: Array.from({ length: 300 }, (_, i) => ({ input: `${i} + 2`, expected: String(i + 2) })),
      },
    });
    fake.setOptions({ latencyMs: 300 });
    const before = fake.stats().requests;
    try {
      const created = await client.request('POST', '/api/v3/evaluations', {
        body: { model_id: 'fake', benchmark_id: benchmark.json.benchmark_id, cache: 'off' },
      });
      const id = created.json.evaluation_id as string;
      await pollUntil(async () => (fake.stats().requests > before ? true : undefined), { timeoutMs: 20_000, description: 'the first model call' });
      const cancelled = await client.request('POST', `/api/v3/evaluations/${id}/cancel`);
      expect(cancelled.status).toBe(202);
      expect(cancelled.json.status).toBe('cancelled');

      await pollUntil(
        async () => {
          const evaluation = (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
          return evaluation.results ? evaluation : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200, description: 'the cancelled evaluation to settle' },
      );
      const calls = fake.stats().requests - before;
      // Running chunks notice the cancel within their 2 s check and start no new call; 8 calls per 300 ms
      // is about 60 calls in that window, far from the 300 a finished run makes.
      expect(calls).toBeLessThan(150);
      const evaluation = (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
      expect(evaluation.status).toBe('cancelled');
      expect(evaluation.results.models[0].completed_items).toBeLessThan(150);
      expect(evaluation.results.models[0].completed_items).toBeGreaterThan(0);

      const again = await client.request('POST', `/api/v3/evaluations/${id}/cancel`);
      expect(again.status).toBe(409);
      expect(again.json.code).toBe('evaluation_finished');
    } finally {
      fake.setOptions({ latencyMs: 0 });
    }
  });
});

describe('listing', () => {
  it('lists evaluations newest first with filters', async () => {
    const failed = await client.request('GET', '/api/v3/evaluations?status=failed');
    expect(failed.status).toBe(200);
    expect(failed.json.items.length).toBeGreaterThan(0);
    expect(failed.json.items.every((item: any) => item.status === 'failed')).toBe(true);
    const byModel = await client.request('GET', '/api/v3/evaluations?model_id=baseline:reference&limit=100');
    expect(byModel.json.items.every((item: any) => item.model_id === 'baseline:reference' || item.model_id_2 === 'baseline:reference')).toBe(true);
    const ids = byModel.json.items.map((item: any) => item.evaluation_id);
    expect(ids).toEqual([...ids].sort().reverse());
    const bad = await client.request('GET', '/api/v3/evaluations?status=done');
    expect(bad.status).toBe(400);
  });

  it('answers 404 for the results of an unknown evaluation', async () => {
    expect((await client.request('GET', '/api/v3/evaluations/eval-nope/results')).status).toBe(404);
    expect((await client.request('GET', '/api/v3/evaluations/eval-nope')).status).toBe(404);
    expect((await client.request('POST', '/api/v3/evaluations/eval-nope/cancel')).status).toBe(404);
  });
});

describe('records', () => {
  it('keeps the evaluation record consistent with its results', async () => {
    const evaluation = await runToEnd({ model_id: 'baseline:echo', benchmark_id: 'task-sample-summaries' });
    const record = await documents.send(
      new GetCommand({ TableName: stack.env[tableDefinitions.evaluations.envVar], Key: evaluationKeys.record('dev', evaluation.evaluation_id) }),
    );
    expect(record.Item?.gsi3pk).toBeUndefined(); // finished evaluations leave the reconciler's index
    expect(record.Item?.chunks_done).toBe(record.Item?.plan.chunk_count);
    expect(Object.keys(evaluation.results.models[0].metrics).sort()).toEqual(['rouge_l', 'token_f1']);
  });
});
