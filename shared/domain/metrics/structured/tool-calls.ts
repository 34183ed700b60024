import type { ExpectedToolCall, ToolCall } from '../../../contracts/benchmarks/tools.js';

export type ArgumentsMode = 'exact' | 'subset';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * JSON equality of parsed values: object keys in any order, numbers by value (so `1`, `1.0` and `1e0`
 * as the model wrote them are equal once parsed). `subset`: every key the expected object has must be in
 * the actual one with a subset-equal value; the actual object may hold more. Arrays compare element by
 * element in order and must have the same length in both modes.
 */
export function jsonMatches(actual: unknown, expected: unknown, mode: ArgumentsMode): boolean {
  if (typeof expected === 'number') return typeof actual === 'number' && actual === expected;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, index) => jsonMatches(actual[index], item, mode));
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return false;
    const expectedKeys = Object.keys(expected);
    if (mode === 'exact' && Object.keys(actual).length !== expectedKeys.length) return false;
    return expectedKeys.every((key) => Object.hasOwn(actual, key) && jsonMatches(actual[key], expected[key], mode));
  }
  return actual === expected;
}

/** An expected call without `arguments` accepts any valid arguments; arguments that did not parse never match. */
function callMatches(actual: ToolCall, expected: ExpectedToolCall, mode: ArgumentsMode): boolean {
  if (actual.name !== expected.name || actual.arguments_invalid || typeof actual.arguments === 'string') return false;
  return expected.arguments === undefined || jsonMatches(actual.arguments, expected.arguments, mode);
}

/**
 * The most expected calls that distinct actual calls match (maximum bipartite matching, Kuhn's augmenting
 * paths): a greedy pairing could spend the one call that fits a strict expectation on a loose one. Both
 * sides are bounded (32 calls), so the O(n³) worst case stays small.
 */
export function matchedCalls(actual: readonly ToolCall[], expected: readonly ExpectedToolCall[], mode: ArgumentsMode): number {
  const fits = expected.map((want) => actual.map((call) => callMatches(call, want, mode)));
  const ownerOf: Array<number | undefined> = actual.map(() => undefined);
  const assign = (want: number, seen: boolean[]): boolean => {
    for (let call = 0; call < actual.length; call++) {
      if (!fits[want]![call] || seen[call]) continue;
      seen[call] = true;
      const owner = ownerOf[call];
      if (owner === undefined || assign(owner, seen)) {
        ownerOf[call] = want;
        return true;
      }
    }
    return false;
  };
  let matched = 0;
  for (let want = 0; want < expected.length; want++)
    if (
      assign(
        want,
        actual.map(() => false),
      )
    )
      matched++;
  return matched;
}

/** 1 when the called names equal the expected ones as a multiset (order and arguments aside), else 0. */
export function toolNameMatch(actual: readonly ToolCall[], expected: readonly ExpectedToolCall[]): 0 | 1 {
  if (actual.length !== expected.length) return 0;
  const counts = new Map<string, number>();
  for (const call of expected) counts.set(call.name, (counts.get(call.name) ?? 0) + 1);
  for (const call of actual) {
    const left = counts.get(call.name) ?? 0;
    if (left === 0) return 0;
    counts.set(call.name, left - 1);
  }
  return 1;
}

/** 1 when every expected call is matched, name and arguments, by a call of its own; extra calls do not count against it. */
export function toolArgumentsMatch(actual: readonly ToolCall[], expected: readonly ExpectedToolCall[], mode: ArgumentsMode): 0 | 1 {
  return matchedCalls(actual, expected, mode) === expected.length ? 1 : 0;
}

/**
 * F1 of the calls made against the calls expected, a call counting as correct when it matches an expected
 * one (name and exact arguments). No calls expected and none made is a perfect 1.
 */
export function toolCallF1(actual: readonly ToolCall[], expected: readonly ExpectedToolCall[], mode: ArgumentsMode = 'exact'): number {
  if (actual.length === 0 && expected.length === 0) return 1;
  const matched = matchedCalls(actual, expected, mode);
  if (matched === 0) return 0;
  const precision = matched / actual.length;
  const recall = matched / expected.length;
  return (2 * precision * recall) / (precision + recall);
}
