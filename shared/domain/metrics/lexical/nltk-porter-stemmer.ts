/**
 * The Porter stemmer in NLTK's default mode (`PorterStemmer()`, NLTK_EXTENSIONS, NLTK 3.8), which NLTK's
 * METEOR uses. It departs from Martin Porter's reference version (porter-stemmer.ts, kept for ROUGE) in
 * ways that change matches: a table of irregular words, words of one or two characters left alone,
 * -ies/-ied on four-letter words, y → i only after a consonant, -alli handled first, -fulli and -logi
 * rules, and a two-letter vowel–consonant word counting as "cvc". Words are handled as code points, as
 * Python indexes them, so any text (not only ASCII) stems exactly as NLTK stems it.
 */

const irregular = new Map<string, string>([
  ['sky', 'sky'],
  ['skies', 'sky'],
  ['dying', 'die'],
  ['lying', 'lie'],
  ['tying', 'tie'],
  ['news', 'news'],
  ['innings', 'inning'],
  ['inning', 'inning'],
  ['outings', 'outing'],
  ['outing', 'outing'],
  ['cannings', 'canning'],
  ['canning', 'canning'],
  ['howe', 'howe'],
  ['proceed', 'proceed'],
  ['exceed', 'exceed'],
  ['succeed', 'succeed'],
]);

type Word = readonly string[];

const isVowelLetter = (c: string | undefined) => c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u';

function consonant(word: Word, i: number): boolean {
  const c = word[i];
  if (isVowelLetter(c)) return false;
  // y is a vowel after a consonant, a consonant at the start or after a vowel.
  if (c === 'y') return i === 0 || !consonant(word, i - 1);
  return true;
}

/** m in [C](VC)^m[V]: the number of vowel-to-consonant transitions. */
function measure(word: Word): number {
  let m = 0;
  for (let i = 1; i < word.length; i++) if (!consonant(word, i - 1) && consonant(word, i)) m++;
  return m;
}

const positiveMeasure = (word: Word) => measure(word) > 0;
const measureAboveOne = (word: Word) => measure(word) > 1;

function containsVowel(word: Word): boolean {
  for (let i = 0; i < word.length; i++) if (!consonant(word, i)) return true;
  return false;
}

const endsDoubleConsonant = (word: Word) => word.length >= 2 && word.at(-1) === word.at(-2) && consonant(word, word.length - 1);

function endsCvc(word: Word): boolean {
  const n = word.length;
  if (n >= 3 && consonant(word, n - 3) && !consonant(word, n - 2) && consonant(word, n - 1) && !['w', 'x', 'y'].includes(word[n - 1]!)) {
    return true;
  }
  return n === 2 && !consonant(word, 0) && consonant(word, 1);
}

const chars = (text: string): string[] => Array.from(text);

function endsWith(word: Word, suffix: Word): boolean {
  if (suffix.length > word.length) return false;
  for (let i = 1; i <= suffix.length; i++) if (word[word.length - i] !== suffix[suffix.length - i]) return false;
  return true;
}

interface Rule {
  suffix: Word;
  replacement: Word;
  condition?: (stem: Word) => boolean;
}

const rule = (suffix: string, replacement: string, condition?: (stem: Word) => boolean): Rule => ({
  suffix: chars(suffix),
  replacement: chars(replacement),
  ...(condition ? { condition } : {}),
});

/** The first rule whose suffix the word ends with decides: its condition failing leaves the word as it is. */
function applyRules(word: Word, rules: readonly Rule[]): Word {
  for (const { suffix, replacement, condition } of rules) {
    if (!endsWith(word, suffix)) continue;
    const stem = word.slice(0, word.length - suffix.length);
    return !condition || condition(stem) ? [...stem, ...replacement] : word;
  }
  return word;
}

const replaceSuffix = (word: Word, suffixLength: number, replacement: string): Word => [
  ...word.slice(0, word.length - suffixLength),
  ...chars(replacement),
];

const step1aRules = [rule('sses', 'ss'), rule('ies', 'i'), rule('ss', 'ss'), rule('s', '')];

function step1a(word: Word): Word {
  if (word.length === 4 && endsWith(word, chars('ies'))) return replaceSuffix(word, 3, 'ie');
  return applyRules(word, step1aRules);
}

function step1b(word: Word): Word {
  if (endsWith(word, chars('ied'))) return replaceSuffix(word, 3, word.length === 4 ? 'ie' : 'i');
  if (endsWith(word, chars('eed'))) {
    const stem = word.slice(0, -3);
    return measure(stem) > 0 ? [...stem, 'e', 'e'] : word;
  }
  let stem: Word | undefined;
  for (const suffix of ['ed', 'ing']) {
    if (endsWith(word, chars(suffix))) {
      const candidate = word.slice(0, word.length - suffix.length);
      if (containsVowel(candidate)) {
        stem = candidate;
        break;
      }
    }
  }
  if (!stem) return word;
  if (endsWith(stem, chars('at')) || endsWith(stem, chars('bl')) || endsWith(stem, chars('iz'))) return [...stem, 'e'];
  if (endsDoubleConsonant(stem)) return ['l', 's', 'z'].includes(stem.at(-1)!) ? stem : stem.slice(0, -1);
  return measure(stem) === 1 && endsCvc(stem) ? [...stem, 'e'] : stem;
}

const step1cRules = [rule('y', 'i', (stem) => stem.length > 1 && consonant(stem, stem.length - 1))];

const step2Rules = [
  rule('ational', 'ate', positiveMeasure),
  rule('tional', 'tion', positiveMeasure),
  rule('enci', 'ence', positiveMeasure),
  rule('anci', 'ance', positiveMeasure),
  rule('izer', 'ize', positiveMeasure),
  rule('bli', 'ble', positiveMeasure),
  rule('alli', 'al', positiveMeasure),
  rule('entli', 'ent', positiveMeasure),
  rule('eli', 'e', positiveMeasure),
  rule('ousli', 'ous', positiveMeasure),
  rule('ization', 'ize', positiveMeasure),
  rule('ation', 'ate', positiveMeasure),
  rule('ator', 'ate', positiveMeasure),
  rule('alism', 'al', positiveMeasure),
  rule('iveness', 'ive', positiveMeasure),
  rule('fulness', 'ful', positiveMeasure),
  rule('ousness', 'ous', positiveMeasure),
  rule('aliti', 'al', positiveMeasure),
  rule('iviti', 'ive', positiveMeasure),
  rule('biliti', 'ble', positiveMeasure),
  rule('fulli', 'ful', positiveMeasure),
  // The l stays with the stem for the measure, so that short stems such as geo- and theo- qualify.
  rule('logi', 'log', (stem) => positiveMeasure([...stem, 'l'])),
];

function step2(word: Word): Word {
  if (endsWith(word, chars('alli')) && positiveMeasure(word.slice(0, -4))) return step2(replaceSuffix(word, 4, 'al'));
  return applyRules(word, step2Rules);
}

const step3Rules = [
  rule('icate', 'ic', positiveMeasure),
  rule('ative', '', positiveMeasure),
  rule('alize', 'al', positiveMeasure),
  rule('iciti', 'ic', positiveMeasure),
  rule('ical', 'ic', positiveMeasure),
  rule('ful', '', positiveMeasure),
  rule('ness', '', positiveMeasure),
];

const step4Rules = [
  ...['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent'].map((suffix) => rule(suffix, '', measureAboveOne)),
  rule('ion', '', (stem) => measureAboveOne(stem) && (stem.at(-1) === 's' || stem.at(-1) === 't')),
  ...['ou', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize'].map((suffix) => rule(suffix, '', measureAboveOne)),
];

function step5a(word: Word): Word {
  if (word.at(-1) !== 'e') return word;
  const stem = word.slice(0, -1);
  const m = measure(stem);
  return m > 1 || (m === 1 && !endsCvc(stem)) ? stem : word;
}

function step5b(word: Word): Word {
  return endsWith(word, chars('ll')) && measure(word.slice(0, -1)) > 1 ? word.slice(0, -1) : word;
}

/** NLTK's `PorterStemmer().stem(word)`; the word is expected lower-cased already (METEOR lower-cases first). */
export function nltkPorterStem(word: string): string {
  const known = irregular.get(word);
  if (known !== undefined) return known;
  let stem: Word = chars(word);
  if (stem.length <= 2) return word;
  stem = step1a(stem);
  stem = step1b(stem);
  stem = applyRules(stem, step1cRules);
  stem = step2(stem);
  stem = applyRules(stem, step3Rules);
  stem = applyRules(stem, step4Rules);
  stem = step5a(stem);
  stem = step5b(stem);
  return stem.join('');
}
