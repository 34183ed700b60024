import { boundAnswer, cutToBytes } from '#shared/domain/evaluator/bounded-answer.js';

const usage = { input_tokens: 10, output_tokens: 3 };
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('boundAnswer', () => {
  it('keeps an answer within the limit as it is, without a flag or a note', () => {
    expect(boundAnswer({ text: 'The answer is 4.', usage }, 64)).toEqual({ output: 'The answer is 4.', usage });
  });

  it('stores the first bytes of a longer answer, flagged truncated, with a note of its size', () => {
    const result = boundAnswer({ text: `4 ${'x'.repeat(1_000_000)}`, usage }, 64 * 1024);

    expect(result.truncated).toBe(true);
    expect(bytes(result.output)).toBe(64 * 1024);
    expect(result.output.startsWith('4 xxx')).toBe(true);
    expect(result.notes).toEqual(['the answer was 1000002 bytes; the first 65536 are stored and scored']);
  });

  it.each([
    ['a two-byte character', 'é', 2],
    ['a three-byte character', '€', 3],
    ['a four-byte character (a surrogate pair)', '𝄞', 4],
  ])('never splits %s at the limit', (_, character, width) => {
    for (let limit = 10; limit < 10 + width; limit++) {
      const result = boundAnswer({ text: `${'a'.repeat(9)}${character.repeat(20)}`, usage }, limit);

      expect(bytes(result.output)).toBeLessThanOrEqual(limit);
      expect(bytes(result.output)).toBeGreaterThan(limit - width);
      expect(result.output.isWellFormed()).toBe(true);
      expect(Buffer.from(result.output, 'utf8').toString('utf8')).toBe(result.output);
    }
  });

  it('makes text well-formed: a lone surrogate (JSON can carry one as \\ud800) becomes U+FFFD', () => {
    const answer = JSON.parse('"A\\ud800B\\udc00C"') as string;
    expect(answer.isWellFormed()).toBe(false);

    const result = boundAnswer({ text: answer, usage }, 64);

    expect(result.output).toBe('A\uFFFDB\uFFFDC');
    expect(result.truncated).toBeUndefined();
  });

  it.each([
    [
      { input_tokens: -5, output_tokens: 3 },
      { input_tokens: 0, output_tokens: 3 },
    ],
    [
      { input_tokens: 10, output_tokens: 2.5 },
      { input_tokens: 10, output_tokens: 0 },
    ],
    [
      { input_tokens: Number.NaN, output_tokens: Number.POSITIVE_INFINITY },
      { input_tokens: 0, output_tokens: 0 },
    ],
    [
      { input_tokens: 2 ** 60, output_tokens: 1 },
      { input_tokens: 0, output_tokens: 1 },
    ],
  ])('counts usage %j that is not a safe non-negative integer as 0, with a note', (reported, counted) => {
    const result = boundAnswer({ text: 'ok', usage: reported }, 64);

    expect(result.usage).toEqual(counted);
    expect(result.notes?.length).toBeGreaterThan(0);
    expect(result.notes?.[0]).toContain('counted as 0');
  });

  it('uses ARBITER_MAX_ANSWER_BYTES (64 KiB by default) when no limit is given', () => {
    const result = boundAnswer({ text: 'y'.repeat(70_000), usage });

    expect(bytes(result.output)).toBe(65_536);
    expect(result.truncated).toBe(true);
  });
});

describe('cutToBytes', () => {
  it('keeps the longest prefix that fits, on a character boundary, at any limit', () => {
    const text = ' filler é € 𝄞'.repeat(50);
    for (let limit = 0; limit <= bytes(text) + 1; limit++) {
      const cut = cutToBytes(text, limit);
      const next = text.codePointAt(cut.length);

      expect(text.startsWith(cut)).toBe(true);
      expect(bytes(cut)).toBeLessThanOrEqual(limit);
      if (next !== undefined) expect(bytes(cut) + bytes(String.fromCodePoint(next))).toBeGreaterThan(limit);
    }
  });
});
