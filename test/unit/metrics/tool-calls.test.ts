/**
 * The tool-call metrics on hand-worked cases: the values follow from the definitions in docs/metrics.md
 * (multiset equality of names; maximum matching of calls to expectations; F1 = 2PR/(P+R)), worked out
 * by hand in each case's comment.
 */
import * as v from 'valibot';
import { toolCallFromText, toolCallFromValue, ToolsSchema, type ToolCall } from '#shared/contracts/benchmarks/tools.js';
import { resolveMetrics } from '#shared/domain/metrics/registry.js';
import { jsonMatches, toolArgumentsMatch, toolCallF1, toolNameMatch } from '#shared/domain/metrics/structured/tool-calls.js';
import type { ResolvedComputedMetric } from '#shared/domain/metrics/types.js';

const call = (name: string, args: Record<string, unknown> = {}): ToolCall => ({ name, arguments: args });

describe('tool_name_match', () => {
  it('ignores order but counts repeats', () => {
    expect(toolNameMatch([call('b'), call('a')], [{ name: 'a' }, { name: 'b' }])).toBe(1);
    expect(toolNameMatch([call('a'), call('a')], [{ name: 'a' }, { name: 'b' }])).toBe(0);
    expect(toolNameMatch([call('a')], [{ name: 'a' }, { name: 'a' }])).toBe(0);
  });
  it('an empty expectation passes only when no tool is called', () => {
    expect(toolNameMatch([], [])).toBe(1);
    expect(toolNameMatch([call('a')], [])).toBe(0);
  });
});

describe('JSON-aware argument equality', () => {
  it('ignores key order and number formatting', () => {
    const parsed = toolCallFromText('f', '{"unit": "c", "n": 1.0e1, "nested": {"b": [1, 2], "a": true}}');
    expect(jsonMatches(parsed.arguments, { nested: { a: true, b: [1, 2] }, n: 10, unit: 'c' }, 'exact')).toBe(true);
  });
  it('exact refuses extra keys, subset accepts them at any depth', () => {
    const actual = { city: 'Paris', unit: 'c', opts: { lang: 'fr', x: 1 } };
    expect(jsonMatches(actual, { city: 'Paris', opts: { lang: 'fr' } }, 'exact')).toBe(false);
    expect(jsonMatches(actual, { city: 'Paris', opts: { lang: 'fr' } }, 'subset')).toBe(true);
    expect(jsonMatches(actual, { city: 'Lyon' }, 'subset')).toBe(false);
  });
  it('arrays keep their order and length; a string "1" is not the number 1', () => {
    expect(jsonMatches([1, 2], [2, 1], 'subset')).toBe(false);
    expect(jsonMatches({ a: '1' }, { a: 1 }, 'exact')).toBe(false);
  });
});

describe('tool_arguments_match', () => {
  it('needs a distinct matching call for every expected one, found by matching rather than greedily', () => {
    // Greedy would give the first call (x:1, y:2) to the loose expectation and leave the strict one unmatched.
    const actual = [call('f', { x: 1, y: 2 }), call('f', { x: 1 })];
    expect(
      toolArgumentsMatch(
        actual,
        [
          { name: 'f', arguments: { x: 1 } },
          { name: 'f', arguments: { x: 1, y: 2 } },
        ],
        'subset',
      ),
    ).toBe(1);
    expect(toolArgumentsMatch([call('f', { x: 1 })], [{ name: 'f' }, { name: 'f' }], 'exact')).toBe(0);
  });
  it('an expected call without arguments accepts any; unparseable arguments never match', () => {
    expect(toolArgumentsMatch([call('f', { q: 'anything' })], [{ name: 'f' }], 'exact')).toBe(1);
    const broken = toolCallFromText('f', '{"q": "unterminated');
    expect(broken).toEqual({ name: 'f', arguments: '{"q": "unterminated', arguments_invalid: true });
    expect(toolArgumentsMatch([broken], [{ name: 'f' }], 'exact')).toBe(0);
  });
});

describe('tool_call_f1', () => {
  it('is 2PR/(P+R) over matched calls', () => {
    // 3 calls, 2 expected, 1 matched: P = 1/3, R = 1/2, F1 = 2·(1/6)/(5/6) = 0.4.
    expect(
      toolCallF1(
        [call('a', { x: 1 }), call('b'), call('c')],
        [
          { name: 'a', arguments: { x: 1 } },
          { name: 'b', arguments: { y: 1 } },
        ],
      ),
    ).toBeCloseTo(0.4, 12);
    expect(toolCallF1([], [])).toBe(1);
    expect(toolCallF1([], [{ name: 'a' }])).toBe(0);
  });
});

describe('registry', () => {
  const sample = { output: '', input: 'q', tool_calls: [call('get_weather', { unit: 'c', city: 'Paris' })] };
  const score = (metric: string | object, extra: object) =>
    (resolveMetrics([metric as string], { taskType: 'free_text' })[0] as ResolvedComputedMetric).score({ ...sample, ...extra });

  it('the three metrics do not apply to items without expected calls', () => {
    for (const name of ['tool_name_match', 'tool_arguments_match', 'tool_call_f1']) expect(score(name, {})).toBeNull();
  });
  it('tool_arguments_match takes mode subset as a configuration', () => {
    const expected_tool_calls = [{ name: 'get_weather', arguments: { city: 'Paris' } }];
    expect(score('tool_arguments_match', { expected_tool_calls })).toBe(0);
    expect(score({ name: 'args_subset', type: 'tool_arguments_match', mode: 'subset' }, { expected_tool_calls })).toBe(1);
  });
});

describe('tool definitions', () => {
  const issues = (tools: unknown) => {
    const result = v.safeParse(ToolsSchema, tools);
    return result.success ? [] : result.issues.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`);
  };
  it('accepts a JSON Schema object', () => {
    const parameters = { type: 'object', properties: { city: { type: 'string', enum: ['Paris'] } }, required: ['city'], additionalProperties: false };
    expect(issues([{ name: 'get_weather', description: 'Weather now', parameters }])).toEqual([]);
  });
  it('refuses what is not a valid JSON Schema object, with the path', () => {
    expect(issues([{ name: 'f', parameters: { type: 'string' } }])).toEqual(['0.parameters.type: must be "object" at the top level']);
    expect(issues([{ name: 'f', parameters: { type: 'object', properties: { a: { type: 'strng' } } } }])).toEqual([
      expect.stringMatching(/^0\.parameters\.properties\.a\.type: must be a JSON type/),
    ]);
    expect(issues([{ name: 'f', parameters: { type: 'object', propertes: {} } }])).toEqual([
      '0.parameters.propertes: is not a known JSON Schema keyword',
    ]);
    expect(issues([{ name: 'f', parameters: 'object' }])).toEqual(['0.parameters: must be a JSON Schema object']);
  });
  it('bounds depth and size', () => {
    let deep: Record<string, unknown> = { type: 'object' };
    for (let i = 0; i < 20; i++) deep = { type: 'object', properties: { p: deep } };
    expect(issues([{ name: 'f', parameters: deep }]).join()).toMatch(/nests deeper than 12 levels/);
    const wide = { type: 'object', description: 'x'.repeat(20_000) };
    expect(issues([{ name: 'f', parameters: wide }])).toEqual(['0.parameters: must be at most 16384 bytes of JSON']);
  });
  it('refuses duplicate and badly named tools', () => {
    const tool = { name: 'f', parameters: { type: 'object' } };
    expect(issues([tool, tool])).toEqual(['null: tool names must be unique']);
    expect(issues([{ ...tool, name: 'has space' }])).toEqual(['0.name: must be 1 to 64 letters, digits, _ or -']);
  });
  it('Anthropic/Bedrock values that are not objects are kept raw and flagged', () => {
    expect(toolCallFromValue('f', [1])).toEqual({ name: 'f', arguments: '[1]', arguments_invalid: true });
  });
});
