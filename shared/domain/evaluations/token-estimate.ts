import type { Model } from '../../contracts/models/schemas.js';

/**
 * Token counts without a tokeniser. Each provider tokenises differently (OpenAI's o200k/cl100k, Anthropic's
 * and Bedrock models' own vocabularies, whatever a compatible server runs), and shipping their vocabularies
 * would add megabytes to every API bundle for figures that are estimates anyway. Three bounds instead:
 *
 * - `low`: whitespace-separated words. Byte-level BPE tokenisers split text into words before merging, so
 *   a word is at least one token; this is also exactly what the local fake model server reports as usage.
 * - `expected`: ⌈characters ÷ 4⌉ (never below the words): the usual ratio for English with GPT- and
 *   Claude-family tokenisers (about 1.3 tokens a word).
 * - `high`: ⌈UTF-8 bytes ÷ 3⌉ (never below the words), plus 4 tokens of chat framing per message: leaves a
 *   third of headroom for English and covers scripts such as CJK, where a 3-byte character is about a token.
 */
export const TOKENISATION_METHOD = 'arbiter-heuristic-v1';

export const TOKENISATION_DESCRIPTION =
  'No tokeniser is run: low = whitespace-separated words (a lower bound for word-splitting BPE tokenisers, and what the local fake model server counts), ' +
  'expected = ceil(characters / 4) (the usual English ratio for GPT and Claude tokenisers), ' +
  'high = ceil(UTF-8 bytes / 3) plus 4 tokens of chat framing per message; each at least the word count.';

/** Chat framing (role markers, separators) a provider adds around each message; only `high` counts it. */
const FRAMING_TOKENS_PER_MESSAGE = 4;

/** A token figure as three bounds. */
export interface TokenRange {
  low: number;
  expected: number;
  high: number;
}

export const zeroRange = (): TokenRange => ({ low: 0, expected: 0, high: 0 });

function wordCount(text: string): number {
  let words = 0;
  let inWord = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    // The whitespace of /\s/ that occurs in prompts; the fake model server splits on /\s+/.
    const space = code === 32 || (code >= 9 && code <= 13) || code === 160 || code === 0x2028 || code === 0x2029 || code === 0xfeff;
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      words += 1;
    }
  }
  return words;
}

/** The estimate of one message's tokens (a system prompt or a user prompt). */
export function messageTokens(text: string): TokenRange {
  if (text === '') return zeroRange();
  const words = wordCount(text);
  return {
    low: words,
    expected: Math.max(words, Math.ceil(text.length / 4)),
    high: Math.max(words, Math.ceil(Buffer.byteLength(text, 'utf8') / 3)) + FRAMING_TOKENS_PER_MESSAGE,
  };
}

/** The prompt of one call, as the providers send it: the system prompt (when there is one) and the user prompt. */
export function promptTokens(system: string | undefined, user: string): TokenRange {
  return addRanges(system ? messageTokens(system) : zeroRange(), messageTokens(user));
}

export function addRanges(a: TokenRange, b: TokenRange): TokenRange {
  return { low: a.low + b.low, expected: a.expected + b.expected, high: a.high + b.high };
}

export function scaleRange(range: TokenRange, factor: number): TokenRange {
  return { low: Math.round(range.low * factor), expected: Math.round(range.expected * factor), high: Math.round(range.high * factor) };
}

/**
 * The output bound assumed for a model without `max_tokens`: the Anthropic adapter sends 1,024 when the
 * parameters leave it out; OpenAI and compatible servers have no limit of their own, so this is an
 * assumption for them (the response says which applied).
 */
export const DEFAULT_MAX_OUTPUT_TOKENS = 1024;

export function maxOutputTokens(model: Pick<Model, 'parameters'>): { perCall: number; source: 'parameters' | 'default' } {
  const configured = model.parameters?.max_tokens;
  return configured === undefined ? { perCall: DEFAULT_MAX_OUTPUT_TOKENS, source: 'default' } : { perCall: configured, source: 'parameters' };
}

/** Money rounded to a millionth of a dollar, so sums of many small calls read cleanly. */
export const roundUsd = (usd: number): number => Math.round(usd * 1_000_000) / 1_000_000;
