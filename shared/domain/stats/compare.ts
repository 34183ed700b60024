import { defaultBootstrapMaxN, scoredValues, type IntervalMethod } from './aggregate.js';
import { bootstrapMeanInterval } from './bootstrap.js';
import { mcnemarExact } from './mcnemar.js';
import { pairedPermutationTest } from './permutation.js';
import { deriveSeed } from './random.js';
import { nearlyEqual } from './ranks.js';
import { zForConfidence } from './special.js';
import { assertFinite, mean, standardErrorOfMean } from './summary.js';
import { wilcoxonSignedRank } from './wilcoxon.js';

export type PairedTest = 'mcnemar_exact' | 'wilcoxon_signed_rank' | 'paired_permutation';

export interface CompareOptions {
  /** Pass/fail scores: McNemar's exact test. */
  binary: boolean;
  seed: number;
  /** Direction of the metric, so wins and the verdict mean "better", not "larger". */
  higherIsBetter: boolean;
  /** Test for continuous metrics; the signed-rank test unless asked otherwise. Ignored when binary. */
  continuousTest?: 'wilcoxon_signed_rank' | 'paired_permutation';
  resamples?: number;
  permutations?: number;
  bootstrapMaxN?: number;
}

export interface PairedComparison {
  /** Mean of (model 2 − model 1) over the items both models have a score for; null when there are none. */
  difference: number | null;
  /** Paired bootstrap (BCa) interval of that mean: items are resampled, keeping each item's pair together. */
  ci95: [number, number] | null;
  ci_method: IntervalMethod | null;
  p_value: number | null;
  test: PairedTest;
  /** Items where model 2 scored better (by the metric's direction), equal, and worse. */
  wins: number;
  ties: number;
  losses: number;
  n: number;
  /** Items missing a score for either model. */
  n_excluded: number;
  /** The way the test's statistic leans (+1: model 2 larger); the verdict needs it to agree with the difference. */
  direction: -1 | 0 | 1;
  higher_is_better: boolean;
}

const Z95 = zForConfidence(0.95);

/**
 * Compares two models on one metric, item by item. `a` holds model 1's scores and `b` model 2's, aligned
 * by item; an item counts only when both have a score, because pairing is what removes the item-difficulty
 * variance that makes unpaired comparisons so much weaker.
 */
export function comparePaired(a: readonly (number | null)[], b: readonly (number | null)[], options: CompareOptions): PairedComparison {
  const {
    binary,
    seed,
    higherIsBetter,
    continuousTest = 'wilcoxon_signed_rank',
    resamples,
    permutations,
    bootstrapMaxN = defaultBootstrapMaxN,
  } = options;
  if (a.length !== b.length) throw new RangeError(`the two score lists must be aligned by item (${a.length} vs ${b.length})`);
  assertFinite(a, 'model 1 scores');
  assertFinite(b, 'model 2 scores');
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const scoreA = a[i];
    const scoreB = b[i];
    if (scoreA === null || scoreA === undefined || scoreB === null || scoreB === undefined) continue;
    first.push(scoreA);
    second.push(scoreB);
  }
  // Validates 0/1 for binary metrics.
  scoredValues(first, binary, 'model 1 scores');
  scoredValues(second, binary, 'model 2 scores');

  const n = first.length;
  const test: PairedTest = binary ? 'mcnemar_exact' : continuousTest;
  const differences = second.map((score, i) => score - first[i]!);
  let wins = 0;
  let ties = 0;
  for (const difference of differences) {
    if (nearlyEqual(difference, 0)) ties++;
    else if (difference > 0 === higherIsBetter) wins++;
  }
  const base = { test, wins, ties, losses: n - wins - ties, n, n_excluded: a.length - n, higher_is_better: higherIsBetter };
  if (n === 0) return { ...base, difference: null, ci95: null, ci_method: null, p_value: null, direction: 0 };

  const difference = mean(differences);
  const { ci95, ci_method } = differenceInterval(differences, difference, seed, resamples, bootstrapMaxN);
  const { p_value, direction } = pairedTest(test, first, second, differences, deriveSeed(seed, 'permutation'), permutations);
  return { ...base, difference, ci95, ci_method, p_value, direction };
}

function differenceInterval(
  differences: number[],
  difference: number,
  seed: number,
  resamples: number | undefined,
  bootstrapMaxN: number,
): { ci95: [number, number] | null; ci_method: IntervalMethod | null } {
  const std_error = standardErrorOfMean(differences, difference);
  if (std_error === null) return { ci95: null, ci_method: null };
  if (differences.length > bootstrapMaxN) {
    return { ci95: [difference - Z95 * std_error, difference + Z95 * std_error], ci_method: 'normal' };
  }
  const ci95 = bootstrapMeanInterval(differences, { seed, ...(resamples === undefined ? {} : { resamples }) });
  return { ci95, ci_method: 'bootstrap_bca' };
}

function pairedTest(
  test: PairedTest,
  first: number[],
  second: number[],
  differences: number[],
  seed: number,
  permutations: number | undefined,
): { p_value: number; direction: -1 | 0 | 1 } {
  if (test === 'mcnemar_exact') {
    let onlyModel1 = 0;
    let onlyModel2 = 0;
    for (let i = 0; i < first.length; i++) {
      if (first[i] === 1 && second[i] === 0) onlyModel1++;
      else if (first[i] === 0 && second[i] === 1) onlyModel2++;
    }
    return { p_value: mcnemarExact(onlyModel1, onlyModel2).p_value, direction: Math.sign(onlyModel2 - onlyModel1) as -1 | 0 | 1 };
  }
  if (test === 'wilcoxon_signed_rank') {
    const { p_value, direction } = wilcoxonSignedRank(differences);
    return { p_value, direction };
  }
  const { p_value } = pairedPermutationTest(differences, { seed, ...(permutations === undefined ? {} : { permutations }) });
  const total = differences.reduce((sum, value) => sum + value, 0);
  return { p_value, direction: nearlyEqual(total, 0) ? 0 : total > 0 ? 1 : -1 };
}
