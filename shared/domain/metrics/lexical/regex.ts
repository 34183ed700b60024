import { RE2JS } from 're2js';

/**
 * Every pattern a tenant supplies (the `regex` metric, JSON Schema `pattern` and `patternProperties`) runs
 * on re2js, a pure-JavaScript port of RE2. RE2 matches in time linear in the text, so no pattern can
 * backtrack exponentially: on V8's engine `^(a+)+$` against 27 a's and a `!` held the evaluator for
 * 0.8 s, doubling per character. re2js rather than the native `re2` addon: the Lambdas are bundled for
 * arm64 on build machines without Docker, where a native addon cannot be compiled, and re2js needs nothing
 * but JavaScript (its cost is bundle size; docs/security-patterns-judges-csv.md has the figures).
 *
 * Patterns are written in JavaScript syntax (translated by re2js) without what only backtracking can do:
 * backreferences and lookaround answer with a reason. Matching follows RE2, where `\s` is ASCII
 * whitespace and `.` excludes only `\n` (JavaScript also excludes `\r`, U+2028 and U+2029).
 */

/** A pattern or its flags that cannot run in linear time, or do not parse; `field` is the configuration key at fault. */
export class PatternError extends Error {
  constructor(
    message: string,
    readonly field: 'pattern' | 'flags',
  ) {
    super(message);
    this.name = 'PatternError';
  }
}

/** What a compiled pattern offers: Ajv's `RegExpLike` and the regex metric need only `test`. */
export interface LinearRegex {
  test(text: string): boolean;
}

const flagBits: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };

function flagsOf(flags: string): number {
  let bits = 0;
  const seen = new Set<string>();
  for (const flag of flags) {
    // `u` is how Ajv asks for Unicode patterns; RE2 always matches code points.
    if (flag === 'u') continue;
    if (!(flag in flagBits)) throw new PatternError(`flag ${flag} is not supported; use i, m or s`, 'flags');
    if (seen.has(flag)) throw new PatternError(`flag ${flag} is given twice`, 'flags');
    seen.add(flag);
    bits |= flagBits[flag]!;
  }
  return bits;
}

/**
 * JavaScript constructs RE2 has no linear-time form for, found before translation: re2js's translation
 * turns an unknown escape such as `\k` into a literal letter, which would silently change what a named
 * backreference means instead of refusing it.
 */
function unsupportedConstruct(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (next >= '1' && next <= '9') return `backreferences (\\${next}) are not supported: they need a backtracking engine`;
      if (next === 'k') return 'named backreferences (\\k<…>) are not supported: they need a backtracking engine';
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(' && pattern[i + 1] === '?') {
      const kind = pattern.slice(i + 2, i + 4);
      if (kind.startsWith('=') || kind.startsWith('!')) return `lookahead (?${kind[0]}…) is not supported: it needs a backtracking engine`;
      if (kind === '<=' || kind === '<!') return `lookbehind (?${kind}…) is not supported: it needs a backtracking engine`;
    }
  }
  return undefined;
}

/** Longest pattern accepted, as the `regex` metric's schema allows; JSON Schema patterns have no limit of their own. */
export const MAX_PATTERN_CHARS = 1000;

/**
 * Most instructions a compiled pattern may have. Matching is linear in the text, but compiling is linear
 * in the program, and counted repetitions multiply it: `a{1000}` written a thousand times (7 KB) took
 * 10 s and 470 MB to compile. 2,500 admits `\d{1,1000}` (2,001) and `(?:ab){1000}` (2,002).
 */
export const MAX_PROGRAM_SIZE = 2500;

/**
 * About how many instructions RE2 compiles the pattern to, worked out without compiling it (so that a
 * pattern that would take seconds to compile is refused in microseconds): atoms count one, groups add up
 * their contents, a counted repetition multiplies what it repeats.
 */
function estimatedProgramSize(pattern: string): number {
  const outer: number[] = [];
  let size = 0;
  let last = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[++i];
      // `\x{…}`, `\u{…}`, `\p{…}`: the braces belong to the escape, not to a repetition.
      if ((next === 'x' || next === 'u' || next === 'p' || next === 'P') && pattern[i + 1] === '{') i = Math.max(i, pattern.indexOf('}', i));
      size += 1;
      last = 1;
    } else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      size += 1;
      last = 1;
    } else if (c === '(') {
      outer.push(size);
      size = 0;
      last = 0;
      const prefix = /^\(\?(?:P?<[^>]*>|[a-zA-Z-]*:?)/.exec(pattern.slice(i, i + 48));
      if (prefix) i += prefix[0].length - 1;
    } else if (c === ')') {
      const group = size + 2;
      size = (outer.pop() ?? 0) + group;
      last = group;
    } else if (c === '{' && /^\{\d+(?:,\d*)?\}/.test(pattern.slice(i, i + 24))) {
      const [whole, min, comma, max] = /^\{(\d+)(,?)(\d*)\}/.exec(pattern.slice(i, i + 24))!;
      const most = comma ? (max ? Number(max) : Number(min) + 1) : Number(min);
      const repeated = last * most + Math.max(0, most - Number(min));
      size += repeated - last;
      last = repeated;
      i += whole.length - 1;
    } else {
      size += 1;
      if (c === '|') last = 0;
      else if (c !== '*' && c !== '+' && c !== '?') last = 1;
    }
  }
  return outer.reduce((sum, part) => sum + part, size);
}

const tooLarge = (instructions: number) =>
  new PatternError(
    `the pattern is too large: it compiles to about ${instructions} instructions, at most ${MAX_PROGRAM_SIZE} are allowed (a counted repetition such as x{1000} multiplies what it repeats)`,
    'pattern',
  );

/** Compiles a JavaScript-syntax pattern for linear-time matching; throws PatternError with the reason. */
export function compileLinearRegex(pattern: string, flags = ''): LinearRegex {
  const bits = flagsOf(flags);
  if (pattern.length > MAX_PATTERN_CHARS) throw new PatternError(`the pattern is longer than ${MAX_PATTERN_CHARS} characters`, 'pattern');
  const unsupported = unsupportedConstruct(pattern);
  if (unsupported) throw new PatternError(unsupported, 'pattern');
  // The estimate only keeps huge programs from being compiled; the compiled size is the rule.
  const estimate = estimatedProgramSize(pattern);
  if (estimate > 4 * MAX_PROGRAM_SIZE) throw tooLarge(estimate);
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(RE2JS.translateRegExp(pattern), bits);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    throw new PatternError(`the pattern is not supported: ${reason}`, 'pattern');
  }
  if (regex.programSize() > MAX_PROGRAM_SIZE) throw tooLarge(regex.programSize());
  return regex;
}

/**
 * Compiled patterns by pattern and flags. Compiling per item would dominate the metric's cost; the map is
 * bounded because a long-lived evaluator sees patterns from many tenants.
 */
const compiled = new Map<string, LinearRegex>();
const maxCached = 256;

/** The compiled pattern of a `regex` metric (or a JSON Schema); throws PatternError. */
export function compileMetricRegex(pattern: string, flags = ''): LinearRegex {
  const key = `${flags}/${pattern}`;
  let regex = compiled.get(key);
  if (!regex) {
    regex = compileLinearRegex(pattern, flags);
    if (compiled.size >= maxCached) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, regex);
  }
  return regex;
}

/** 1 when the pattern matches anywhere in the output. */
export function regexMatch(output: string, pattern: string, flags = ''): 0 | 1 {
  return compileMetricRegex(pattern, flags).test(output) ? 1 : 0;
}
