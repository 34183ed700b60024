import { resolveJudges } from '#shared/domain/evaluations/judge-resolution.js';
import type { Evaluation } from '#shared/contracts/evaluations/schemas.js';
import type { ItemResult } from '#shared/contracts/evaluations/result-types.js';
import { judgeAnswer, judgePair, judgePlan } from '#shared/domain/evaluator/judging.js';
import { computeResults } from '#shared/domain/evaluator/aggregate-results.js';
import { resolveMetrics } from '#shared/domain/metrics/registry.js';
import { resolveBuiltinModel } from '#shared/domain/models/builtin-models.js';
import { modelFamily } from '#shared/domain/models/model-family.js';
import type { Model } from '#shared/contracts/models/schemas.js';
import { ProviderError, type GenerateRequest } from '#shared/domain/ports/model-client.js';
import { HttpError } from '#shared/domain/errors.js';

const registered: Model = {
  model_id: 'my-judge',
  provider: 'openai_compatible',
  provider_model_id: 'meta-llama/Llama-3.1-70B-Instruct',
  base_url: 'http://judge.invalid/v1',
  parameters: {},
  max_concurrency: 2,
  timeout_ms: 1000,
  builtin: false,
  baseline: false,
};
const deps = (defaultJudgeModelId?: string) => ({
  models: { get: async (_tenant: string, id: string) => (id === registered.model_id ? registered : undefined) },
  credentials: { problem: async () => undefined },
  defaultJudgeModelId,
});
const pathOf = (name: string) => `custom_metrics.${name}`;

async function judgeError(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('judge model resolution', () => {
  it("uses the metric's judge, else the deployment default, and snapshots each judge once", async () => {
    const metrics = resolveMetrics(['relevance', 'accuracy', { name: 'tone', type: 'llm_judge', rubric: 'Polite', judge_model_id: 'my-judge' }], {
      taskType: 'free_text',
    });
    const resolved = await resolveJudges(deps('gpt-4o-mini'), 'tenant', metrics, pathOf);
    expect(resolved.judges).toEqual({ relevance: 'gpt-4o-mini', tone: 'my-judge' });
    expect(resolved.judge_models.map((model) => model.model_id)).toEqual(['gpt-4o-mini', 'my-judge']);
    expect(await resolveJudges(deps(), 'tenant', resolveMetrics(['accuracy'], { taskType: 'free_text' }), pathOf)).toEqual({
      judges: {},
      judge_models: [],
    });
  });

  it('answers 422 judge_model_missing naming the metric when no judge resolves', async () => {
    const none = await judgeError(resolveJudges(deps(), 'tenant', resolveMetrics(['relevance'], { taskType: 'free_text' }), pathOf));
    expect(none).toMatchObject({ statusCode: 422, code: 'judge_model_missing' });
    expect(none.message).toContain('relevance');
    expect(none.message).toContain('defaultJudgeModel');
    const unknown = await judgeError(
      resolveJudges(deps('nobody-knows'), 'tenant', resolveMetrics(['pairwise_preference'], { taskType: 'free_text' }), pathOf),
    );
    expect(unknown).toMatchObject({ statusCode: 422, code: 'judge_model_missing' });
    expect(unknown.message).toContain('nobody-knows');
  });
});

describe('model families', () => {
  it.each([
    ['gpt-4o', 'gpt-4o-mini', true],
    ['anthropic.claude-3-haiku-20240307-v1:0', 'claude-3-5-sonnet-20241022', true],
    ['us.meta.llama3-1-8b-instruct-v1:0', 'meta-llama/Llama-3.1-70B-Instruct', true],
    ['gpt-4o', 'claude-3-5-sonnet-20241022', false],
  ])('%s and %s: same family %s', (a, b, same) => {
    const model = (id: string) => resolveBuiltinModel(id) ?? { ...registered, provider_model_id: id };
    expect(modelFamily(model(a)) === modelFamily(model(b))).toBe(same);
  });
});

/** A judge client that answers from a script and records what it was asked. */
function scriptedClient(reply: (request: GenerateRequest) => string | Error) {
  const requests: GenerateRequest[] = [];
  return {
    requests,
    clientFor: () => ({
      generate: async (request: GenerateRequest) => {
        requests.push(request);
        const text = reply(request);
        if (text instanceof Error) throw text;
        return { text, finish_reason: 'stop' as const, usage: { input_tokens: 1, output_tokens: 1 }, latency_ms: 1, attempts: 1 };
      },
    }),
  };
}

const evaluationWith = (metrics: string[]) => ({
  tenant_id: 'tenant',
  judges: Object.fromEntries(metrics.map((name) => [name, registered.model_id])),
  judge_models: [registered],
});

describe('judge calls', () => {
  const signal = new AbortController().signal;
  const sample = { input: 'What is 2 + 2?', output: '4' };

  it('stores the normalised score and rationale, and turns refusals and provider errors into judge failures', async () => {
    const plan = judgePlan(evaluationWith(['relevance', 'helpfulness']), resolveMetrics(['relevance', 'helpfulness'], { taskType: 'free_text' }));
    const client = scriptedClient((request) =>
      request.prompt.includes('relevant') ? '{"score": 5, "rationale": "On point."}' : "I'm sorry, I can't do that.",
    );
    const judgements = await judgeAnswer(client, plan, sample, signal);
    expect(judgements.relevance).toMatchObject({ score: 1, raw: 5, rationale: 'On point.', judge_model_id: 'my-judge', template_id: 'relevance@2' });
    expect(judgements.helpfulness).toMatchObject({ score: null, error: { code: 'refusal' } });
    expect(client.requests[0]!.parameters).toMatchObject({ temperature: 0, system_prompt: expect.stringContaining('impartial evaluator') });
    // The verdict is read as one JSON object, so the judge is asked for JSON mode.
    expect(client.requests.map((request) => request.responseFormat)).toEqual(['json', 'json']);

    const failing = scriptedClient(() => new ProviderError('rate_limited', 'slow down'));
    expect((await judgeAnswer(failing, plan, sample, signal)).relevance).toMatchObject({ score: null, error: { code: 'rate_limited' } });
  });

  it("sends score_model's sampling_params with every call of that grader, over the judge's own parameters, and only of that grader", async () => {
    // Prepare
    const judge = { ...registered, parameters: { temperature: 0.2, max_tokens: 50, top_p: 0.5 } };
    const grader = {
      name: 'quality',
      type: 'score_model' as const,
      model: judge.model_id,
      input: [{ role: 'user' as const, content: 'Grade {{sample.output_text}}' }],
      range: [1, 5] as [number, number],
      sampling_params: { temperature: 0.7, seed: 42, max_completions_tokens: 300 },
    };
    const metrics = resolveMetrics([grader, 'relevance'], { taskType: 'free_text' });
    const plan = judgePlan({ tenant_id: 'tenant', judges: { quality: judge.model_id, relevance: judge.model_id }, judge_models: [judge] }, metrics);
    const client = scriptedClient(() => '{"score": 4}');

    // Act
    const judgements = await judgeAnswer(client, plan, sample, signal);

    // Assess: the grader's temperature, seed and max tokens win; top_p it leaves to the judge. relevance keeps the judge's own.
    expect(judgements.quality).toMatchObject({ score: 0.75, raw: 4 });
    const [quality, relevance] = [...client.requests].sort((a, b) => Number(b.prompt.includes('Grade')) - Number(a.prompt.includes('Grade')));
    expect(quality!.parameters).toMatchObject({ temperature: 0.7, seed: 42, max_tokens: 300, top_p: 0.5 });
    expect(relevance!.parameters).toMatchObject({ temperature: 0.2, max_tokens: 50, top_p: 0.5 });
    expect(relevance!.parameters.seed).toBeUndefined();
  });

  it('asks the pairwise judge in both orders and counts a position-following verdict as a flipped tie', async () => {
    const plan = judgePlan(evaluationWith(['pairwise_preference']), resolveMetrics(['pairwise_preference'], { taskType: 'free_text' }));
    const alwaysA = scriptedClient(() => '{"winner": "A"}');
    expect((await judgePair(alwaysA, plan, sample, { model_1: 'four', model_2: '4' }, signal)).pairwise_preference).toMatchObject({
      preferred: 'tie',
      score: 0.5,
      flipped: true,
    });
    expect(alwaysA.requests).toHaveLength(2);
    expect(alwaysA.requests[0]!.prompt).toMatch(/<response_a-[0-9a-f]{32}>\nfour/);
    expect(alwaysA.requests[1]!.prompt).toMatch(/<response_a-[0-9a-f]{32}>\n4/);

    const prefers4 = scriptedClient((request) => (/<response_a-[0-9a-f]{32}>\n4\n/.test(request.prompt) ? '{"winner": "A"}' : '{"winner": "B"}'));
    expect((await judgePair(prefers4, plan, sample, { model_1: 'four', model_2: '4' }, signal)).pairwise_preference).toMatchObject({
      preferred: 'model_2',
      score: 1,
      flipped: false,
    });
  });
});

describe('results with pairwise metrics', () => {
  it('reports preference, flip rate and a sign test apart from the per-model metrics', () => {
    const models = [resolveBuiltinModel('baseline:echo')!, resolveBuiltinModel('gpt-4o')!];
    const evaluation = {
      evaluation_id: 'eval_1',
      model_id: models[0]!.model_id,
      model_id_2: models[1]!.model_id,
      models,
      judges: { pairwise_preference: 'gpt-4o-mini' },
      judge_models: [resolveBuiltinModel('gpt-4o-mini')!],
    } as unknown as Evaluation;
    const scores = [1, 1, 1, 1, 1, 1, 1, 1, 0.5, null];
    const rows: ItemResult[] = scores.map((score, position) => ({
      item_id: `i${position}`,
      position,
      input: 'q',
      outputs: Object.fromEntries(models.map((model) => [model.model_id, { status: 'scored' as const, output: 'a', scores: { exact_match: 1 } }])),
      pairwise: {
        pairwise_preference: {
          preferred: score === null ? null : score > 0.5 ? 'model_2' : 'tie',
          score,
          flipped: score === 0.5,
          judge_model_id: 'gpt-4o-mini',
          template_id: 'pairwise_preference@1',
          ...(score === null ? { error: { code: 'refusal', message: 'declined' } } : {}),
        },
      },
    }));
    const metrics = resolveMetrics(['exact_match', 'pairwise_preference'], { taskType: 'free_text' }).map((m) => ({
      name: m.name,
      kind: m.kind,
      binary: m.binary,
      higherIsBetter: m.higherIsBetter,
    }));
    const results = computeResults(evaluation, rows, metrics);
    expect(results.models[0]!.metrics.pairwise_preference).toBeUndefined();
    const summary = results.comparison!.pairwise!.pairwise_preference!;
    expect(summary).toMatchObject({ wins: 8, ties: 1, losses: 0, judge_failures: { refusal: 1 }, verdict: 'model_2 better' });
    expect(summary.preference).toMatchObject({ n: 9, n_excluded: 1 });
    expect(summary.preference.mean).toBeCloseTo(8.5 / 9, 10);
    expect(summary.flip_rate).toBeCloseTo(1 / 9, 10);
    expect(summary.p_value).toBeCloseTo(2 / 256, 10);
    expect(results.judges!.pairwise_preference).toMatchObject({ judge_same_family: true, same_family_models: ['gpt-4o'] });
  });
});
