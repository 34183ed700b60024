/**
 * The hard budget (`budget_usd`, docs/reliability.md "Budgets"): a budget runs out in the middle of an
 * evaluation whose chunks and calls run in parallel, on the local stack's own processes, against the fake
 * model server (which reports usage, so every cost is known). The final spend stays within the budget
 * (the bound is 0 beyond it: every call reserves its worst case, and the fake never reports more tokens
 * than were reserved), no call is made that was not paid for and kept, the evaluation completes with
 * `stop_reason: "budget_exhausted"`, and the counts of what was left undone agree with the rows and the
 * progress counters. Chunks delivered after the budget ran out call nothing. Bad budgets change nothing.
 */
import type { ChunkMessage } from '#shared/contracts/messages.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbSpendLedger } from '#shared/adapters/dynamodb/spend-ledger.js';
import { resetConfigForTests } from '#shared/platform/config.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { localDocumentClient } from '../../local/seed.js';
import { inProcessEvaluator } from './support/in-process-evaluator.js';
import { api, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

const ITEMS = 60;
/**
 * Cheap input and dear output with a small `max_tokens`: a call reserves about five times what it costs,
 * so several reservations fit in the budget at once and calls overlap until the very end.
 */
const pricing = { input_per_million: 1, output_per_million: 1000 };

let stack: TestStack;
let fake: FakeModelServer;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let benchmarkId: string;

async function register(body: Record<string, unknown>) {
  const registered = await client.request('POST', '/api/v3/models', {
    body: { provider: 'openai_compatible', provider_model_id: 'fake-1', base_url: fake.url, timeout_ms: 10_000, ...body },
  });
  expect(registered.status).toBe(201);
}

beforeAll(async () => {
  // Latency makes calls of different chunks overlap, so the budget runs out with calls in flight.
  fake = await startFakeModelServer({ seed: 13, latencyMs: 100 });
  // The deployment's default judge (pairwise preference names none of its own) is priced, registered below.
  stack = await startTestStack({ env: { ARBITER_CHUNK_SIZE: '5', ARBITER_DEFAULT_JUDGE_MODEL: 'priced-judge' } });
  client = api(stack);
  documents = localDocumentClient(stack.env);
  await register({ model_id: 'priced', pricing, max_concurrency: 4, parameters: { max_tokens: 5 } });
  await register({ model_id: 'priced-2', pricing, max_concurrency: 4, parameters: { max_tokens: 5 } });
  await register({ model_id: 'unpriced', max_concurrency: 4 });
  // The judge's verdict is about ten words: 30 tokens leave room, and price the reservation.
  await register({ model_id: 'priced-judge', pricing, max_concurrency: 4, parameters: { max_tokens: 30 } });
  const benchmark = await client.request('POST', '/api/v3/benchmarks', {
    body: {
      name: 'Budget',
      task_type: 'exact_answer',
      items: Array.from({ length: ITEMS }, (_, i) => ({ input: `${i} + 1`, expected: String(i + 1) })),
    },
  });
  expect(benchmark.status).toBe(201);
  benchmarkId = benchmark.json.benchmark_id;
});

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
  await fake?.stop();
});

async function allRows(id: string): Promise<any[]> {
  const rows: any[] = [];
  let cursor: string | null = null;
  do {
    const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: any = (await client.request('GET', `/api/v3/evaluations/${id}/results?limit=100${after}`)).json;
    rows.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return rows;
}

async function runToEnd(body: Record<string, unknown>) {
  // Every run here must call the model: an answer from the response cache would spend nothing.
  const created = await client.request('POST', '/api/v3/evaluations', { body: { cache: 'off', ...body } });
  expect(created.status).toBe(202);
  const id = created.json.evaluation_id as string;
  const status = await waitFor(
    async () => {
      const current = await client.request('GET', `/api/v3/evaluations/${id}/status`);
      return ['completed', 'failed', 'cancelled'].includes(current.json.status) ? current.json : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250, description: `evaluation ${id} to finish` },
  );
  const evaluation = (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
  return { id, status, evaluation, rows: await allRows(id) };
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
/** The ledger adds whole nano-dollars, each call's cost rounded up: at most 1e-9 USD a call above the rows' costs. */
const NANO = 1e-9;

describe('the spend ledger on DynamoDB Local', () => {
  it('lets exactly the reservations the budget covers through, however many race, and none after the first refusal', async () => {
    const ledger = new DynamoDbSpendLedger({ client: documents, tableName: stack.env[tableDefinitions.evaluations.envVar] });
    const account = { tenantId: 'dev', evaluationId: `eval-ledger-${Date.now()}`, budgetNano: 100 };
    const taken = await Promise.all(Array.from({ length: 50 }, () => ledger.reserve(account, 7)));
    // 14 × 7 = 98: the 15th in DynamoDB's order would overdraw, and every later one is refused with it.
    expect(taken.filter(Boolean)).toHaveLength(14);
    expect(await ledger.read(account.tenantId, account.evaluationId)).toEqual({
      budgetNano: 100,
      remainingNano: 2,
      reservedNano: 98,
      spentNano: 0,
      exhausted: true,
    });
    // Exhausted for good: a reservation that would fit is refused, also once calls settled and returned credit.
    expect(await ledger.reserve(account, 1)).toBe(false);
    await Promise.all(Array.from({ length: 14 }, () => ledger.settle(account, 7, 3)));
    expect(await ledger.read(account.tenantId, account.evaluationId)).toEqual({
      budgetNano: 100,
      remainingNano: 58,
      reservedNano: 0,
      spentNano: 42,
      exhausted: true,
    });
    expect(await ledger.reserve(account, 1)).toBe(false);
  });
});

describe('a budget that runs out in the middle of an evaluation', () => {
  it('stops every new call, keeps the spend within the budget, and completes with exact counts of what was left undone', async () => {
    const requestsBefore = fake.stats().requests;
    // Two models × 4 calls in flight reserve about 0.04 at once: 0.1 lets roughly half the items through.
    const budget = 0.1;
    const { status, evaluation, rows } = await runToEnd({
      model_id: 'priced',
      model_id_2: 'priced-2',
      benchmark_id: benchmarkId,
      custom_metrics: ['exact_match'],
      budget_usd: budget,
    });
    const calls = fake.stats().requests - requestsBefore;

    // Completed, not failed, and not stuck: the budget is a reason to stop, not an error.
    expect(status.status).toBe('completed');
    expect(status.stop_reason).toBe('budget_exhausted');
    expect(status.budget_usd).toBe(budget);
    const { results } = evaluation;
    expect(results.stop_reason).toBe('budget_exhausted');
    expect(rows).toHaveLength(ITEMS);

    for (const model of ['priced', 'priced-2']) {
      const outputs = rows.map((row) => row.outputs[model]);
      const scored = outputs.filter((output) => output.status === 'scored');
      const unscored = outputs.filter((output) => output.status === 'failed' && output.error.code === 'budget_exhausted');
      // Every item is either answered or left for the budget: nothing failed for another reason.
      expect(scored.length + unscored.length).toBe(ITEMS);
      expect(scored.length).toBeGreaterThan(0);
      expect(unscored.length).toBeGreaterThan(0);
      const summary = results.models.find((entry: any) => entry.model_id === model);
      // What was counted is what is shown: the rows, the aggregates, the budget's counts and progress agree.
      expect(results.budget.unscored_items[model]).toBe(unscored.length);
      expect(summary.failure_reasons).toEqual({ budget_exhausted: unscored.length });
      expect(summary.completed_items).toBe(scored.length);
      const progress = status.progress.models.find((entry: any) => entry.model_id === model);
      expect(progress).toMatchObject({ scored: scored.length, failed: unscored.length });
      expect(summary.cost_usd).toBeCloseTo(sum(scored.map((output) => output.cost_usd)), 12);
    }
    const bothScored = rows.filter((row) => row.outputs.priced.status === 'scored' && row.outputs['priced-2'].status === 'scored').length;
    expect(status.progress.completed_items).toBe(bothScored);
    expect(status.progress.failed_items).toBe(ITEMS - bothScored);

    // No call was made that is not in the results: every request the model server saw is a kept answer.
    const answered = rows.flatMap((row) => Object.values(row.outputs)).filter((output: any) => output.status === 'scored').length;
    expect(calls).toBe(answered);
    // The spend never exceeds the budget (bound 0: worst-case reservations, usage never above them).
    expect(results.budget.spent_usd).toBeLessThanOrEqual(budget);
    expect(results.budget.reserved_usd).toBe(0);
    expect(results.spend_usd).toBeCloseTo(sum(results.models.map((model: any) => model.cost_usd)), 12);
    expect(Math.abs(results.budget.spent_usd - results.spend_usd)).toBeLessThanOrEqual(answered * NANO + 1e-12);
    expect(results.budget.spent_usd).toBeGreaterThan(0);
  }, 150_000);

  it('a judge budget: judgements not made are counted per metric, and the judge’s usage and cost are recorded and spent', async () => {
    const budget = 0.3;
    const { status, evaluation, rows } = await runToEnd({
      model_id: 'priced',
      benchmark_id: benchmarkId,
      custom_metrics: ['exact_match', { name: 'tone', type: 'llm_judge', rubric: 'Is the answer polite?', judge_model_id: 'priced-judge' }],
      budget_usd: budget,
    });
    expect(status.status).toBe('completed');
    expect(status.stop_reason).toBe('budget_exhausted');
    const { results } = evaluation;
    const outputs = rows.map((row) => row.outputs.priced);
    const judgements = outputs.filter((output) => output.status === 'scored').flatMap((output) => output.judgements?.tone ?? []);
    const skipped = judgements.filter((judgement) => judgement.error?.code === 'budget_exhausted');
    const unscored = outputs.filter((output) => output.status === 'failed' && output.error.code === 'budget_exhausted');
    expect(skipped.length + unscored.length).toBeGreaterThan(0);
    expect(results.budget.skipped_judgements).toEqual({ tone: skipped.length });
    expect(results.judges.tone.judge_failures.budget_exhausted ?? 0).toBe(skipped.length);
    expect(results.budget.unscored_items).toEqual({ priced: unscored.length });

    // Each judgement that was made keeps its usage and cost; the summary adds them up.
    const made = judgements.filter((judgement) => judgement.usage !== undefined);
    expect(made.length).toBeGreaterThan(0);
    for (const judgement of made) expect(judgement.cost_usd).toBeGreaterThan(0);
    expect(results.judges.tone.usage).toEqual({
      input_tokens: sum(made.map((judgement) => judgement.usage.input_tokens)),
      output_tokens: sum(made.map((judgement) => judgement.usage.output_tokens)),
    });
    expect(results.judges.tone.cost_usd).toBeCloseTo(sum(made.map((judgement) => judgement.cost_usd)), 12);
    expect(results.spend_usd).toBeCloseTo(results.models[0].cost_usd + results.judges.tone.cost_usd, 12);
    expect(results.budget.spent_usd).toBeLessThanOrEqual(budget);
    expect(results.budget.reserved_usd).toBe(0);
  }, 150_000);
});

describe('a pairwise judge under a budget', () => {
  it('counts the verdicts not reached, keeps both orders’ usage and cost with each verdict, and spends within the budget', async () => {
    const budget = 0.3;
    const { status, evaluation, rows } = await runToEnd({
      model_id: 'priced',
      model_id_2: 'priced-2',
      benchmark_id: benchmarkId,
      custom_metrics: ['exact_match', 'pairwise_preference'],
      budget_usd: budget,
    });
    expect(status).toMatchObject({ status: 'completed', stop_reason: 'budget_exhausted' });
    const { results } = evaluation;
    const verdicts = rows.flatMap((row) => row.pairwise?.pairwise_preference ?? []);
    const skipped = verdicts.filter((verdict) => verdict.error?.code === 'budget_exhausted');
    expect(results.budget.skipped_judgements).toEqual({ pairwise_preference: skipped.length });
    expect(results.comparison.pairwise.pairwise_preference.judge_failures.budget_exhausted ?? 0).toBe(skipped.length);
    // A verdict needs both orders: each one reached carries the two calls' usage and their cost.
    const reached = verdicts.filter((verdict) => verdict.score !== null);
    expect(reached.length).toBeGreaterThan(0);
    for (const verdict of reached) {
      expect(verdict.usage.output_tokens).toBeGreaterThanOrEqual(2);
      expect(verdict.cost_usd).toBeGreaterThan(0);
    }
    const judged = verdicts.filter((verdict) => verdict.usage !== undefined);
    expect(results.judges.pairwise_preference.usage).toEqual({
      input_tokens: sum(judged.map((verdict) => verdict.usage.input_tokens)),
      output_tokens: sum(judged.map((verdict) => verdict.usage.output_tokens)),
    });
    const modelsCost = sum(results.models.map((model: any) => model.cost_usd));
    expect(results.spend_usd).toBeCloseTo(modelsCost + results.judges.pairwise_preference.cost_usd, 12);
    expect(results.budget.spent_usd).toBeLessThanOrEqual(budget);
    expect(results.budget.reserved_usd).toBe(0);
  }, 150_000);
});

describe('chunks delivered after the budget ran out', () => {
  afterAll(() => {
    delete process.env.ARBITER_CHUNK_SIZE;
    resetConfigForTests();
  });

  it('call nothing, also when redelivered, and leave their items unscored with the reason', async () => {
    process.env.ARBITER_CHUNK_SIZE = '10';
    resetConfigForTests();
    const evaluator = inProcessEvaluator(stack.env, documents);
    // Enough for a few items: the first chunk exhausts it.
    const { evaluationId, start } = await evaluator.create({ model_id: 'priced', benchmark_id: benchmarkId, budget_usd: 0.012 });
    await evaluator.deliver(start);
    const chunks = () => evaluator.queue.take().filter((message): message is ChunkMessage => message.type === 'chunk');
    const [first, ...rest] = chunks();
    await evaluator.deliver(first!);
    const requestsAfterFirst = fake.stats().requests;
    // Each later chunk twice at once, as SQS may deliver it (and whatever the evaluator sends on), then
    // each once more after it was counted.
    const later: ChunkMessage[] = [];
    for (let round = [...rest, ...chunks()]; round.length > 0; round = chunks()) {
      await Promise.all(round.flatMap((chunk) => [evaluator.deliver(chunk), evaluator.deliver(chunk)]));
      later.push(...round);
    }
    await Promise.all(later.map((chunk) => evaluator.deliver(chunk)));
    expect(later).toHaveLength(ITEMS / 10 - 1);
    expect(fake.stats().requests).toBe(requestsAfterFirst);

    const status = (await client.request('GET', `/api/v3/evaluations/${evaluationId}/status`)).json;
    expect(status).toMatchObject({ status: 'completed', stop_reason: 'budget_exhausted' });
    const rows = await allRows(evaluationId);
    const laterRows = rows.filter((row) => row.position >= 10);
    expect(laterRows).toHaveLength(ITEMS - 10);
    for (const row of laterRows) expect(row.outputs.priced).toMatchObject({ status: 'failed', error: { code: 'budget_exhausted' } });
    const evaluation = (await client.request('GET', `/api/v3/evaluations/${evaluationId}`)).json;
    const unscored = rows.filter((row) => row.outputs.priced.status === 'failed').length;
    expect(evaluation.results.budget.unscored_items).toEqual({ priced: unscored });
    expect(status.progress.models[0]).toMatchObject({ scored: ITEMS - unscored, failed: unscored });
    expect(evaluation.results.budget.spent_usd).toBeLessThanOrEqual(0.012);
  }, 120_000);
});

describe('bad budgets', () => {
  async function evaluationCount(): Promise<number> {
    return (await client.request('GET', '/api/v3/evaluations?limit=100')).json.items.length;
  }

  it.each([
    ['zero', 0],
    ['negative', -1],
    ['a string', '5'],
    ['above the maximum', 2_000_000],
    ['null', null],
  ])('refuses a budget that is %s: 400 naming budget_usd, nothing written', async (_label, budget) => {
    const before = await evaluationCount();
    const body = { model_id: 'priced', benchmark_id: benchmarkId, budget_usd: budget };
    const response = await client.request('POST', '/api/v3/evaluations', { body });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ code: 'validation_error', message: expect.any(String) });
    expect(response.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'budget_usd' })]));
    expect(await evaluationCount()).toBe(before);
  });

  it('refuses a budget when a candidate model has no pricing: 422 budget_requires_pricing naming it, nothing written', async () => {
    const before = await evaluationCount();
    const response = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'priced', model_id_2: 'unpriced', benchmark_id: benchmarkId, budget_usd: 1 },
    });
    expect(response.status).toBe(422);
    expect(response.json.code).toBe('budget_requires_pricing');
    expect(response.json.message).toContain('unpriced');
    expect(response.json.errors.map((error: any) => error.path).sort()).toEqual(['budget_usd', 'model_id_2']);
    expect(await evaluationCount()).toBe(before);
  });

  it('refuses a budget when a judge has no pricing, naming the metric that uses it', async () => {
    const before = await evaluationCount();
    const response = await client.request('POST', '/api/v3/evaluations', {
      body: {
        model_id: 'priced',
        benchmark_id: benchmarkId,
        custom_metrics: ['exact_match', { name: 'tone', type: 'llm_judge', rubric: 'Polite.', judge_model_id: 'unpriced' }],
        budget_usd: 1,
      },
    });
    expect(response.status).toBe(422);
    expect(response.json.code).toBe('budget_requires_pricing');
    expect(response.json.errors.map((error: any) => error.path).sort()).toEqual(['budget_usd', 'custom_metrics.1']);
    expect(await evaluationCount()).toBe(before);
  });

  it('needs no pricing without a budget, nor for a baseline under one', async () => {
    const unbudgeted = await client.request('POST', '/api/v3/evaluations', { body: { model_id: 'unpriced', benchmark_id: benchmarkId } });
    expect(unbudgeted.status).toBe(202);
    const baseline = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'baseline:reference', benchmark_id: benchmarkId, budget_usd: 1 },
    });
    expect(baseline.status).toBe(202);
  });
});
