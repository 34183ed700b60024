/**
 * JSON objects in a judge's reply. Judges asked for JSON still wrap it in prose or a Markdown fence, so
 * every balanced {...} span is tried, outermost first, and the ones that parse are returned.
 */
export function jsonObjectsIn(reply: string): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  let start = reply.indexOf('{');
  while (start >= 0 && objects.length < 5) {
    const end = matchingBrace(reply, start);
    if (end < 0) break;
    try {
      const value: unknown = JSON.parse(reply.slice(start, end + 1));
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) objects.push(value as Record<string, unknown>);
    } catch {
      // Not JSON (prose in braces): try the next opening brace.
    }
    start = reply.indexOf('{', objects.length > 0 ? end + 1 : start + 1);
  }
  return objects;
}

/** Index of the brace closing the one at `start`, skipping braces inside JSON strings; -1 if unbalanced. */
function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
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

/**
 * Phrases of a judge declining to judge. Only consulted when no verdict was found, so "I can't be sure,
 * but Score: 3" still counts as a 3.
 */
export const REFUSAL =
  /\b(?:I(?:'|’)?m sorry|I am sorry|I(?:'|’)?m (?:unable|not able)|I am (?:unable|not able)|I can(?:not|'t|’t)|I won(?:'t|’t)|I will not|as an AI|cannot (?:evaluate|assess|rate|judge|comply|help))\b/i;
