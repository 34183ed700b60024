import { MetricResolutionError, resolveMetrics } from '#shared/domain/metrics/registry.js';
import type { MetricConfig, ScoreInput } from '#shared/domain/metrics/types.js';

function refusal(config: MetricConfig): MetricResolutionError {
  try {
    resolveMetrics([config], { taskType: 'free_text' });
  } catch (error) {
    if (error instanceof MetricResolutionError) return error;
    throw error;
  }
  throw new Error('expected a MetricResolutionError');
}

function scorer(config: MetricConfig): (output: string) => number | null {
  const [metric] = resolveMetrics([config], { taskType: 'free_text' });
  if (metric?.kind !== 'computed') throw new Error('expected a computed metric');
  return (output) => metric.score({ input: 'q', output } satisfies ScoreInput);
}

describe('user patterns run on a linear-time engine', () => {
  it.each([
    [String.raw`(a+)\1`, 'backreferences'],
    [String.raw`(?<word>\w+) \k<word>`, 'named backreferences'],
    ['price(?= USD)', 'lookahead'],
    ['price(?! USD)', 'lookahead'],
    ['(?<=USD )price', 'lookbehind'],
    ['(?<!USD )price', 'lookbehind'],
    ['a{1001}', 'invalid repeat count'],
    [String.raw`\p{Script=Greek}`, 'not supported'],
  ])('refuses the regex %s with the reason and the field', (pattern, reason) => {
    const error = refusal({ name: 'r', type: 'regex', pattern });
    expect(error).toMatchObject({ code: 'invalid_metric_config', metric: 'r', field: 'pattern' });
    expect(error.message).toContain(reason);
  });

  it('refuses, before compiling it, a pattern whose counted repetitions would compile to a huge program', () => {
    // 994 characters that RE2 would compile to 142,002 instructions (seconds and tens of MB).
    const started = performance.now();
    const error = refusal({ name: 'r', type: 'regex', pattern: 'a{1000}'.repeat(142) });
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toMatchObject({ field: 'pattern', message: expect.stringContaining('too large') });
    expect(refusal({ name: 'r', type: 'regex', pattern: 'a{2,1000}b{1000}' }).message).toContain('at most 2500');
    // At the edge: \d{1,1000} compiles to 2,001 instructions and is accepted.
    expect(scorer({ name: 'r', type: 'regex', pattern: String.raw`^\d{1,1000}$` })('12345')).toBe(1);
  });

  it('refuses a flag given twice, naming the flags field', () => {
    expect(refusal({ name: 'r', type: 'regex', pattern: 'a', flags: 'ii' })).toMatchObject({
      code: 'invalid_metric_config',
      field: 'flags',
      message: expect.stringContaining('given twice'),
    });
  });

  it('keeps JavaScript syntax and the flags i, m, s', () => {
    expect(scorer({ name: 'r', type: 'regex', pattern: String.raw`\[\d+\]` })('Paris [1]')).toBe(1);
    expect(scorer({ name: 'r', type: 'regex', pattern: '^paris$', flags: 'i' })('PARIS')).toBe(1);
    expect(scorer({ name: 'r', type: 'regex', pattern: '^b$' })('a\nb')).toBe(0);
    expect(scorer({ name: 'r', type: 'regex', pattern: '^b$', flags: 'm' })('a\nb')).toBe(1);
    expect(scorer({ name: 'r', type: 'regex', pattern: 'a.b' })('a\nb')).toBe(0);
    expect(scorer({ name: 'r', type: 'regex', pattern: 'a.b', flags: 's' })('a\nb')).toBe(1);
    expect(scorer({ name: 'r', type: 'regex', pattern: String.raw`(?<year>\d{4})-\u0030\d` })('in 2024-05')).toBe(1);
    expect(scorer({ name: 'r', type: 'regex', pattern: String.raw`^\p{Lu}\p{Ll}+ \u{1F600}$` })('Émile 😀')).toBe(1);
    expect(scorer({ name: 'r', type: 'regex', pattern: '[^]' })('x')).toBe(1);
    // Nested quantifiers are fine on RE2: accepted, and linear (see bounded-time.test.ts).
    expect(scorer({ name: 'r', type: 'regex', pattern: '^(a+)+$' })('aaaa')).toBe(1);
  });

  it('refuses JSON Schema patterns RE2 cannot run, with their path in the schema', () => {
    const schema = {
      type: 'object',
      properties: { id: { type: 'string' }, tags: { type: 'array', items: { anyOf: [{ type: 'string', pattern: String.raw`^(\w)\1$` }] } } },
    };
    expect(refusal({ name: 's', type: 'json_schema', schema })).toMatchObject({
      code: 'invalid_metric_config',
      field: 'schema.properties.tags.items.anyOf.0.pattern',
      message: expect.stringContaining('backreferences'),
    });
    expect(refusal({ name: 's', type: 'json_schema', schema: { type: 'object', patternProperties: { '^x(?=y)': {} } } })).toMatchObject({
      field: 'schema.patternProperties.^x(?=y)',
      message: expect.stringContaining('lookahead'),
    });
    // JSON Schema patterns have the regex metric's length limit, so no schema can hold a pattern that takes seconds to compile.
    expect(refusal({ name: 's', type: 'json_schema', schema: { type: 'string', pattern: 'a{1000}'.repeat(2000) } })).toMatchObject({
      field: 'schema.pattern',
      message: expect.stringContaining('longer than 1000 characters'),
    });
    // `const` holds data: a "pattern" key in it is not a pattern.
    expect(() =>
      resolveMetrics([{ name: 's', type: 'json_schema', schema: { const: { pattern: String.raw`(a)\1` } } }], { taskType: 'free_text' }),
    ).not.toThrow();
  });

  it('validates JSON Schema patterns as before', () => {
    const score = scorer({
      name: 's',
      type: 'json_schema',
      schema: { type: 'object', properties: { code: { type: 'string', pattern: '^[A-Z]{3}$' } }, patternProperties: { '^n_': { type: 'number' } } },
    });
    expect(score('{"code": "ABC", "n_x": 1}')).toBe(1);
    expect(score('{"code": "ABCD"}')).toBe(0);
    expect(score('{"code": "ABC", "n_x": "one"}')).toBe(0);
  });
});
