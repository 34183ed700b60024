import fc from 'fast-check';
import { builtinMetrics } from '#shared/domain/metrics/builtin-metrics.js';
import type { ScoreInput } from '#shared/domain/metrics/types.js';
import { sentenceBleu } from '#shared/domain/metrics/lexical/bleu.js';
import { sentenceChrf } from '#shared/domain/metrics/lexical/chrf.js';
import { editSimilarity } from '#shared/domain/metrics/lexical/edit-similarity.js';
import { exactMatch } from '#shared/domain/metrics/lexical/exact-match.js';
import { sentenceGleu } from '#shared/domain/metrics/lexical/gleu.js';
import { meteorScore } from '#shared/domain/metrics/lexical/meteor.js';
import { rougeL, rougeN } from '#shared/domain/metrics/lexical/rouge.js';
import { tokenF1 } from '#shared/domain/metrics/lexical/token-f1.js';

const lexical = [
  'exact_match',
  'accuracy',
  'contains',
  'icontains',
  'starts_with',
  'token_f1',
  'bleu',
  'chrf',
  'rouge_1',
  'rouge_2',
  'rouge_l',
  'edit_similarity',
  'json_valid',
] as const;

// Words of letters and digits (no hyphens, whose "-\n" 13a joins), and runs of whitespace to put between them.
const word = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
const words = fc.array(word, { minLength: 1, maxLength: 12 });
const whitespace = fc.stringMatching(/^[ \t\n]{1,3}$/);
const text = fc.string({ maxLength: 60 });

function spaced(tokens: string[], gaps: string[]): string {
  return tokens.map((token, i) => (i === 0 ? token : `${gaps[i % gaps.length] ?? ' '}${token}`)).join('');
}

describe('metric properties', () => {
  it('keeps every lexical score inside its declared range, or null', () => {
    fc.assert(
      fc.property(text, fc.option(text, { nil: undefined }), (output, expected) => {
        const sample: ScoreInput = { input: 'q', output, ...(expected === undefined ? {} : { expected }) };
        for (const name of lexical) {
          const definition = builtinMetrics[name];
          if (definition.kind !== 'computed') continue;
          const score = definition.score(sample);
          if (score === null) continue;
          expect(Number.isFinite(score)).toBe(true);
          expect(score).toBeGreaterThanOrEqual(0);
          expect(score).toBeLessThanOrEqual(1);
          if (definition.binary) expect([0, 1]).toContain(score);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('scores an answer identical to the expected one 1 on every reference metric', () => {
    fc.assert(
      fc.property(words, (tokens) => {
        const answer = tokens.join(' ');
        const sample: ScoreInput = { input: 'q', output: answer, expected: answer };
        for (const name of [
          'exact_match',
          'accuracy',
          'contains',
          'icontains',
          'starts_with',
          'token_f1',
          'bleu',
          'chrf',
          'rouge_1',
          'rouge_l',
          'edit_similarity',
        ] as const) {
          const definition = builtinMetrics[name];
          if (definition.kind === 'computed') expect([name, definition.score(sample)]).toEqual([name, expect.closeTo(1, 12)]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is symmetric where the definition is (edit similarity, token F1, ROUGE F-measures)', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(editSimilarity(a, b)).toBeCloseTo(editSimilarity(b, a), 12);
        expect(tokenF1(a, b)).toBeCloseTo(tokenF1(b, a), 12);
        expect(rougeN(a, b, 1).fmeasure).toBeCloseTo(rougeN(b, a, 1).fmeasure, 12);
        expect(rougeL(a, b).fmeasure).toBeCloseTo(rougeL(b, a).fmeasure, 12);
      }),
      { numRuns: 300 },
    );
  });

  it('ignores how words are spaced where it promises to (exact match, token F1, BLEU, chrF, ROUGE)', () => {
    fc.assert(
      fc.property(words, words, fc.array(whitespace, { minLength: 1, maxLength: 4 }), (outputTokens, expectedTokens, gaps) => {
        const plain = outputTokens.join(' ');
        const respaced = `${gaps[0]}${spaced(outputTokens, gaps)}${gaps[gaps.length - 1]}`;
        const expected = expectedTokens.join(' ');
        expect(exactMatch(respaced, expected)).toBe(exactMatch(plain, expected));
        expect(tokenF1(respaced, expected)).toBeCloseTo(tokenF1(plain, expected), 12);
        expect(sentenceBleu(respaced, expected).score).toBeCloseTo(sentenceBleu(plain, expected).score, 9);
        expect(sentenceChrf(respaced, expected).score).toBeCloseTo(sentenceChrf(plain, expected).score, 9);
        expect(rougeL(respaced, expected).fmeasure).toBeCloseTo(rougeL(plain, expected).fmeasure, 12);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 5 }),
        (output, expected, choices) => {
          for (const name of lexical) {
            const definition = builtinMetrics[name];
            if (definition.kind === 'computed') definition.score({ input: 'q', output, expected, choices });
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('GLEU and METEOR properties', () => {
  const anyText = fc.string({ maxLength: 60 });

  it('stay within 0–1, and GLEU is symmetric, as min(precision, recall) is', () => {
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        for (const score of [sentenceGleu(a, b), meteorScore(a, b)]) {
          expect(Number.isFinite(score)).toBe(true);
          expect(score).toBeGreaterThanOrEqual(0);
          expect(score).toBeLessThanOrEqual(1);
        }
        expect(sentenceGleu(a, b)).toBeCloseTo(sentenceGleu(b, a), 12);
      }),
      { numRuns: 300 },
    );
  });

  it('give identical texts GLEU 1 and METEOR 1 − 0.5 / n³ (n words, one chunk), and ignore how the words are spaced', () => {
    fc.assert(
      fc.property(words, fc.array(whitespace, { minLength: 1, maxLength: 4 }), (tokens, gaps) => {
        const answer = tokens.join(' ');
        expect(sentenceGleu(spaced(tokens, gaps), answer)).toBe(1);
        expect(meteorScore(spaced(tokens, gaps), answer)).toBeCloseTo(1 - 0.5 / tokens.length ** 3, 12);
      }),
      { numRuns: 200 },
    );
  });
});
