import { porterStem } from '#shared/domain/metrics/lexical/porter-stemmer.js';
import { lcsLength, rougeL, rougeN, rougeTokens } from '#shared/domain/metrics/lexical/rouge.js';

describe('the Porter stemmer', () => {
  // Examples from Porter (1980), "An algorithm for suffix stripping", with the final stems of his
  // reference implementation's test vocabulary.
  it.each([
    ['caresses', 'caress'],
    ['ponies', 'poni'],
    ['ties', 'ti'],
    ['caress', 'caress'],
    ['cats', 'cat'],
    ['feed', 'feed'],
    ['agreed', 'agre'],
    ['plastered', 'plaster'],
    ['bled', 'bled'],
    ['motoring', 'motor'],
    ['sing', 'sing'],
    ['conflated', 'conflat'],
    ['troubled', 'troubl'],
    ['sized', 'size'],
    ['hopping', 'hop'],
    ['tanned', 'tan'],
    ['falling', 'fall'],
    ['hissing', 'hiss'],
    ['fizzed', 'fizz'],
    ['failing', 'fail'],
    ['filing', 'file'],
    ['happy', 'happi'],
    ['sky', 'sky'],
    ['relational', 'relat'],
    ['conditional', 'condit'],
    ['rational', 'ration'],
    ['generalizations', 'gener'],
    ['oscillators', 'oscil'],
    ['connections', 'connect'],
    ['connecting', 'connect'],
    ['electrical', 'electr'],
    ['hopeful', 'hope'],
    ['goodness', 'good'],
    ['revival', 'reviv'],
    ['allowance', 'allow'],
    ['inference', 'infer'],
    ['airliner', 'airlin'],
    ['adjustable', 'adjust'],
    ['defensible', 'defens'],
    ['irritant', 'irrit'],
    ['replacement', 'replac'],
    ['adjustment', 'adjust'],
    ['dependent', 'depend'],
    ['adoption', 'adopt'],
    ['communism', 'commun'],
    ['activate', 'activ'],
    ['homologous', 'homolog'],
    ['effective', 'effect'],
    ['bowdlerize', 'bowdler'],
    ['probate', 'probat'],
    ['rate', 'rate'],
    ['cease', 'ceas'],
    ['controlling', 'control'],
    ['rolling', 'roll'],
    ['is', 'is'],
  ])('stems %s to %s', (word, stem) => {
    expect(porterStem(word)).toBe(stem);
  });
});

describe('ROUGE', () => {
  it('tokenises as rouge-score: lower-case, non-alphanumerics become spaces, stems only words over three letters', () => {
    expect(rougeTokens("The dog's JUMPS—café!", { stem: true })).toEqual(['the', 'dog', 's', 'jump', 'caf']);
    expect(rougeTokens('running dogs')).toEqual(['running', 'dogs']);
  });

  it('scores the rouge-score README example (hand-computed)', () => {
    // Prepare: target "The quick brown fox jumps over the lazy dog" (9 tokens), prediction "The quick brown
    // dog jumps on the log." (8 tokens), stemmed. Unigram overlap: the×2, quick, brown, dog, jump = 6, so
    // P = 6/8, R = 6/9, F = 12/17. LCS "the quick brown jump the" = 5, so P = 5/8, R = 5/9, F = 10/17.
    const prediction = 'The quick brown dog jumps on the log.';
    const target = 'The quick brown fox jumps over the lazy dog';

    // Act
    const rouge1 = rougeN(prediction, target, 1, { stem: true });
    const rougeLScore = rougeL(prediction, target, { stem: true });

    // Assess
    expect(rouge1.precision).toBeCloseTo(0.75, 12);
    expect(rouge1.recall).toBeCloseTo(6 / 9, 12);
    expect(rouge1.fmeasure).toBeCloseTo(12 / 17, 12);
    expect(rougeLScore.fmeasure).toBeCloseTo(10 / 17, 12);
  });

  it('counts bigram overlap for ROUGE-2 (hand-computed)', () => {
    // Prepare: bigrams of the prediction: the-quick, quick-brown, brown-dog, dog-jumps, jumps-on, on-the,
    // the-log (7); of the target: 8; shared: the-quick, quick-brown = 2. F = 2·(2/7)(2/8)/((2/7)+(2/8)).
    const p = 2 / 7;
    const r = 2 / 8;

    // Act
    const score = rougeN('The quick brown dog jumps on the log.', 'The quick brown fox jumps over the lazy dog', 2);

    // Assess
    expect(score.fmeasure).toBeCloseTo((2 * p * r) / (p + r), 12);
  });

  it('gives 0 when either side has no tokens, as rouge-score does', () => {
    expect(rougeN('', 'the cat', 1).fmeasure).toBe(0);
    expect(rougeL('...', '...').fmeasure).toBe(0);
  });

  it('finds the longest common subsequence', () => {
    expect(lcsLength(['a', 'b', 'c', 'd', 'e'], ['a', 'c', 'e', 'x'])).toBe(3);
    expect(lcsLength([], ['a'])).toBe(0);
  });
});
