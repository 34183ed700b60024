/**
 * Compiled patterns by pattern and flags. Compiling per item would dominate the metric's cost; the map is
 * bounded because a long-lived evaluator sees patterns from many tenants.
 */
const compiled = new Map<string, RegExp>();
const maxCached = 256;

/**
 * The regular expression a `regex` metric runs. Always with the `u` flag, as the API validated it, so
 * `\p{…}` classes and astral characters behave the same at validation and at scoring.
 */
export function compileMetricRegex(pattern: string, flags = ''): RegExp {
  const key = `${flags}/${pattern}`;
  let regex = compiled.get(key);
  if (!regex) {
    regex = new RegExp(pattern, `${flags.replace(/[gyu]/g, '')}u`);
    if (compiled.size >= maxCached) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, regex);
  }
  return regex;
}

/** 1 when the pattern matches anywhere in the output. */
export function regexMatch(output: string, pattern: string, flags = ''): 0 | 1 {
  return compileMetricRegex(pattern, flags).test(output) ? 1 : 0;
}
