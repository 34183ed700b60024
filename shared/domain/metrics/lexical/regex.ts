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

/** Compiles a JavaScript-syntax pattern for linear-time matching; throws PatternError with the reason. */
export function compileLinearRegex(pattern: string, flags = ''): LinearRegex {
  const bits = flagsOf(flags);
  const unsupported = unsupportedConstruct(pattern);
  if (unsupported) throw new PatternError(unsupported, 'pattern');
  try {
    return RE2JS.compile(RE2JS.translateRegExp(pattern), bits);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    throw new PatternError(`the pattern is not supported: ${reason}`, 'pattern');
  }
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
