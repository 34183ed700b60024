/**
 * Per-item statistics of repeated samples (docs/statistics.md "Repeats"). An item answered n times with
 * c passing samples gives unbiased estimates of the chance that at least one (pass@k) or every one
 * (pass^k) of k fresh samples passes, as Chen et al. 2021 ("Evaluating Large Language Models Trained on
 * Code", §2.1) define them: 1 − C(n−c, k)/C(n, k) and C(c, k)/C(n, k).
 */

/**
 * C(a, k)/C(n, k) for 0 ≤ a ≤ n and 0 ≤ k ≤ n, as the product ∏_{i=0}^{k−1} (a−i)/(n−i): every factor
 * lies in [0, 1], so nothing overflows or cancels, where the binomials themselves reach 10^5 at n = 20
 * and far beyond for larger n.
 */
function binomialRatio(a: number, n: number, k: number): number {
  if (k > a) return 0;
  let ratio = 1;
  for (let i = 0; i < k; i++) ratio *= (a - i) / (n - i);
  return ratio;
}

function checkCounts(n: number, c: number, k: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || n < 1 || c < 0 || c > n || k < 1 || k > n) {
    throw new RangeError(`pass@k needs whole numbers 0 ≤ c ≤ n and 1 ≤ k ≤ n (got n=${n}, c=${c}, k=${k})`);
  }
}

/** Unbiased pass@k: the chance that at least one of k samples drawn without replacement from the n passes. */
export function passAtK(n: number, c: number, k: number): number {
  checkCounts(n, c, k);
  return 1 - binomialRatio(n - c, n, k);
}

/** Unbiased pass^k: the chance that all k samples drawn without replacement from the n pass. */
export function passHatK(n: number, c: number, k: number): number {
  checkCounts(n, c, k);
  return binomialRatio(c, n, k);
}

export interface ItemRepeatStats {
  /** Samples with a score for the metric. */
  n: number;
  mean: number | null;
  /** Pass/fail metrics only: the samples that passed (score 1). */
  passed?: number;
  /** Share of samples that disagree with the item's majority (0 when all agree; ties count half the samples). */
  flakiness_rate: number;
  /** Some sample disagreed with another. */
  flaky: boolean;
}

/**
 * The per-item summary of one metric over its samples' scores (null: the sample failed or the metric did
 * not apply). Flakiness compares each sample to the majority value; for a continuous metric, values are
 * compared as they are, so any spread is flakiness.
 */
export function itemRepeatStats(scores: readonly (number | null)[], binary: boolean): ItemRepeatStats {
  const values = scores.filter((score): score is number => score !== null);
  if (values.length === 0) return { n: 0, mean: null, flakiness_rate: 0, flaky: false };
  const counts = new Map<number, number>();
  let sum = 0;
  for (const value of values) {
    sum += value;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  const majority = Math.max(...counts.values());
  const disagreeing = values.length - majority;
  return {
    n: values.length,
    mean: sum / values.length,
    ...(binary ? { passed: counts.get(1) ?? 0 } : {}),
    flakiness_rate: disagreeing / values.length,
    flaky: disagreeing > 0,
  };
}
