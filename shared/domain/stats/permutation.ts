import { createRandom } from './random.js';
import { nearlyEqual } from './ranks.js';

export interface PermutationOptions {
  seed: number;
  /** Random sign flips when there are too many differences to enumerate. */
  permutations?: number;
}

export interface PermutationResult {
  p_value: number;
  method: 'exact' | 'monte_carlo';
}

/** Up to this many non-zero differences all 2^n sign patterns are enumerated. */
export const permutationExactMaxN = 16;

/**
 * Paired permutation (sign-flip) test of mean difference = 0: under the null each item's difference is
 * as likely to have either sign. It tests exactly the quantity the comparison reports (the mean), where
 * the signed-rank test tests a location shift. Monte Carlo p-values count the observed statistic as one
 * of the permutations, (k + 1) / (B + 1), so they are never 0 and the test stays valid.
 */
export function pairedPermutationTest(differences: readonly number[], options: PermutationOptions): PermutationResult {
  const { seed, permutations = 10_000 } = options;
  const nonZero = differences.filter((difference) => !nearlyEqual(difference, 0));
  const n = nonZero.length;
  if (n === 0) return { p_value: 1, method: 'exact' };
  const observed = Math.abs(nonZero.reduce((sum, difference) => sum + difference, 0));
  // Sums within rounding of the observed one count as "as extreme".
  const threshold = observed - 1e-12 * Math.max(1, observed);

  if (n <= permutationExactMaxN) {
    let extreme = 0;
    const patterns = 2 ** n;
    for (let pattern = 0; pattern < patterns; pattern++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += pattern & (1 << i) ? -nonZero[i]! : nonZero[i]!;
      if (Math.abs(sum) >= threshold) extreme++;
    }
    return { p_value: extreme / patterns, method: 'exact' };
  }
  const random = createRandom(seed);
  let extreme = 0;
  for (let b = 0; b < permutations; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += random() < 0.5 ? -nonZero[i]! : nonZero[i]!;
    if (Math.abs(sum) >= threshold) extreme++;
  }
  return { p_value: (extreme + 1) / (permutations + 1), method: 'monte_carlo' };
}
