import { head } from './caps.js';
import { removePythonWhitespace } from './python-whitespace.js';

/**
 * chrF as sacreBLEU computes it by default (Popović 2015): character n-grams of orders 1–6 with all
 * whitespace removed, precision and recall averaged over the orders both sides have, combined with
 * β = 2 (recall weighted twice as much as precision), no word n-grams (that would be chrF++).
 */

export const chrfCharOrder = 6;
export const chrfBeta = 2;

export interface ChrfResult {
  /** 0–100, as sacreBLEU reports it. */
  score: number;
}

/**
 * The text as characters (code points) without whitespace. Kept as a plain string when it has no astral
 * characters, the common case, where substrings are code points already and far cheaper than arrays.
 */
function characters(text: string): { length: number; gram(start: number, n: number): string } {
  const stripped = removePythonWhitespace(text);
  const codePoints = Array.from(stripped);
  if (codePoints.length === stripped.length) return { length: stripped.length, gram: (start, n) => stripped.substring(start, start + n) };
  return { length: codePoints.length, gram: (start, n) => codePoints.slice(start, start + n).join('') };
}

/** [hypothesis n-grams, reference n-grams, matches] for each order, flattened. */
function charStatistics(hypothesis: string, reference: string): number[] {
  const hyp = characters(hypothesis);
  const ref = characters(reference);
  const statistics: number[] = [];
  for (let n = 1; n <= chrfCharOrder; n++) {
    const refCounts = new Map<string, number>();
    for (let i = 0; i + n <= ref.length; i++) {
      const gram = ref.gram(i, n);
      refCounts.set(gram, (refCounts.get(gram) ?? 0) + 1);
    }
    let matches = 0;
    for (let i = 0; i + n <= hyp.length; i++) {
      const gram = hyp.gram(i, n);
      const available = refCounts.get(gram);
      // Clipped: each reference occurrence matches at most one hypothesis occurrence.
      if (available) {
        matches++;
        refCounts.set(gram, available - 1);
      }
    }
    const refCount = Math.max(0, ref.length - n + 1);
    // As sacreBLEU: an order the reference has no n-gram of does not count the hypothesis' n-grams either,
    // which changes corpus sums (a sentence score skips such orders anyway).
    statistics.push(refCount > 0 ? Math.max(0, hyp.length - n + 1) : 0, refCount, matches);
  }
  return statistics;
}

function fScore(statistics: readonly number[]): number {
  let precision = 0;
  let recall = 0;
  let orders = 0;
  for (let i = 0; i < chrfCharOrder; i++) {
    const hypCount = statistics[3 * i]!;
    const refCount = statistics[3 * i + 1]!;
    const matches = statistics[3 * i + 2]!;
    if (hypCount > 0 && refCount > 0) {
      precision += matches / hypCount;
      recall += matches / refCount;
      orders++;
    }
  }
  if (orders === 0) return 0;
  precision /= orders;
  recall /= orders;
  if (precision + recall === 0) return 0;
  const beta2 = chrfBeta * chrfBeta;
  return (100 * (1 + beta2) * precision * recall) / (beta2 * precision + recall);
}

/** With several references, sacreBLEU keeps the statistics of the one with the best score. */
function bestStatistics(hypothesis: string, references: string | readonly string[]): number[] {
  const candidates = typeof references === 'string' ? [references] : references;
  if (candidates.length === 0) throw new RangeError('chrF needs at least one reference per hypothesis');
  let best: number[] = [];
  let bestScore = -1;
  for (const reference of candidates) {
    const statistics = charStatistics(hypothesis, reference);
    const score = fScore(statistics);
    if (score > bestScore) {
      best = statistics;
      bestScore = score;
    }
  }
  return best;
}

/** Sentence chrF, on the first SIMILARITY_MAX_CHARS characters of the hypothesis and of each reference. */
export function sentenceChrf(hypothesis: string, references: string | readonly string[]): ChrfResult {
  return {
    score: fScore(
      bestStatistics(head(hypothesis), typeof references === 'string' ? head(references) : references.map((reference) => head(reference))),
    ),
  };
}

/** Corpus chrF: statistics summed over segments, then one F-score. */
export function corpusChrf(hypotheses: readonly string[], references: readonly (string | readonly string[])[]): ChrfResult {
  if (hypotheses.length !== references.length) throw new RangeError(`${hypotheses.length} hypotheses but ${references.length} reference sets`);
  const total = new Array<number>(3 * chrfCharOrder).fill(0);
  hypotheses.forEach((hypothesis, index) => {
    bestStatistics(hypothesis, references[index]!).forEach((value, i) => {
      total[i]! += value;
    });
  });
  return { score: fScore(total) };
}
