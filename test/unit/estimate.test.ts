import type { Benchmark, BenchmarkItem } from '#shared/contracts/benchmarks/schemas.js';
import type { Evaluation } from '#shared/contracts/evaluations/schemas.js';
import type { Model } from '#shared/contracts/models/schemas.js';
import { costRange, estimateEvaluation, ESTIMATE_RENDERED_ITEMS, outputEstimate } from '#shared/domain/evaluations/estimate-evaluation.js';
import { messageTokens, promptTokens } from '#shared/domain/evaluations/token-estimate.js';
import { renderJudgePrompt } from '#shared/domain/metrics/judge/render.js';
import { judgeTemplates } from '#shared/domain/metrics/judge/templates.js';
import { UnprocessableEntityError } from '#shared/domain/errors.js';
import { countTokens } from '../../local/fake-model-server/server.js';

const model = (id: string, extra: Partial<Model> = {}): Model => ({
  model_id: id,
  provider: 'openai_compatible',
  provider_model_id: id,
  base_url: 'http://models.invalid/v1',
  parameters: {},
  max_concurrency: 4,
  timeout_ms: 1000,
  builtin: false,
  baseline: false,
  ...extra,
});

const benchmark = (itemCount: number): Benchmark => ({
  benchmark_id: 'task-1',
  tenant_id: 'tenant-a',
  name: 'b',
  task_type: 'exact_answer',
  prompt_template: 'Answer briefly.\n\n{input}',
  item_count: itemCount,
  content_hash: 'h',
  version: 1,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

const itemAt = (position: number): BenchmarkItem => ({
  item_id: `i-${position}`,
  position,
  input: `What is ${position} plus ${position}?`,
  expected: String(position * 2),
});

function deps(options: { items: number; models: Model[]; history?: Evaluation[] }) {
  const reads: [number, number][] = [];
  return {
    reads,
    deps: {
      evaluations: { list: async () => ({ items: options.history ?? [], next_cursor: null }) },
      benchmarks: {
        get: async (_tenant: string, id: string) => (id === 'task-1' ? benchmark(options.items) : undefined),
        readRange: async (_tenant: string, _id: string, first: number, count: number) => {
          reads.push([first, count]);
          return Array.from({ length: Math.max(0, Math.min(count, options.items - first)) }, (_, index) => itemAt(first + index));
        },
      },
      models: { get: async (_tenant: string, id: string) => options.models.find((candidate) => candidate.model_id === id) },
      credentials: { problem: async () => undefined },
      defaultJudgeModelId: 'judge',
    },
  };
}

/** A completed evaluation whose results say `model` answered `calls` items with `outputTokens` in all. */
const completed = (modelId: string, calls: number, outputTokens: number, p50: number): Evaluation =>
  ({
    evaluation_id: `eval-${modelId}`,
    status: 'completed',
    results: {
      models: [
        {
          model_id: modelId,
          baseline: false,
          completed_items: calls,
          failed_items: 0,
          metrics: {},
          usage: { input_tokens: 1, output_tokens: outputTokens },
          cost_usd: null,
          latency_ms: { p50, p95: p50 },
          failure_reasons: {},
        },
      ],
      seed: 1,
    },
  }) as unknown as Evaluation;

describe('token heuristic', () => {
  it('counts words low, characters ÷ 4 expected, bytes ÷ 3 plus framing high', () => {
    const text = 'Kemi has 28 marbles and buys 5 more. How many marbles does Kemi have now?';
    expect(messageTokens(text)).toEqual({ low: 15, expected: Math.ceil(text.length / 4), high: Math.ceil(text.length / 3) + 4 });
    // CJK: a character is three bytes and about one token; characters ÷ 4 alone would undercount.
    expect(messageTokens('日本語のテキスト')).toEqual({ low: 1, expected: 2, high: 8 + 4 });
    expect(messageTokens('')).toEqual({ low: 0, expected: 0, high: 0 });
  });

  it("equals the fake model server's usage count in its low bound, system prompt included", () => {
    const system = 'You are terse.\tReply  with digits.';
    const user = 'Answer briefly.\n\nWhat is 2\u00a0plus 2 ?';
    expect(promptTokens(system, user).low).toBe(countTokens(system) + countTokens(user));
  });
});

describe('output and cost arithmetic', () => {
  it('bounds output by max_tokens (1,024 when unset) and prefers the observed mean', () => {
    expect(outputEstimate(model('m', { parameters: { max_tokens: 50 } }), 10, undefined)).toEqual({
      max_tokens_per_call: 50,
      max_tokens_source: 'parameters',
      max_tokens_bound: 500,
      observed_mean_per_call: null,
      observed_based: null,
      observed_from: null,
      expected: 500,
    });
    expect(outputEstimate(model('m'), 10, { evaluations: 2, calls: 8, outputTokens: 100 })).toMatchObject({
      max_tokens_per_call: 1024,
      max_tokens_source: 'default',
      max_tokens_bound: 10_240,
      observed_mean_per_call: 12.5,
      observed_based: 125,
      observed_from: { evaluations: 2, calls: 8 },
      expected: 125,
    });
    // A judge without history: one short verdict a call, never above its own max_tokens.
    expect(outputEstimate(model('j', { parameters: { max_tokens: 20 } }), 10, undefined, 64).expected).toBe(200);
  });

  it('prices low, expected and high at the per-million prices, null without pricing, zero for baselines', () => {
    const priced = model('m', { pricing: { input_per_million: 3, output_per_million: 15 } });
    const output = outputEstimate(priced, 10, { evaluations: 1, calls: 10, outputTokens: 200 });
    const input = { low: 1000, expected: 1500, high: 2000 };
    expect(costRange(priced, input, { ...output, max_tokens_bound: 10_000 })).toEqual({
      cost_usd: { low: (1000 * 3 + 200 * 15) / 1e6, expected: (1500 * 3 + 200 * 15) / 1e6, high: (2000 * 3 + 10_000 * 15) / 1e6 },
    });
    expect(costRange(model('free'), input, output)).toEqual({ cost_usd: null, cost_note: expect.stringContaining('no pricing') });
    expect(costRange(model('baseline:echo', { provider: 'baseline' }), input, output).cost_usd).toEqual({ low: 0, expected: 0, high: 0 });
  });
});

describe('estimateEvaluation', () => {
  it('counts one call per item and the judge prompts with the answers at their expected length', async () => {
    const candidate = model('cand', { parameters: { max_tokens: 30 } });
    const judge = model('judge', { parameters: { max_tokens: 100 } });
    const { deps: d } = deps({ items: 3, models: [candidate, judge], history: [completed('cand', 10, 50, 200)] });

    const estimate = await estimateEvaluation(d, 'tenant-a', { model_id: 'cand', benchmark_id: 'task-1', custom_metrics: ['relevance'] });

    expect(estimate.models[0]).toMatchObject({ calls: 3, output_tokens: { observed_mean_per_call: 5, observed_based: 15, expected: 15 } });
    const prompts = [0, 1, 2].map((position) =>
      renderJudgePrompt(judgeTemplates.relevance, { input: itemAt(position).input, output: '', expected: itemAt(position).expected }, [1, 5]),
    );
    const ownLow = prompts.reduce((sum, prompt) => sum + promptTokens(prompt!.system, prompt!.user).low, 0);
    expect(estimate.judges).toHaveLength(1);
    expect(estimate.judges[0]).toMatchObject({ judge_model_id: 'judge', calls: 3, metrics: [{ name: 'relevance', kind: 'judge', calls: 3 }] });
    // Each judge prompt quotes the answer once: 5 tokens observed (low), 30 at max_tokens (high).
    expect(estimate.judges[0]!.input_tokens.low).toBe(ownLow + 3 * 5);
    expect(estimate.judges[0]!.input_tokens.high - estimate.judges[0]!.input_tokens.low).toBeGreaterThanOrEqual(3 * (30 - 5));
    expect(estimate.duration.models.find((entry) => entry.model_id === 'cand')).toMatchObject({ latency_ms: 200, latency_source: 'observed_p50' });
  });

  it("bounds a score_model judge's output by its sampling_params max tokens, the largest of the judge's calls", async () => {
    // Prepare
    const judge = model('judge', { parameters: { max_tokens: 100 } });
    const { deps: d } = deps({ items: 3, models: [model('cand'), judge] });
    const grader = (name: string, maxTokens?: number) => ({
      name,
      type: 'score_model' as const,
      model: 'judge',
      input: [{ role: 'user' as const, content: 'Grade {{sample.output_text}}' }],
      ...(maxTokens === undefined ? {} : { sampling_params: { max_completions_tokens: maxTokens } }),
    });

    // Act
    const tuned = await estimateEvaluation(d, 'tenant-a', {
      model_id: 'cand',
      benchmark_id: 'task-1',
      custom_metrics: [grader('a', 400), grader('b')],
    });
    const plain = await estimateEvaluation(d, 'tenant-a', { model_id: 'cand', benchmark_id: 'task-1', custom_metrics: [grader('b')] });

    // Assess
    expect(tuned.judges[0]!.output_tokens).toMatchObject({ max_tokens_per_call: 400, max_tokens_bound: 6 * 400 });
    expect(plain.judges[0]!.output_tokens).toMatchObject({ max_tokens_per_call: 100, max_tokens_bound: 3 * 100 });
  });

  it('judges pairwise metrics in both orders, and a comparison has a call per item for each model', async () => {
    const { deps: d } = deps({ items: 4, models: [model('a'), model('b'), model('judge')] });

    const estimate = await estimateEvaluation(d, 'tenant-a', {
      model_id: 'a',
      model_id_2: 'b',
      benchmark_id: 'task-1',
      custom_metrics: ['exact_match', 'pairwise_preference'],
    });

    expect(estimate.models.map((entry) => entry.calls)).toEqual([4, 4]);
    expect(estimate.judges[0]!.metrics).toEqual([{ name: 'pairwise_preference', kind: 'pairwise', calls: 8 }]);
    expect(estimate.totals.calls).toBe(16);
    expect(estimate.totals.unpriced_models).toEqual(['a', 'b', 'judge']);
    expect(estimate.totals.cost_usd).toBeNull();
  });

  it('samples evenly spaced windows of a large benchmark and extrapolates to every item', async () => {
    const { deps: d, reads } = deps({ items: 100_000, models: [model('a')] });

    const estimate = await estimateEvaluation(d, 'tenant-a', { model_id: 'a', benchmark_id: 'task-1' });

    expect(estimate.items_rendered).toBe(ESTIMATE_RENDERED_ITEMS);
    expect(reads.map(([first]) => first)).toEqual(Array.from({ length: 20 }, (_, index) => index * 5000));
    expect(estimate.models[0]!.calls).toBe(100_000);
    // "Answer briefly." plus "What is N plus N?": 7 words an item.
    expect(estimate.models[0]!.input_tokens.low).toBe(700_000);
    expect(estimate.duration.chunk_count).toBe(1000);
    // The evaluation's window of chunks in flight (ARBITER_CHUNK_WINDOW, default 2), not the instances.
    expect(estimate.duration.parallel_chunks).toBe(2);
    // 100,000 calls of 1 s at 4 at a time deployment-wide; two chunks of 100 sharing 4 slots lose nothing.
    expect(estimate.duration.low_seconds).toBe(25_000);
    expect(estimate.duration.high_seconds).toBe(25_000);
  });

  it("bounds the duration by a model's requests_per_minute when that is slower than its concurrency", async () => {
    const { deps: d } = deps({ items: 600, models: [model('a', { requests_per_minute: 60, max_concurrency: 50 })] });

    const estimate = await estimateEvaluation(d, 'tenant-a', { model_id: 'a', benchmark_id: 'task-1' });

    // 600 calls at 60 a minute is 10 minutes, however many run at once.
    expect(estimate.duration.low_seconds).toBe(600);
    expect(estimate.duration.bottleneck_model_id).toBe('a');
  });

  it("answers create's 422s: unknown benchmark, unknown model, judge missing", async () => {
    const { deps: d } = deps({ items: 3, models: [model('a')] });
    const failure = (request: Parameters<typeof estimateEvaluation>[2]) =>
      estimateEvaluation(d, 'tenant-a', request).catch((error: unknown) => error);

    const [benchmarkMissing, modelMissing, judgeMissing] = await Promise.all([
      failure({ model_id: 'a', benchmark_id: 'task-nope' }),
      failure({ model_id: 'nope', benchmark_id: 'task-1' }),
      failure({ model_id: 'a', benchmark_id: 'task-1', custom_metrics: ['relevance'] }),
    ]);

    expect(benchmarkMissing).toBeInstanceOf(UnprocessableEntityError);
    expect(benchmarkMissing).toMatchObject({ code: 'unknown_benchmark' });
    expect(modelMissing).toMatchObject({ code: 'unknown_model' });
    expect(judgeMissing).toMatchObject({ code: 'judge_model_missing' });
  });
});
