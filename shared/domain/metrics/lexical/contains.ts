/** Substring checks. Both sides are put in Unicode NFC first so equal-looking text compares equal. */

export interface ContainsOptions {
  caseSensitive?: boolean;
}

function prepare(text: string, caseSensitive: boolean): string {
  const composed = text.normalize('NFC');
  return caseSensitive ? composed : composed.toLowerCase();
}

/** 1 when `needle` occurs in `output` (case-sensitive unless told otherwise). */
export function contains(output: string, needle: string, options: ContainsOptions = {}): 0 | 1 {
  const { caseSensitive = true } = options;
  return prepare(output, caseSensitive).includes(prepare(needle, caseSensitive)) ? 1 : 0;
}

/** 1 when `output`, ignoring leading whitespace, begins with `prefix` (ignoring its surrounding whitespace). */
export function startsWith(output: string, prefix: string, options: ContainsOptions = {}): 0 | 1 {
  const { caseSensitive = true } = options;
  return prepare(output.trimStart(), caseSensitive).startsWith(prepare(prefix.trim(), caseSensitive)) ? 1 : 0;
}
