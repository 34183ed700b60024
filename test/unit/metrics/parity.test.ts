import { readFileSync } from 'node:fs';
import { corpusBleu, sentenceBleu } from '#shared/domain/metrics/lexical/bleu.js';
import { corpusChrf, sentenceChrf } from '#shared/domain/metrics/lexical/chrf.js';
import { corpusGleu, sentenceGleu } from '#shared/domain/metrics/lexical/gleu.js';
import { meteorScore } from '#shared/domain/metrics/lexical/meteor.js';
import { nltkPorterStem } from '#shared/domain/metrics/lexical/nltk-porter-stemmer.js';

// Values computed by the reference implementations themselves; generate.py beside the fixture says how.
const reference = JSON.parse(readFileSync(new URL('../../fixtures/metric-parity/reference-values.json', import.meta.url), 'utf8')) as {
  sentence_bleu: (BleuRow & { hypothesis: string; references: string[]; lowercase: boolean })[];
  corpus_bleu: (BleuRow & { hypotheses: string[]; references: string[][] })[];
  sentence_chrf: { name: string; hypothesis: string; references: string[]; score: number }[];
  corpus_chrf: { name: string; hypotheses: string[]; references: string[][]; score: number }[];
  sentence_gleu: { name: string; hypothesis: string; references: string[]; score: number }[];
  corpus_gleu: { name: string; hypotheses: string[]; references: string[][]; score: number }[];
  meteor: { name: string; hypothesis: string; references: string[]; score: number }[];
  nltk_porter_stems: Record<string, string>;
};

interface BleuRow {
  name: string;
  score: number;
  counts: number[];
  totals: number[];
  precisions: number[];
  bp: number;
  sys_len: number;
  ref_len: number;
}

// sacreBLEU and Arbiter run the same float operations in the same order; 1e-9 leaves room for log/exp ulps only.
const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(1e-9);

function expectBleu(actual: ReturnType<typeof sentenceBleu>, expected: BleuRow) {
  close(actual.score, expected.score);
  expect(actual.counts).toEqual(expected.counts);
  expect(actual.totals).toEqual(expected.totals);
  actual.precisions.forEach((precision, n) => {
    close(precision, expected.precisions[n]!);
  });
  close(actual.brevity_penalty, expected.bp);
  expect([actual.hyp_len, actual.ref_len]).toEqual([expected.sys_len, expected.ref_len]);
}

describe('BLEU equals sacreBLEU 2.6.0', () => {
  it.each(reference.sentence_bleu.map((row) => [row.name, row] as const))('sentence_bleu: %s', (_, row) => {
    // Act
    const result = sentenceBleu(row.hypothesis, row.references, { lowercase: row.lowercase });

    // Assess
    expectBleu(result, row);
  });

  it.each(reference.corpus_bleu.map((row) => [row.name, row] as const))('corpus_bleu: %s', (_, row) => {
    expectBleu(corpusBleu(row.hypotheses, row.references), row);
  });

  it('scores 0 when the hypothesis shares no unigram with the reference, whatever the smoothing would give', () => {
    expect(sentenceBleu('xyz abc', 'the cat sat').score).toBe(0);
  });
});

describe('chrF equals sacreBLEU 2.6.0', () => {
  it.each(reference.sentence_chrf.map((row) => [row.name, row] as const))('sentence_chrf: %s', (_, row) => {
    close(sentenceChrf(row.hypothesis, row.references).score, row.score);
  });

  it.each(reference.corpus_chrf.map((row) => [row.name, row] as const))('corpus_chrf: %s', (_, row) => {
    close(corpusChrf(row.hypotheses, row.references).score, row.score);
  });
});

describe('GLEU equals NLTK 3.8 sentence_gleu / corpus_gleu', () => {
  it.each(reference.sentence_gleu.map((row) => [row.name, row] as const))('sentence_gleu: %s', (_, row) => {
    close(sentenceGleu(row.hypothesis, row.references), row.score);
  });

  it.each(reference.corpus_gleu.map((row) => [row.name, row] as const))('corpus_gleu: %s', (_, row) => {
    close(corpusGleu(row.hypotheses, row.references), row.score);
  });
});

describe('METEOR equals NLTK 3.8 meteor_score without WordNet synonyms', () => {
  it.each(reference.meteor.map((row) => [row.name, row] as const))('meteor_score: %s', (_, row) => {
    close(meteorScore(row.hypothesis, row.references), row.score);
  });

  it('stems every listed word as NLTK PorterStemmer() does', () => {
    // Act
    const stems = Object.fromEntries(Object.keys(reference.nltk_porter_stems).map((word) => [word, nltkPorterStem(word)]));

    // Assess
    expect(stems).toEqual(reference.nltk_porter_stems);
  });

  it('stays linear on long answers: 15,000 words against 15,000 in well under a second', () => {
    // Prepare: NLTK's alignment scans the reference for every hypothesis word; ours must not.
    const words = Array.from({ length: 15_000 }, (_, i) => `w${i % 997}`);
    const started = performance.now();

    // Act
    const score = meteorScore(words.join(' '), [...words].reverse().join(' '));

    // Assess
    expect(score).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
