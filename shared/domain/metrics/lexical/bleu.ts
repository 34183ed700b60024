import { head } from './caps.js';
import { rstripPython } from './python-whitespace.js';
import { tokenize13a } from './tokenize-13a.js';

/**
 * BLEU as sacreBLEU computes it by default (Papineni et al. 2002; Post 2018): 13a tokenisation, mixed
 * case, up to 4-grams, clipped counts against the maximum over references, brevity penalty against the
 * closest reference length (the shorter on a tie), and the `exp` smoothing of mteval-v13a (each n-gram
 * order with no match gets precision 1 / (2^k · total), k counting such orders). As sacreBLEU since 2.0
 * (its issue #141), a hypothesis without a single matching unigram scores 0 outright: smoothing would
 * otherwise credit a wholly wrong answer with a few points. Empty references are kept, as sacreBLEU keeps
 * them: they have no n-grams and length 0, which the closest-length rule can pick.
 */

export const bleuMaxOrder = 4;

export interface BleuResult {
  /** 0–100, as sacreBLEU reports it. */
  score: number;
  /** Clipped matches and totals per n-gram order (1..4). */
  counts: number[];
  totals: number[];
  /** Per-order precisions in percent, after smoothing. */
  precisions: number[];
  brevity_penalty: number;
  hyp_len: number;
  ref_len: number;
}

export interface BleuOptions {
  /** Average only over the n-gram orders the hypothesis has (sacreBLEU's `use_effective_order`). */
  effectiveOrder?: boolean;
  lowercase?: boolean;
}

/** Counts of the n-grams of each order 1..4 (index 0..3), keyed by their tokens joined with spaces. */
function ngramCounts(tokens: readonly string[]): Map<string, number>[] {
  const orders: Map<string, number>[] = [];
  for (let n = 1; n <= bleuMaxOrder; n++) {
    const counts = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) {
      let ngram = tokens[i]!;
      for (let k = 1; k < n; k++) ngram += ` ${tokens[i + k]!}`;
      counts.set(ngram, (counts.get(ngram) ?? 0) + 1);
    }
    orders.push(counts);
  }
  return orders;
}

interface SegmentStatistics {
  counts: number[];
  totals: number[];
  hypLength: number;
  refLength: number;
}

function segmentStatistics(hypothesis: string, references: readonly string[], lowercase: boolean): SegmentStatistics {
  const prepare = (text: string) => tokenize13a(rstripPython(lowercase ? text.toLowerCase() : text));
  const hypTokens = prepare(hypothesis);
  const maxReferenceCounts = Array.from({ length: bleuMaxOrder }, () => new Map<string, number>());
  let closestDiff = Infinity;
  let closestLength = 0;
  for (const reference of references) {
    const refTokens = prepare(reference);
    const diff = Math.abs(hypTokens.length - refTokens.length);
    if (diff < closestDiff || (diff === closestDiff && refTokens.length < closestLength)) {
      closestDiff = diff;
      closestLength = refTokens.length;
    }
    ngramCounts(refTokens).forEach((counts, order) => {
      const maxima = maxReferenceCounts[order]!;
      for (const [ngram, count] of counts) maxima.set(ngram, Math.max(maxima.get(ngram) ?? 0, count));
    });
  }
  const counts = new Array<number>(bleuMaxOrder).fill(0);
  const totals = new Array<number>(bleuMaxOrder).fill(0);
  ngramCounts(hypTokens).forEach((hypCounts, order) => {
    for (const [ngram, count] of hypCounts) {
      counts[order]! += Math.min(count, maxReferenceCounts[order]!.get(ngram) ?? 0);
      totals[order]! += count;
    }
  });
  return { counts, totals, hypLength: hypTokens.length, refLength: closestLength };
}

// sacreBLEU's log of zero: a huge negative number instead of -Infinity, so 0 · log 0 stays finite.
const logOrFloor = (value: number) => (value === 0 ? -9999999999 : Math.log(value));

function scoreFromStatistics(stats: SegmentStatistics, effectiveOrder: boolean): BleuResult {
  const { counts, totals, hypLength, refLength } = stats;
  const precisions = new Array<number>(bleuMaxOrder).fill(0);
  const brevity_penalty = hypLength < refLength ? (hypLength > 0 ? Math.exp(1 - refLength / hypLength) : 0) : 1;
  const result = { counts, totals, precisions, brevity_penalty, hyp_len: hypLength, ref_len: refLength };
  if (counts.every((count) => count === 0)) return { score: 0, ...result };
  let smoothing = 1;
  let orders = bleuMaxOrder;
  for (let n = 1; n <= bleuMaxOrder; n++) {
    if (totals[n - 1] === 0) break;
    if (effectiveOrder) orders = n;
    if (counts[n - 1] === 0) {
      smoothing *= 2;
      precisions[n - 1] = 100 / (smoothing * totals[n - 1]!);
    } else {
      precisions[n - 1] = (100 * counts[n - 1]!) / totals[n - 1]!;
    }
  }
  const logMean = precisions.slice(0, orders).reduce((sum, precision) => sum + logOrFloor(precision), 0) / orders;
  return { score: brevity_penalty * Math.exp(logMean), ...result };
}

function usableReferences(references: string | readonly string[]): readonly string[] {
  const usable = typeof references === 'string' ? [references] : references;
  if (usable.length === 0) throw new RangeError('BLEU needs at least one reference per hypothesis');
  return usable;
}

/**
 * Sentence BLEU (sacreBLEU's `sentence_bleu`: exp smoothing, effective order on), on the first
 * SIMILARITY_MAX_CHARS characters of the hypothesis and of each reference.
 */
export function sentenceBleu(hypothesis: string, references: string | readonly string[], options: BleuOptions = {}): BleuResult {
  const { effectiveOrder = true, lowercase = false } = options;
  return scoreFromStatistics(
    segmentStatistics(
      head(hypothesis),
      usableReferences(references).map((reference) => head(reference)),
      lowercase,
    ),
    effectiveOrder,
  );
}

/**
 * Corpus BLEU (sacreBLEU's `corpus_bleu`): statistics summed over segments before the geometric mean,
 * which is what BLEU was designed for. `references[i]` holds the reference(s) of `hypotheses[i]`.
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (string | readonly string[])[],
  options: BleuOptions = {},
): BleuResult {
  const { effectiveOrder = false, lowercase = false } = options;
  if (hypotheses.length !== references.length) throw new RangeError(`${hypotheses.length} hypotheses but ${references.length} reference sets`);
  const total: SegmentStatistics = { counts: [0, 0, 0, 0], totals: [0, 0, 0, 0], hypLength: 0, refLength: 0 };
  hypotheses.forEach((hypothesis, index) => {
    const stats = segmentStatistics(hypothesis, usableReferences(references[index]!), lowercase);
    for (let n = 0; n < bleuMaxOrder; n++) {
      total.counts[n]! += stats.counts[n]!;
      total.totals[n]! += stats.totals[n]!;
    }
    total.hypLength += stats.hypLength;
    total.refLength += stats.refLength;
  });
  return scoreFromStatistics(total, effectiveOrder);
}
