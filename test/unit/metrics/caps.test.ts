import { sentenceBleu } from '#shared/domain/metrics/lexical/bleu.js';
import { EDIT_SIMILARITY_MAX_CODE_POINTS, head, ROUGE_L_MAX_TOKENS, SIMILARITY_MAX_CHARS } from '#shared/domain/metrics/lexical/caps.js';
import { sentenceChrf } from '#shared/domain/metrics/lexical/chrf.js';
import { editSimilarity, levenshtein } from '#shared/domain/metrics/lexical/edit-similarity.js';
import { lcsLength, rougeL, rougeTokens } from '#shared/domain/metrics/lexical/rouge.js';

/** Words that differ from one text to the other, so the caps decide what is compared. */
const words = (count: number, seed: number) => Array.from({ length: count }, (_, i) => ((i * 7919 + seed * 104729) % 9973).toString(36)).join(' ');

describe('what the similarity metrics read', () => {
  it('edit similarity is exact up to its cap and compares the first code points beyond it', () => {
    const a = `${'é'.repeat(EDIT_SIMILARITY_MAX_CODE_POINTS - 1)}x`;
    const b = `${'é'.repeat(EDIT_SIMILARITY_MAX_CODE_POINTS - 1)}y`;
    // At the cap: the full distance.
    expect(editSimilarity(a, b)).toBeCloseTo(1 - levenshtein(a, b) / EDIT_SIMILARITY_MAX_CODE_POINTS, 12);
    // Beyond it: what follows the cap changes nothing.
    expect(editSimilarity(`${a}tail one`, `${b}a different tail`)).toBe(editSimilarity(a, b));
  });

  it('ROUGE-L aligns at most its cap of tokens of each text', () => {
    const prediction = words(ROUGE_L_MAX_TOKENS, 1);
    const reference = words(ROUGE_L_MAX_TOKENS, 2);
    const exact = rougeL(prediction, reference);
    const tokens = [rougeTokens(prediction), rougeTokens(reference)] as const;
    expect(exact.fmeasure).toBeCloseTo((2 * lcsLength(...tokens)) / (tokens[0].length + tokens[1].length), 12);
    expect(rougeL(`${prediction} more words here`, `${reference} other words`)).toEqual(exact);
  });

  it('BLEU and chrF read the first SIMILARITY_MAX_CHARS characters of each text', () => {
    const hypothesis = words(40_000, 3).slice(0, SIMILARITY_MAX_CHARS);
    const reference = words(40_000, 4).slice(0, SIMILARITY_MAX_CHARS);
    expect(sentenceBleu(`${hypothesis} extra`, `${reference} extra`).score).toBe(sentenceBleu(hypothesis, reference).score);
    expect(sentenceChrf(`${hypothesis} extra`, [`${reference} extra`]).score).toBe(sentenceChrf(hypothesis, reference).score);
  });

  it('never cuts a surrogate pair in half', () => {
    const text = `${'a'.repeat(SIMILARITY_MAX_CHARS - 1)}😀`;
    expect(head(text)).toBe('a'.repeat(SIMILARITY_MAX_CHARS - 1));
    expect(head('short')).toBe('short');
  });
});
