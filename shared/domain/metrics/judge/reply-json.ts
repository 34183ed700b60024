/**
 * Longest judge reply that is read. Judges are asked for a short JSON object (a score and a sentence or
 * two); a longer reply is a failure rather than work that grows with whatever the judge returned.
 */
export const MAX_JUDGE_REPLY_CHARS = 100_000;

export type VerdictObject = { ok: true; object: Record<string, unknown> } | { ok: false; failure: 'empty' | 'refusal' | 'not_json'; message: string };

/** The reply without one Markdown code fence around all of it (```json … ```), which judges add unasked. */
function unfenced(text: string): string {
  if (text.length < 6 || !text.startsWith('```') || !text.endsWith('```')) return text;
  const firstLineEnd = text.indexOf('\n');
  if (firstLineEnd < 0) return text;
  const language = text.slice(3, firstLineEnd).trim().toLowerCase();
  return language === '' || language === 'json' ? text.slice(firstLineEnd + 1, -3).trim() : text;
}

/**
 * The judge's verdict: its whole reply as one JSON object (surrounding whitespace, or one code fence
 * around all of it, allowed), as JSON mode returns it. Never a search for the first `{"score": …}` in the
 * reply: judges quote the answer they judge, and an answer containing `{"score": 5}` or "Score: 5" must
 * not become the verdict. Linear in the reply, which is read up to MAX_JUDGE_REPLY_CHARS.
 */
export function verdictObject(reply: string): VerdictObject {
  if (reply.length > MAX_JUDGE_REPLY_CHARS) {
    return {
      ok: false,
      failure: 'not_json',
      message: `the reply is longer than ${MAX_JUDGE_REPLY_CHARS} characters; a verdict is a short JSON object`,
    };
  }
  const text = unfenced(reply.trim());
  if (text === '') return { ok: false, failure: 'empty', message: 'the judge returned an empty reply' };
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { ok: true, object: value as Record<string, unknown> };
  } catch {
    // Not JSON: a refusal in prose, or a verdict in a form that is not accepted.
  }
  return REFUSAL.test(text)
    ? { ok: false, failure: 'refusal', message: 'the judge declined to judge' }
    : { ok: false, failure: 'not_json', message: 'the reply is not one JSON object' };
}

/** The first of these keys present (case-insensitive), with its value. */
export function field(object: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const [key, value] of Object.entries(object)) if (keys.includes(key.toLowerCase())) return value;
  return undefined;
}

export function textField(object: Record<string, unknown>, keys: readonly string[]): string | undefined {
  const value = field(object, keys);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export const rationaleKeys = ['rationale', 'reason', 'reasoning', 'explanation', 'justification'] as const;

/** A verdict object without a verdict field that says, in one of its texts, that the judge declined. */
export function declines(object: Record<string, unknown>): boolean {
  return Object.values(object).some((value) => typeof value === 'string' && REFUSAL.test(value));
}

/**
 * Phrases of a judge declining to judge. Only consulted when no verdict was found, so a reply with a
 * score whose rationale says "I can't be sure" still counts.
 */
export const REFUSAL =
  /\b(?:I(?:'|’)?m sorry|I am sorry|I(?:'|’)?m (?:unable|not able)|I am (?:unable|not able)|I can(?:not|'t|’t)|I won(?:'t|’t)|I will not|as an AI|cannot (?:evaluate|assess|rate|judge|comply|help))\b/i;
