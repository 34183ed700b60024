import { readFileSync } from 'node:fs';
import { corpusBleu, sentenceBleu } from '#shared/domain/metrics/lexical/bleu.js';
import { corpusChrf, sentenceChrf } from '#shared/domain/metrics/lexical/chrf.js';

// Values computed by the reference implementations themselves; generate.py beside the fixture says how.
const reference = JSON.parse(readFileSync(new URL('../../fixtures/metric-parity/reference-values.json', import.meta.url), 'utf8')) as {
  sentence_bleu: (BleuRow & { hypothesis: string; references: string[]; lowercase: boolean })[];
  corpus_bleu: (BleuRow & { hypotheses: string[]; references: string[][] })[];
  sentence_chrf: { name: string; hypothesis: string; references: string[]; score: number }[];
  corpus_chrf: { name: string; hypotheses: string[]; references: string[][]; score: number }[];
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
