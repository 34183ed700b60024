import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as v from 'valibot';
import { EstimateResponseSchema } from '#shared/contracts/evaluations/estimate-schemas.js';
import { queueDefinitions, type QueueName } from '#shared/contracts/resources.js';
import { pollUntil } from '../../local/poll.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { localDocumentClient } from '../../local/seed.js';
import { api, startTestStack, type TestStack } from './support/local-stack.js';
import { describeChanges, snapshotTables } from './support/table-snapshot.js';

let stack: TestStack;
let client: ReturnType<typeof api>;
let fake: FakeModelServer;
let documents: ReturnType<typeof localDocumentClient>;
let sqs: SQSClient;

const pricing = { input_per_million: 3, output_per_million: 15 };
const judgePricing = { input_per_million: 0.25, output_per_million: 1.25 };

beforeAll(async () => {
  fake = await startFakeModelServer({ seed: 7 });
  stack = await startTestStack({ env: { ARBITER_DEFAULT_JUDGE_MODEL: 'estimate-judge' } });
  client = api(stack);
  documents = localDocumentClient(stack.env);
  sqs = new SQSClient({
    endpoint: stack.env.AWS_ENDPOINT_URL_SQS,
    region: stack.env.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const models = [
    { model_id: 'priced-a', parameters: { max_tokens: 40, system_prompt: 'Answer with the number only.' }, pricing },
    { model_id: 'priced-b', parameters: { max_tokens: 60 }, pricing },
    { model_id: 'unpriced', parameters: {} },
    { model_id: 'estimate-judge', parameters: { max_tokens: 200 }, pricing: judgePricing },
  ];
  for (const model of models) {
    const registered = await client.request('POST', '/api/v3/models', {
      body: { provider: 'openai_compatible', provider_model_id: 'fake', base_url: fake.url, timeout_ms: 5000, max_concurrency: 4, ...model },
    });
    expect(registered.status).toBe(201);
  }
});

afterAll(async () => {
  sqs?.destroy();
  documents?.destroy();
  await stack?.stop();
  await fake?.stop();
});

async function estimate(body: unknown) {
  const response = await client.request('POST', '/api/v3/evaluations/estimate', { body });
  // Every 200 is exactly the documented shape (strict: no field more or less).
  if (response.status === 200) expect(v.safeParse(EstimateResponseSchema, response.json).issues).toBeUndefined();
  return response;
}

async function queueDepth(queue: QueueName): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.env[queueDefinitions[queue].envVar],
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

async function runToEnd(body: unknown) {
  const created = await client.request('POST', '/api/v3/evaluations', { body });
  expect(created.status).toBe(202);
  const id = created.json.evaluation_id as string;
  await pollUntil(
    async () => {
      const status = await client.request('GET', `/api/v3/evaluations/${id}/status`);
      return ['completed', 'failed', 'cancelled'].includes(status.json.status) ? true : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, description: `evaluation ${id} to finish` },
  );
  return (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
}

describe('POST /api/v3/evaluations/estimate', () => {
  // First, while nothing else runs on the stack: any write would show in the snapshot.
  it('writes nothing, valid or not: no DynamoDB row changes and no queue message', async () => {
    const before = await snapshotTables(documents, stack.env);
    const queuesBefore = { work: await queueDepth('work'), workDeadLetter: await queueDepth('workDeadLetter') };

    const answers = await Promise.all([
      estimate({ model_id: 'priced-a', benchmark_id: stack.sampleBenchmarkId }),
      estimate({
        model_id: 'priced-a',
        model_id_2: 'priced-b',
        benchmark_id: stack.sampleBenchmarkId,
        custom_metrics: ['relevance', 'pairwise_preference'],
      }),
      client.request('POST', '/api/v3/evaluations/estimate', {
        body: { model_id: 'priced-a', benchmark_id: stack.sampleBenchmarkId },
        headers: { 'idempotency-key': 'estimate-is-not-a-create' },
      }),
      estimate({ model_id: 'priced-a', benchmark_id: 'task-nope' }),
      estimate({ model_id: 'nope', benchmark_id: stack.sampleBenchmarkId }),
      estimate({ benchmark_id: stack.sampleBenchmarkId }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 422, 422, 400]);

    const after = await snapshotTables(documents, stack.env);
    expect(describeChanges(before, after)).toEqual([]);
    expect({ work: await queueDepth('work'), workDeadLetter: await queueDepth('workDeadLetter') }).toEqual(queuesBefore);
    const listed = await client.request('GET', '/api/v3/evaluations');
    expect(listed.json.items).toEqual([]);
  });

  it('estimates a single model: one call per item, rendered input tokens, max_tokens output and a cost range', async () => {
    const response = await estimate({ model_id: 'priced-a', benchmark_id: stack.sampleBenchmarkId });
    expect(response.status).toBe(200);
    const body = response.json;
    expect(body).toMatchObject({ benchmark_id: stack.sampleBenchmarkId, item_count: 30, items_rendered: 30, judges: [] });
    expect(body.tokenisation.method).toBe('arbiter-heuristic-v1');
    const [model] = body.models;
    expect(model).toMatchObject({
      model_id: 'priced-a',
      calls: 30,
      output_tokens: {
        max_tokens_per_call: 40,
        max_tokens_source: 'parameters',
        max_tokens_bound: 1200,
        observed_mean_per_call: null,
        expected: 1200,
      },
    });
    // Each prompt holds the system prompt (5 words) and a word problem of a dozen words or more.
    expect(model.input_tokens.low).toBeGreaterThan(30 * 15);
    expect(model.input_tokens.low).toBeLessThanOrEqual(model.input_tokens.expected);
    expect(model.input_tokens.expected).toBeLessThanOrEqual(model.input_tokens.high);
    const highCost = (model.input_tokens.high * 3 + 1200 * 15) / 1_000_000;
    expect(model.cost_usd.high).toBeCloseTo(highCost, 6);
    expect(model.cost_usd.low).toBeCloseTo((model.input_tokens.low * 3) / 1_000_000, 6);
    expect(body.totals).toMatchObject({ calls: 30, cost_complete: true, unpriced_models: [] });
    expect(body.totals.cost_usd).toEqual(model.cost_usd);
    expect(body.duration.chunk_count).toBeGreaterThanOrEqual(1);
    expect(body.duration.models).toEqual([{ model_id: 'priced-a', calls: 30, max_concurrency: 4, latency_ms: 1000, latency_source: 'assumed' }]);
    // 30 calls of 1 s, 4 at a time: max_concurrency holds deployment-wide.
    expect(body.duration.low_seconds).toBeCloseTo(7.5, 1);
    // Chunk by chunk within the window, each chunk's last calls leave slots idle.
    expect(body.duration.high_seconds).toBeGreaterThanOrEqual(body.duration.low_seconds);
    expect(body.assumptions.length).toBeGreaterThan(0);
  });

  it('estimates a comparison with judged and pairwise metrics: judge calls per answer and both orders per item', async () => {
    const response = await estimate({
      model_id: 'priced-a',
      model_id_2: 'unpriced',
      benchmark_id: stack.sampleBenchmarkId,
      custom_metrics: ['exact_match', 'relevance', 'correctness', 'pairwise_preference'],
    });
    expect(response.status).toBe(200);
    const body = response.json;
    expect(body.models.map((model: any) => [model.model_id, model.calls])).toEqual([
      ['priced-a', 30],
      ['unpriced', 30],
    ]);
    const unpriced = body.models[1];
    expect(unpriced.cost_usd).toBeNull();
    expect(unpriced.cost_note).toMatch(/no pricing/);
    expect(unpriced.output_tokens).toMatchObject({ max_tokens_source: 'default', max_tokens_per_call: 1024 });
    expect(body.judges).toHaveLength(1);
    const [judge] = body.judges;
    expect(judge.judge_model_id).toBe('estimate-judge');
    // relevance and correctness: one call per answer (every item has an expected answer); pairwise: two per item.
    expect(judge.metrics).toEqual([
      { name: 'relevance', kind: 'judge', calls: 60 },
      { name: 'correctness', kind: 'judge', calls: 60 },
      { name: 'pairwise_preference', kind: 'pairwise', calls: 60 },
    ]);
    expect(judge.calls).toBe(180);
    expect(judge.output_tokens).toMatchObject({ max_tokens_per_call: 200, max_tokens_bound: 36_000, observed_based: null, expected: 180 * 64 });
    // The judge reads the answers: the high bound quotes every answer at max_tokens (40 and 1,024).
    expect(judge.input_tokens.high - judge.input_tokens.low).toBeGreaterThan(60 * 1024);
    expect(judge.cost_usd.high).toBeGreaterThan(judge.cost_usd.low);
    expect(body.totals).toMatchObject({ calls: 240, cost_complete: false, unpriced_models: ['unpriced'] });
    expect(body.totals.cost_usd.high).toBeCloseTo(body.models[0].cost_usd.high + judge.cost_usd.high, 6);
  });

  it('uses the observed output of completed evaluations once the model has history, and its input estimate matches the usage', async () => {
    const first = (await estimate({ model_id: 'priced-a', benchmark_id: stack.sampleBenchmarkId })).json;
    expect(first.models[0].output_tokens.observed_based).toBeNull();

    const evaluation = await runToEnd({ model_id: 'priced-a', benchmark_id: stack.sampleBenchmarkId });
    expect(evaluation.status).toBe('completed');
    const result = evaluation.results.models[0];
    expect(result.completed_items).toBe(30);

    const second = (await estimate({ model_id: 'priced-a', benchmark_id: stack.sampleBenchmarkId })).json;
    const output = second.models[0].output_tokens;
    expect(output.observed_from).toEqual({ evaluations: 1, calls: 30 });
    expect(output.observed_mean_per_call).toBeCloseTo(result.usage.output_tokens / 30, 2);
    expect(output.observed_based).toBe(result.usage.output_tokens);
    expect(output.expected).toBe(result.usage.output_tokens);
    expect(output.expected).toBeLessThan(first.models[0].output_tokens.expected);
    expect(second.models[0].cost_usd.expected).toBeLessThan(first.models[0].cost_usd.expected);
    // The fake model server counts words, which is the heuristic's low bound: exact on it.
    expect(second.models[0].input_tokens.low).toBe(result.usage.input_tokens);
    expect(second.models[0].cost_usd.low).toBeCloseTo(result.cost_usd, 6);
    expect(second.duration.models[0].latency_source).toBe('observed_p50');
  });

  it('answers create’s 422 for an unknown benchmark, model or metric, and a pairwise metric without a second model', async () => {
    const cases: [unknown, string, string][] = [
      [{ model_id: 'priced-a', benchmark_id: 'task-nope' }, 'unknown_benchmark', 'benchmark_id'],
      [{ model_id: 'nope', benchmark_id: stack.sampleBenchmarkId }, 'unknown_model', 'model_id'],
      [{ model_id: 'priced-a', model_id_2: 'nope', benchmark_id: stack.sampleBenchmarkId }, 'unknown_model', 'model_id_2'],
      [
        { model_id: 'priced-a', benchmark_id: stack.sampleBenchmarkId, custom_metrics: ['exact_match', 'vibes'] },
        'unknown_metric',
        'custom_metrics.1',
      ],
      [
        { model_id: 'priced-a', benchmark_id: stack.sampleBenchmarkId, custom_metrics: ['pairwise_preference'] },
        'invalid_metric_config',
        'custom_metrics.0',
      ],
    ];
    for (const [body, code, path] of cases) {
      const estimated = await estimate(body);
      const created = await client.request('POST', '/api/v3/evaluations', { body });
      expect({ status: estimated.status, code: estimated.json.code }).toEqual({ status: 422, code });
      expect(estimated.json.errors).toEqual([expect.objectContaining({ path })]);
      expect(typeof estimated.json.message).toBe('string');
      // Exactly what create answers for the same body.
      expect({ status: created.status, body: created.json }).toEqual({ status: estimated.status, body: estimated.json });
    }
  });

  it('answers 400 with the offending fields for a bad body, as create does', async () => {
    const cases: [string | undefined, unknown, string][] = [
      [undefined, { benchmark_id: stack.sampleBenchmarkId }, 'model_id'],
      [undefined, { model_id: 'priced-a', benchmark_id: stack.sampleBenchmarkId, colour: 'red' }, 'colour'],
      [undefined, { model_id: 'priced-a', model_id_2: 'priced-a', benchmark_id: stack.sampleBenchmarkId }, 'model_id_2'],
      [undefined, { model_id: 'priced-a', benchmark_id: stack.sampleBenchmarkId, custom_metrics: 'exact_match' }, 'custom_metrics'],
    ];
    for (const [, body, path] of cases) {
      const response = await estimate(body);
      expect(response.status).toBe(400);
      expect(response.json.code).toBe('validation_error');
      expect(response.json.errors.map((error: any) => error.path)).toContain(path);
    }
    const malformed = await client.request('POST', '/api/v3/evaluations/estimate', {
      rawBody: '{"model_id":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(typeof malformed.json.message).toBe('string');
  });
});
