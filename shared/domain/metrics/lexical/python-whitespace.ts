/**
 * Whitespace as Python's `str.split()` and `str.rstrip()` see it, which is what sacreBLEU splits tokens and
 * strips characters on. JavaScript's `\s` differs: it lacks the information separators U+001C–U+001F and
 * NEL (U+0085) and adds the byte-order mark U+FEFF, so texts holding them would tokenise differently.
 */
const WHITESPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const RUN = new RegExp(`[${WHITESPACE}]+`, 'g');
const TRAILING = new RegExp(`[${WHITESPACE}]+$`);

/** `text.split()` in Python: runs of whitespace separate, and no empty strings. */
export function splitPythonWhitespace(text: string): string[] {
  return text.split(RUN).filter(Boolean);
}

/** `text.rstrip()` in Python. */
export function rstripPython(text: string): string {
  return text.replace(TRAILING, '');
}

/** `''.join(text.split())` in Python. */
export function removePythonWhitespace(text: string): string {
  return text.replace(RUN, '');
}
