import { builtinMetrics } from '#shared/domain/metrics/builtin-metrics.js';
import { metricNames, metricTypes } from '#shared/contracts/metrics/metric-names.js';
import { configurableMetrics, MetricResolutionError, resolveMetrics } from '#shared/domain/metrics/registry.js';
import type { ResolvedMetric, ScoreInput } from '#shared/domain/metrics/types.js';

const sample: ScoreInput = { input: 'Capital of France?', output: 'The answer is Paris.', expected: 'Paris', latency_ms: 120, cost_usd: 0.002 };

function byName(metrics: ResolvedMetric[]): Record<string, ResolvedMetric> {
  return Object.fromEntries(metrics.map((metric) => [metric.name, metric]));
}

describe('the metric registry', () => {
  it('defines every metric name and configuration type the API accepts', () => {
    expect(Object.keys(builtinMetrics).sort()).toEqual([...metricNames].sort());
    expect(Object.keys(configurableMetrics).sort()).toEqual([...metricTypes].sort());
    for (const [name, definition] of Object.entries(builtinMetrics)) expect(definition.name).toBe(name);
  });

  it('declares consistent traits: binary metrics are 0–1, operational ones unbounded and lower-is-better', () => {
    for (const definition of Object.values(builtinMetrics)) {
      if (definition.binary) expect(definition.range).toEqual([0, 1]);
    }
    for (const name of ['latency_ms', 'output_tokens', 'cost_usd'] as const) {
      expect(builtinMetrics[name]).toMatchObject({ range: null, higherIsBetter: false, binary: false });
    }
  });

  it.each([
    ['exact_answer', ['exact_match']],
    ['multiple_choice', ['accuracy']],
    ['free_text', ['rouge_l', 'token_f1']],
    ['classification', ['exact_match']],
  ] as const)('defaults %s to %j', (taskType, names) => {
    expect(resolveMetrics(undefined, { taskType }).map((metric) => metric.name)).toEqual(names);
  });

  it('prefers the request’s metrics, then the benchmark’s defaults', () => {
    expect(resolveMetrics(['bleu'], { taskType: 'free_text', benchmarkDefaults: ['chrf'] }).map((m) => m.name)).toEqual(['bleu']);
    expect(resolveMetrics([], { taskType: 'free_text', benchmarkDefaults: ['chrf', 'chrf'] }).map((m) => m.name)).toEqual(['chrf']);
  });

  it('resolves names to scorers bound to the sample', () => {
    // Act
    const metrics = byName(resolveMetrics(['exact_match', 'accuracy', 'contains', 'latency_ms', 'token_f1'], { taskType: 'exact_answer' }));

    // Assess
    const scores = Object.fromEntries(
      Object.values(metrics).map((metric) => [metric.name, metric.kind === 'computed' ? metric.score(sample) : 'judge']),
    );
    expect(scores).toEqual({ exact_match: 0, accuracy: 1, contains: 1, latency_ms: 120, token_f1: expect.closeTo(0.5, 12) });
  });

  it('returns null, not 0, where a metric does not apply', () => {
    const [bleu, latency] = resolveMetrics(['bleu', 'output_tokens'], { taskType: 'free_text' });
    const bare = { input: 'q', output: 'a' };
    expect(bleu?.kind === 'computed' && bleu.score(bare)).toBeNull();
    expect(latency?.kind === 'computed' && latency.score(bare)).toBeNull();
  });

  it('turns configuration objects into metrics with their parameters', () => {
    // Act
    const metrics = byName(
      resolveMetrics(
        [
          { name: 'has_citation', type: 'regex', pattern: String.raw`\[\d+\]` },
          { name: 'says_paris', type: 'contains', value: 'PARIS', case_sensitive: false },
          { name: 'strict_match', type: 'exact_match', ignore_case: false },
          { name: 'is_label', type: 'json_schema', schema: { type: 'object', required: ['label'] } },
        ],
        { taskType: 'free_text' },
      ),
    );
    const score = (name: string, input: ScoreInput) => {
      const metric = metrics[name];
      return metric?.kind === 'computed' ? metric.score(input) : undefined;
    };

    // Assess
    expect(score('has_citation', { ...sample, output: 'Paris [1]' })).toBe(1);
    expect(score('has_citation', sample)).toBe(0);
    expect(score('says_paris', sample)).toBe(1);
    expect(score('strict_match', { ...sample, output: 'paris' })).toBe(0);
    expect(score('strict_match', { ...sample, output: 'Paris!' })).toBe(1);
    expect(score('is_label', { ...sample, output: '{"label": "x"}' })).toBe(1);
    expect(metrics.has_citation).toMatchObject({ binary: true, source: { kind: 'config' } });
  });

  it('returns judge metrics with their template, scale and parser', () => {
    // Act
    const metrics = byName(
      resolveMetrics(['relevance', { name: 'tone', type: 'llm_judge', rubric: 'Polite and concise.', scale: [0, 10], judge_model_id: 'judge-1' }], {
        taskType: 'free_text',
      }),
    );

    // Assess
    const relevance = metrics.relevance;
    const tone = metrics.tone;
    if (relevance?.kind !== 'judge' || tone?.kind !== 'judge') throw new Error('expected judge metrics');
    expect(relevance).toMatchObject({ templateId: 'relevance@2', scale: [1, 5], range: [0, 1] });
    expect(relevance.parseReply('{"score": 5}')).toMatchObject({ ok: true, score: 1 });
    expect(tone).toMatchObject({ templateId: 'rubric@2', scale: [0, 10], judgeModelId: 'judge-1' });
    expect(tone.buildPrompt(sample)?.user).toContain('Polite and concise.');
    expect(tone.parseReply('{"score": "5/10"}')).toMatchObject({ ok: true, score: 0.5 });
  });

  it('returns pairwise preference for the evaluator to judge in both orders', () => {
    const [metric] = resolveMetrics(['pairwise_preference'], { taskType: 'free_text' });
    if (metric?.kind !== 'pairwise') throw new Error('expected a pairwise metric');
    expect(metric.reconcile(metric.parseReply('{"winner": "A"}').ok ? 'A' : 'tie', 'B').preferred).toBe('model_1');
  });

  it('refuses unknown names and unusable configurations with a typed error', () => {
    expect(() => resolveMetrics(['acuracy'], { taskType: 'free_text' })).toThrow(MetricResolutionError);
    expect(() => resolveMetrics([{ name: 'bad', type: 'json_schema', schema: { type: 12 } }], { taskType: 'free_text' })).toThrow(
      expect.objectContaining({ code: 'invalid_metric_config', metric: 'bad' }),
    );
  });
});
