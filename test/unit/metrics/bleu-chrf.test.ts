import { corpusBleu, sentenceBleu } from '#shared/domain/metrics/lexical/bleu.js';
import { corpusChrf, sentenceChrf } from '#shared/domain/metrics/lexical/chrf.js';
import { tokenize13a } from '#shared/domain/metrics/lexical/tokenize-13a.js';

// The sacreBLEU README example: three segments, two reference streams, transposed to one list per item.
const readmeSystem = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
const readmeReferenceStreams = [
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
];
const readmeReferences = readmeSystem.map((_, item) => readmeReferenceStreams.map((stream) => stream[item]!));

describe('the 13a tokeniser', () => {
  it.each([
    ['The dog bit the man.', ['The', 'dog', 'bit', 'the', 'man', '.']],
    // The apostrophe is outside 13a's symbol ranges, so contractions stay whole (hyp_len 17 in the README example).
    ["It wasn't surprising.", ['It', "wasn't", 'surprising', '.']],
    ['Pi is 3.14, roughly 1,000 ways', ['Pi', 'is', '3.14', ',', 'roughly', '1,000', 'ways']],
    ['pages 10-20 &amp; more', ['pages', '10', '-', '20', '&', 'more']],
    ['  spaced\tout\nlines  ', ['spaced', 'out', 'lines']],
  ])('splits %j as mteval-v13a does', (text, expected) => {
    // Act
    const tokens = tokenize13a(text);

    // Assess
    expect(tokens).toEqual(expected);
  });
});

describe('BLEU', () => {
  it('reproduces the sacreBLEU README corpus score: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)', () => {
    // Act
    const result = corpusBleu(readmeSystem, readmeReferences);

    // Assess
    expect(result.score).toBeCloseTo(48.53, 2);
    expect(result.precisions.map((p) => Number(p.toFixed(1)))).toEqual([82.4, 50, 45.5, 37.5]);
    expect(result.brevity_penalty).toBeCloseTo(0.943, 3);
    expect([result.hyp_len, result.ref_len]).toEqual([17, 18]);
  });

  it('scores an identical sentence 100', () => {
    expect(sentenceBleu('The cat sat on the mat.', 'The cat sat on the mat.').score).toBeCloseTo(100, 10);
  });

  it('uses the effective order and the brevity penalty for a short hypothesis (hand-computed)', () => {
    // Prepare: "the cat" against "the cat sat on the mat": 2/2 unigrams, 1/1 bigram, no 3- or 4-grams,
    // so the effective order is 2 and both precisions are 100%; BP = exp(1 − 6/2) = e^−2.
    // Act
    const result = sentenceBleu('the cat', 'the cat sat on the mat');

    // Assess
    expect(result.score).toBeCloseTo(100 * Math.exp(-2), 10);
  });

  it('applies exp smoothing to orders with no match (hand-computed)', () => {
    // Prepare: "a b c d" vs "a b d c": unigrams 4/4, bigrams 1/3, trigrams 0/2, 4-grams 0/1. exp smoothing
    // gives the trigram 100 / (2 · 2) and the 4-gram 100 / (4 · 1): BLEU = (100 · 33.3 · 25 · 25)^(1/4).
    const expected = Math.exp((Math.log(100) + Math.log(100 / 3) + Math.log(25) + Math.log(25)) / 4);

    // Act
    const result = sentenceBleu('a b c d', 'a b d c');

    // Assess
    expect(result.counts).toEqual([4, 1, 0, 0]);
    expect(result.score).toBeCloseTo(expected, 10);
  });

  it('scores an empty hypothesis and an empty reference 0, as sacreBLEU, and refuses no reference at all', () => {
    expect(sentenceBleu('', 'the cat').score).toBe(0);
    expect(sentenceBleu('the cat', '').score).toBe(0);
    expect(() => sentenceBleu('the cat', [])).toThrow(RangeError);
  });
});

describe('chrF', () => {
  it('reproduces the sacreBLEU README corpus score with two references: chrF2 = 59.73', () => {
    expect(corpusChrf(readmeSystem, readmeReferences).score).toBeCloseTo(59.73, 2);
  });

  it('reproduces the Hugging Face chrF metric card examples (sacreBLEU underneath)', () => {
    // Source: huggingface/datasets metrics/chrf/README.md.
    expect(
      sentenceChrf(
        'The relationship between Obama and Netanyahu is not exactly friendly.',
        'The ties between Obama and Netanyahu are not particularly friendly.',
      ).score,
    ).toBeCloseTo(61.576379378113785, 10);
    expect(
      corpusChrf(
        ['The relationship between cats and dogs is not exactly friendly.', 'a good bookshop is just a genteel black hole that knows how to read.'],
        ['The relationship between dogs and cats is not exactly friendly.', 'A good bookshop is just a genteel Black Hole that knows how to read.'],
      ).score,
    ).toBeCloseTo(84.64214891738334, 10);
  });

  it('ignores whitespace and is 100 for identical text, 0 for disjoint text', () => {
    expect(sentenceChrf('abc def', 'abcdef').score).toBeCloseTo(100, 10);
    expect(sentenceChrf('xyz', 'abc').score).toBe(0);
  });

  it('weights recall twice as much as precision (hand-computed)', () => {
    // Prepare: hypothesis "ab" vs reference "abcd". Order 1: P = 2/2, R = 2/4; order 2: P = 1/1, R = 1/3;
    // orders 3+ are skipped (the hypothesis has none). P = 1, R = 5/12; F2 = 5PR / (4P + R).
    const precision = 1;
    const recall = (0.5 + 1 / 3) / 2;

    // Act
    const score = sentenceChrf('ab', 'abcd').score;

    // Assess
    expect(score).toBeCloseTo((100 * 5 * precision * recall) / (4 * precision + recall), 10);
  });
});
