import { accuracy } from '#shared/domain/metrics/lexical/accuracy.js';
import { chosenOption } from '#shared/domain/metrics/lexical/choice-answer.js';
import { contains, startsWith } from '#shared/domain/metrics/lexical/contains.js';
import { editSimilarity, levenshtein } from '#shared/domain/metrics/lexical/edit-similarity.js';
import { exactMatch } from '#shared/domain/metrics/lexical/exact-match.js';
import { normaliseAnswer } from '#shared/domain/metrics/lexical/normalise.js';
import { regexMatch } from '#shared/domain/metrics/lexical/regex.js';
import { tokenF1 } from '#shared/domain/metrics/lexical/token-f1.js';
import { jsonSchemaMatch, jsonValid } from '#shared/domain/metrics/structured/json.js';

describe('SQuAD normalisation, exact match and token F1', () => {
  it('lower-cases, strips punctuation and articles, collapses whitespace', () => {
    expect(normaliseAnswer('  The  Eiffel Tower!  ')).toBe('eiffel tower');
    expect(normaliseAnswer('An apple, a day')).toBe('apple day');
  });

  it('matches exactly after normalisation, and each step can be switched off', () => {
    expect(exactMatch('The Eiffel Tower.', 'eiffel tower')).toBe(1);
    expect(exactMatch('The Eiffel Tower.', 'eiffel tower', { ignoreCase: false })).toBe(0);
    expect(exactMatch('Eiffel Tower.', 'Eiffel Tower', { ignorePunctuation: false })).toBe(0);
    expect(exactMatch('the tower', 'tower', { ignoreArticles: false })).toBe(0);
  });

  it('computes token F1 as the SQuAD script (hand-computed)', () => {
    // Prepare: "the cat sat on the mat" → [cat, sat, on, mat]; "a cat on a mat" → [cat, on, mat].
    // Shared 3: P = 3/4, R = 3/3, F1 = 2·0.75·1 / 1.75 = 6/7.
    // Act / Assess
    expect(tokenF1('the cat sat on the mat', 'a cat on a mat')).toBeCloseTo(6 / 7, 12);
    expect(tokenF1('Denver Broncos', 'Denver Broncos')).toBe(1);
    expect(tokenF1('Carolina Panthers', 'Denver Broncos')).toBe(0);
  });

  it('counts repeated words as a multiset and treats two empty answers as a match (SQuAD v2)', () => {
    // "x x y" vs "x y y": the multiset intersection is {x, y}, so P = R = 2/3.
    expect(tokenF1('x x y', 'x y y')).toBeCloseTo(2 / 3, 12);
    expect(tokenF1('the', '')).toBe(1);
    expect(tokenF1('', 'answer')).toBe(0);
  });
});

describe('multiple-choice answers', () => {
  const choices = ['Berlin', 'Paris', 'Madrid', 'Rome'];

  it.each([
    'B',
    '(B)',
    'b)',
    'B.',
    '[B]',
    '**B**',
    'Answer: B',
    'answer: (b)',
    'The answer is B.',
    'the answer is b',
    'Final answer: B',
    'B) Paris',
    '(B) Paris',
    'Paris',
    'It is Paris, of course.',
    'I think B',
    'I would say (B), because of the river.',
    'Option A is wrong; the answer is B',
  ])('reads %j as option B', (answer) => {
    expect(chosenOption(answer, choices)).toBe(1);
  });

  it.each(['The answer is a city in Europe', 'Berlin or Paris', 'E', 'None of these', ''])('reads no single option in %j', (answer) => {
    expect(chosenOption(answer, choices)).toBeNull();
  });

  it('prefers the option whose text contains the other mentioned ones', () => {
    expect(chosenOption('New York City', ['New York', 'New York City', 'Boston'])).toBe(1);
  });

  it('scores accuracy against a letter or the option text', () => {
    expect(accuracy('The answer is B.', 'B', choices)).toBe(1);
    expect(accuracy('Paris', 'b', choices)).toBe(1);
    expect(accuracy('(B)', 'Paris', choices)).toBe(1);
    expect(accuracy('C', 'B', choices)).toBe(0);
  });
});

describe('exact answers', () => {
  it.each([
    ['42', '42'],
    ['42.0', '42'],
    ['$42', '42'],
    ['42 apples', '42'],
    ['The answer is 42.', '42'],
    ['2 + 40 = 42', '42'],
    ['1,000', '1000'],
    ['-3', '−3'],
    ['#### 17', '17'],
    ['It costs $12.50 in total', '$12.5'],
    ['0.3', '0.30'],
  ])('accepts %j for the number %j', (output, expected) => {
    expect(accuracy(output, expected)).toBe(1);
  });

  it.each([
    ['41', '42'],
    ['no idea', '42'],
    ['42 then 43', '42'],
  ])('rejects %j for %j', (output, expected) => {
    expect(accuracy(output, expected)).toBe(0);
  });

  it('compares text answers after normalisation, ignoring an answer prefix', () => {
    expect(accuracy('The answer is: Paris.', 'paris')).toBe(1);
    expect(accuracy('Lyon', 'Paris')).toBe(0);
  });
});

describe('substring, pattern, JSON and edit metrics', () => {
  it('checks containment and prefixes, with and without case', () => {
    expect(contains('The capital is Paris.', 'Paris')).toBe(1);
    expect(contains('The capital is Paris.', 'paris')).toBe(0);
    expect(contains('The capital is Paris.', 'paris', { caseSensitive: false })).toBe(1);
    expect(contains('caf\u0065\u0301', 'café')).toBe(1); // decomposed é equals the composed one
    expect(startsWith('  Yes, because…', 'Yes')).toBe(1);
    expect(startsWith('No, yes', 'Yes')).toBe(0);
  });

  it('matches regular expressions with flags', () => {
    expect(regexMatch('See [12] and [3].', String.raw`\[\d+\]`)).toBe(1);
    expect(regexMatch('ANSWER', '^answer$', 'i')).toBe(1);
    expect(regexMatch('answer', '^ANSWER$')).toBe(0);
  });

  it('validates JSON and JSON Schema', () => {
    const schema = { type: 'object', properties: { label: { enum: ['pos', 'neg'] } }, required: ['label'] };
    expect(jsonValid(' {"a": [1, 2]} ')).toBe(1);
    expect(jsonValid('```json\n{"a": 1}\n```')).toBe(0);
    expect(jsonSchemaMatch('{"label": "pos"}', schema)).toBe(1);
    expect(jsonSchemaMatch('{"label": "meh"}', schema)).toBe(0);
    expect(jsonSchemaMatch('label: pos', schema)).toBe(0);
  });

  it('computes Levenshtein distances (textbook cases) and similarity', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('flaw', 'lawn')).toBe(2);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('👍a', '👍b')).toBe(1); // code points, not UTF-16 units
    expect(editSimilarity('kitten', 'sitting')).toBeCloseTo(1 - 3 / 7, 12);
    expect(editSimilarity('', '')).toBe(1);
  });
});
