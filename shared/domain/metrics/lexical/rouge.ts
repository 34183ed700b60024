import { head, ROUGE_L_MAX_TOKENS } from './caps.js';
import { porterStem } from './porter-stemmer.js';
import { countItems, overlap } from './token-f1.js';

/**
 * ROUGE-N and ROUGE-L F-measures as Google's `rouge-score` package computes them (Lin 2004): lower-case,
 * every run of characters other than a–z and 0–9 becomes a space (so non-ASCII letters are dropped, as
 * there), optional Porter stemming of words longer than three letters. Each text is read up to
 * SIMILARITY_MAX_CHARS characters, and ROUGE-L aligns at most ROUGE_L_MAX_TOKENS tokens of each (caps.ts).
 */

export interface RougeOptions {
  /** Porter-stem words longer than three letters (rouge-score's `use_stemmer`, off by default there too). */
  stem?: boolean;
}

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

const stemCache = new Map<string, string>();
const maxStemCache = 50_000;

function cachedStem(word: string): string {
  let stem = stemCache.get(word);
  if (stem === undefined) {
    stem = porterStem(word);
    // Vocabulary is Zipfian, so a bounded cache catches almost every repeat without growing forever.
    if (stemCache.size < maxStemCache) stemCache.set(word, stem);
  }
  return stem;
}

export function rougeTokens(text: string, options: RougeOptions = {}): string[] {
  const words = head(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter(Boolean);
  return options.stem ? words.map((word) => (word.length > 3 ? cachedStem(word) : word)) : words;
}

function fScore(matches: number, predictedCount: number, referenceCount: number): RougeScore {
  const precision = matches / Math.max(predictedCount, 1);
  const recall = matches / Math.max(referenceCount, 1);
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure };
}

function ngrams(tokens: readonly string[], n: number): string[] {
  const grams: string[] = [];
  for (let i = 0; i + n <= tokens.length; i++) grams.push(tokens.slice(i, i + n).join(' '));
  return grams;
}

/** ROUGE-N: clipped n-gram overlap. With no tokens on either side every part is 0, as in rouge-score. */
export function rougeN(prediction: string, reference: string, n: number, options: RougeOptions = {}): RougeScore {
  const predicted = ngrams(rougeTokens(prediction, options), n);
  const target = ngrams(rougeTokens(reference, options), n);
  return fScore(overlap(countItems(predicted), countItems(target)), predicted.length, target.length);
}

/** Length of the longest common subsequence, one row of the dynamic programme at a time. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  const row = new Uint32Array(short.length + 1);
  for (const token of long) {
    let diagonal = 0;
    for (let j = 1; j <= short.length; j++) {
      const above = row[j]!;
      row[j] = token === short[j - 1] ? diagonal + 1 : Math.max(above, row[j - 1]!);
      diagonal = above;
    }
  }
  return row[short.length]!;
}

/** ROUGE-L: longest common subsequence of the token sequences (sentence-level, not summary-level Lsum). */
export function rougeL(prediction: string, reference: string, options: RougeOptions = {}): RougeScore {
  const predicted = rougeTokens(prediction, options).slice(0, ROUGE_L_MAX_TOKENS);
  const target = rougeTokens(reference, options).slice(0, ROUGE_L_MAX_TOKENS);
  if (predicted.length === 0 || target.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  return fScore(lcsLength(predicted, target), predicted.length, target.length);
}
