import { normalTwoSidedP } from './special.js';
import { midRanks, nearlyEqual } from './ranks.js';

export interface SignedRankResult {
  p_value: number;
  /** W+, the sum of the ranks of the positive differences. */
  statistic: number;
  /** Differences that entered the test (zeros dropped). */
  n_used: number;
  n_zero: number;
  method: 'exact' | 'normal';
  /** Sign of W+ − W−: which way the differences lean. */
  direction: -1 | 0 | 1;
}

/** Below this many non-zero differences the null distribution is enumerated exactly. */
export const wilcoxonExactMaxN = 50;

/**
 * Two-sided exact p-value from the null distribution of W+ over the 2^n equally likely sign patterns,
 * built by dynamic programming over doubled ranks (mid-ranks are multiples of ½, so doubling makes them
 * integers). Exact also with ties: the distribution is conditional on the observed ranks.
 */
function exactP(doubledRanks: readonly number[], observedDoubled: number): number {
  const total = doubledRanks.reduce((sum, rank) => sum + rank, 0);
  const probability = new Float64Array(total + 1);
  probability[0] = 1;
  let reach = 0;
  for (const rank of doubledRanks) {
    reach += rank;
    for (let sum = reach; sum >= 0; sum--) {
      probability[sum] = 0.5 * probability[sum]! + (sum >= rank ? 0.5 * probability[sum - rank]! : 0);
    }
  }
  let lower = 0;
  let upper = 0;
  for (let sum = 0; sum <= total; sum++) {
    if (sum <= observedDoubled) lower += probability[sum]!;
    if (sum >= observedDoubled) upper += probability[sum]!;
  }
  return Math.min(1, 2 * Math.min(lower, upper));
}

/**
 * Wilcoxon signed-rank test on paired differences (model 2 − model 1). Zero differences are dropped
 * before ranking (Wilcoxon's original treatment, scipy's default `zero_method="wilcox"`) rather than
 * ranked and then dropped (Pratt): items both models scored the same say nothing about which is better.
 * Exact for up to 50 non-zero differences; above, the normal approximation with the tie correction of the
 * variance and a continuity correction of ½.
 */
export function wilcoxonSignedRank(differences: readonly number[], exactMaxN = wilcoxonExactMaxN): SignedRankResult {
  const nonZero = differences.filter((difference) => !nearlyEqual(difference, 0));
  const n = nonZero.length;
  const n_zero = differences.length - n;
  if (n === 0) return { p_value: 1, statistic: 0, n_used: 0, n_zero, method: 'exact', direction: 0 };

  const { ranks, tieGroups } = midRanks(nonZero.map(Math.abs));
  let positive = 0;
  for (let i = 0; i < n; i++) if (nonZero[i]! > 0) positive += ranks[i]!;
  const totalRank = (n * (n + 1)) / 2;
  const lean = positive - (totalRank - positive);
  const direction = lean > 0 ? 1 : lean < 0 ? -1 : 0;

  if (n <= exactMaxN) {
    const doubled = Array.from(ranks, (rank) => Math.round(rank * 2));
    return { p_value: exactP(doubled, Math.round(positive * 2)), statistic: positive, n_used: n, n_zero, method: 'exact', direction };
  }
  const expected = totalRank / 2;
  const tieCorrection = tieGroups.reduce((sum, size) => sum + size ** 3 - size, 0) / 48;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieCorrection;
  const z = variance > 0 ? Math.max(0, Math.abs(positive - expected) - 0.5) / Math.sqrt(variance) : 0;
  return { p_value: normalTwoSidedP(z), statistic: positive, n_used: n, n_zero, method: 'normal', direction };
}
