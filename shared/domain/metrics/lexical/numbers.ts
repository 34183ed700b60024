/**
 * Numeric answers: "42", "42.0", "$42", "42 apples" and "1,000" all name a number, and an exact answer
 * whose expected value is a number is right when the numbers are equal, whatever the decoration.
 */

// A number with optional sign (ASCII or Unicode minus), thousands separators and decimals.
const NUMBER_SOURCE = String.raw`[-+\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+\u2212]?\.\d+`;
const NUMBER = new RegExp(NUMBER_SOURCE, 'g');
const CURRENCY = /[$€£¥₹]/g;
// Markers after which a model states its final answer; GSM8K-style "####" included.
const ANSWER_MARKER = /(?:answer\s*(?:is|:|=)?|####|=)\s*/gi;

function toNumber(text: string): number {
  return Number(text.replace(/\u2212/g, '-').replace(/,/g, ''));
}

/**
 * The number an expected answer consists of, or null when it is not purely numeric: currency symbols, a
 * trailing percent sign and surrounding whitespace are allowed, words are not ("42 apples" as an expected
 * answer is text).
 */
export function numericValue(text: string): number | null {
  const bare = text.trim().replace(CURRENCY, '').replace(/%$/, '').trim();
  const match = new RegExp(`^(?:${NUMBER_SOURCE})$`).exec(bare);
  return match ? toNumber(match[0]) : null;
}

/**
 * The number an output gives as its answer: the first number after the last answer marker ("The answer
 * is 42", "#### 42", "= 42"), otherwise the last number in the output (worked solutions end with the
 * result), otherwise null.
 */
export function answerNumber(output: string): number | null {
  const text = output.replace(CURRENCY, '');
  let afterMarker: string | null = null;
  for (const marker of text.matchAll(ANSWER_MARKER)) afterMarker = text.slice(marker.index + marker[0].length);
  if (afterMarker !== null) {
    const first = new RegExp(NUMBER_SOURCE).exec(afterMarker);
    if (first) return toNumber(first[0]);
  }
  const all = text.match(NUMBER);
  return all ? toNumber(all[all.length - 1]!) : null;
}

/** Equal up to floating-point rounding (so 0.1 + 0.2 equals 0.3, and 42 equals 42.0). */
export function numbersEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}
