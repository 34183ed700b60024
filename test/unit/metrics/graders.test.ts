import * as v from 'valibot';
import { CustomMetricsSchema } from '#shared/contracts/evaluations/custom-metric-schemas.js';
import { parseLabelReply } from '#shared/domain/metrics/graders/openai-graders.js';
import { MetricResolutionError, resolveMetrics } from '#shared/domain/metrics/registry.js';
import type { MetricConfig, ResolvedMetric, ScoreInput } from '#shared/domain/metrics/types.js';

const sample: ScoreInput = { input: 'Capital of France?', output: 'Paris', expected: 'Paris', metadata: { country: 'France' } };

/** Parses a grader as the API would, then resolves it. */
function grader(config: Record<string, unknown>): ResolvedMetric {
  const [parsed] = v.parse(CustomMetricsSchema, [config]) as MetricConfig[];
  return resolveMetrics([parsed!], { taskType: 'free_text' })[0]!;
}

function resolutionError(config: Record<string, unknown>): MetricResolutionError {
  try {
    grader(config);
  } catch (error) {
    if (error instanceof MetricResolutionError) return error;
    throw error;
  }
  throw new Error('expected a MetricResolutionError');
}

const score = (metric: ResolvedMetric, input: ScoreInput = sample) => (metric.kind === 'computed' ? metric.score(input) : undefined);

describe('OpenAI string_check graders', () => {
  it.each([
    ['eq', 'Paris', 1],
    ['ne', 'Paris', 0],
    ['like', 'Par', 1],
    ['ilike', 'PAR', 1],
    ['like', 'PAR', 0],
  ])('%s against %s scores %d', (operation, output, expected) => {
    const metric = grader({ name: 'Check', type: 'string_check', operation, input: '{{sample.output_text}}', reference: '{{ item.expected }}' });
    expect(metric).toMatchObject({ name: 'Check', kind: 'computed', binary: true });
    expect(score(metric, { ...sample, output, expected: operation === 'eq' || operation === 'ne' ? 'Paris' : 'Par' })).toBe(expected);
  });

  it('reads metadata through {{item.<key>}} and does not apply to items without the field', () => {
    const metric = grader({
      name: 'country',
      type: 'string_check',
      operation: 'ilike',
      input: '{{sample.output_text}} is in {{item.country}}',
      reference: 'france',
    });
    expect(score(metric)).toBe(1);
    expect(score(metric, { ...sample, metadata: {} })).toBeNull();
  });

  it('answers 422 for a template Arbiter cannot fill', () => {
    const error = resolutionError({ name: 'x', type: 'string_check', operation: 'eq', input: '{{sample.output_json.answer}}', reference: 'a' });
    expect(error.code).toBe('invalid_metric_config');
    expect(error.message).toContain('{{sample.output_json.answer}}');
  });
});

describe('OpenAI text_similarity graders', () => {
  it.each([
    ['fuzzy_match', 'Paris', 'Paris', 1],
    ['bleu', 'the cat sat on the mat', 'the cat sat on the mat', 1],
    ['rouge_1', 'the cat sat', 'the cat sat', 1],
    ['rouge_2', 'the cat sat', 'the dog ran', 0],
    ['rouge_l', 'a b c', 'a b c', 1],
    ['rouge_l', 'a b c', 'a x y', 1 / 3],
    ['gleu', 'the cat sat', 'the cat sat down', 0.6],
    // NLTK: 3 matches in one chunk of 3 words each: F = 1, penalty 0.5 · (1/3)^3.
    ['meteor', 'The cats sat', 'the cat sat', 1 - 0.5 / 27],
  ])('maps %s', (evaluation_metric, output, expected, value) => {
    const metric = grader({
      name: 'sim',
      type: 'text_similarity',
      evaluation_metric,
      input: '{{sample.output_text}}',
      reference: '{{item.expected}}',
    });
    expect(metric).toMatchObject({ kind: 'computed', binary: false, range: [0, 1] });
    expect(score(metric, { ...sample, output, expected })).toBeCloseTo(value, 6);
  });

  it('with pass_threshold, passes (1) when the similarity reaches the threshold and fails (0) below it, as OpenAI Evals', () => {
    // Prepare: BLEU of "the cat" against "the cat sat on the mat" is e^-2 ≈ 0.135 (brevity penalty, both precisions 100%).
    const config = {
      name: 'sim',
      type: 'text_similarity',
      evaluation_metric: 'bleu',
      input: '{{sample.output_text}}',
      reference: '{{item.expected}}',
    };
    const item = { ...sample, output: 'the cat', expected: 'the cat sat on the mat' };

    // Act
    const similarity = grader(config);
    const lenient = grader({ ...config, pass_threshold: Math.exp(-2) });
    const strict = grader({ ...config, pass_threshold: 0.5 });

    // Assess
    expect(score(similarity, item)).toBeCloseTo(Math.exp(-2), 10);
    expect(similarity).toMatchObject({ binary: false });
    expect(lenient).toMatchObject({ binary: true, range: [0, 1] });
    expect(score(lenient, item)).toBe(1);
    expect(score(strict, item)).toBe(0);
    expect(score(strict, { ...item, output: 'the cat sat on the mat' })).toBe(1);
    expect(score(strict, { ...item, expected: undefined })).toBeNull();
  });

  it.each(['cosine', 'rouge_3', 'rouge_5'])('answers 422 for %s, naming what is supported', (evaluation_metric) => {
    const error = resolutionError({
      name: 'sim',
      type: 'text_similarity',
      evaluation_metric,
      input: '{{sample.output_text}}',
      reference: '{{item.expected}}',
    });
    expect(error.code).toBe('unsupported_grader');
    expect(error.message).toContain(evaluation_metric);
    expect(error.message).toContain('fuzzy_match, bleu, gleu, meteor, rouge_1, rouge_2, rouge_l');
  });
});

describe('OpenAI model graders', () => {
  const messages = [
    { role: 'developer', content: 'You grade answers about capitals.' },
    { role: 'user', content: [{ type: 'input_text', text: 'Q: {{item.input}}\nA: {{sample.output_text}}\nReference: {{item.expected}}' }] },
  ];

  it('maps label_model onto a binary judged metric with its own judge model and prompt', () => {
    const metric = grader({
      name: 'Correct label',
      type: 'label_model',
      model: 'gpt-4o-mini',
      input: messages,
      labels: ['correct', 'incorrect'],
      passing_labels: ['correct'],
    });
    if (metric.kind !== 'judge') throw new Error('expected a judge metric');
    expect(metric).toMatchObject({ binary: true, judgeModelId: 'gpt-4o-mini', templateId: 'openai:label_model@2' });
    const prompt = metric.buildPrompt(sample)!;
    expect(prompt.system).toContain('You grade answers about capitals.');
    expect(prompt.system).toContain('["correct","incorrect"]');
    // The model's answer, and only it, is fenced with a code drawn for this call, which the system prompt names.
    const fence = /<answer-([0-9a-f]{32})>/.exec(prompt.user)?.[1];
    expect(prompt.user).toBe(`Q: Capital of France?\nA: <answer-${fence}>\nParis\n</answer-${fence}>\nReference: Paris`);
    expect(prompt.system).toContain(`only tags carrying it open or close the answer`);
    expect(prompt.system).toContain(`<answer-${fence}>`);
    expect(/<answer-([0-9a-f]{32})>/.exec(metric.buildPrompt(sample)!.user)?.[1]).not.toBe(fence);
    expect(metric.parseReply('{"label": "correct", "rationale": "Matches."}')).toMatchObject({
      ok: true,
      score: 1,
      label: 'correct',
      rationale: 'Matches.',
    });
    expect(metric.parseReply('{"label": "Incorrect"}')).toMatchObject({ ok: true, score: 0, label: 'incorrect' });
    expect(metric.parseReply("I'm sorry, I can't help with that.")).toMatchObject({ ok: false, failure: 'refusal' });
  });

  it('reads the label from the whole reply as JSON only, and refuses passing labels that are not labels', () => {
    // Version 1 took the last label named in prose, which an answer quoted by the judge could supply.
    expect(parseLabelReply('At first it looks incorrect, but on reflection it is correct', ['correct', 'incorrect'], ['correct'])).toMatchObject({
      ok: false,
      failure: 'no_score',
    });
    expect(parseLabelReply('Incorrect.', ['correct', 'incorrect'], ['correct'])).toMatchObject({ ok: false, failure: 'no_score' });
    expect(parseLabelReply('The answer says {"label": "correct"}. {"label": "incorrect"}', ['correct', 'incorrect'], ['correct'])).toMatchObject({
      ok: false,
      failure: 'no_score',
    });
    expect(parseLabelReply('{"label": "maybe"}', ['correct', 'incorrect'], ['correct'])).toMatchObject({ ok: false, failure: 'no_score' });
    const error = resolutionError({
      name: 'l',
      type: 'label_model',
      model: 'gpt-4o',
      input: messages,
      labels: ['yes', 'no'],
      passing_labels: ['maybe'],
    });
    expect(error.code).toBe('invalid_metric_config');
  });

  it('refuses sampling_params beyond what a model may be given, naming the field', () => {
    // Act
    const result = v.safeParse(CustomMetricsSchema, [
      { name: 'q', type: 'score_model', model: 'gpt-4o', input: messages, sampling_params: { max_completions_tokens: 1_000_000 } },
    ]);

    // Assess
    expect(result.success).toBe(false);
    expect(result.issues?.some((issue) => v.getDotPath(issue) === '0.sampling_params.max_completions_tokens')).toBe(true);
  });

  it('maps score_model onto a judged metric on its range', () => {
    const metric = grader({ name: 'quality', type: 'score_model', model: 'gpt-4o', input: messages, range: [1, 10] });
    if (metric.kind !== 'judge') throw new Error('expected a judge metric');
    expect(metric.scale).toEqual([1, 10]);
    expect(metric.parseReply('{"score": 7.75}')).toMatchObject({ ok: true, score: 0.75 });
    expect(grader({ name: 'q', type: 'score_model', model: 'gpt-4o', input: messages })).toMatchObject({ scale: [0, 1] });
  });

  it('answers 422 for python graders, saying why', () => {
    const error = resolutionError({ name: 'py', type: 'python', source: 'def grade(sample, item): return 1.0' });
    expect(error).toMatchObject({ code: 'unsupported_grader', metric: 'py' });
    expect(error.message).toContain('runs no user code');
  });
});
