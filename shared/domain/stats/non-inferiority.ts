import { studentTCdf } from './student-t.js';
import { mean, standardErrorOfMean } from './summary.js';

export interface NonInferiorityResult {
  margin: number;
  /** One-sided paired t-test of H0 "candidate is worse by at least the margin". */
  test: 'paired_t_one_sided';
  t: number | null;
  p_value: number | null;
  /** The one-sided 95% bound of (candidate − baseline) in the metric's better direction. */
  bound: number | null;
  non_inferior: boolean;
  higher_is_better: boolean;
}

/**
 * Whether the candidate is no worse than the baseline by more than `margin`, from paired differences
 * d = candidate − baseline. Higher-is-better: H1 mean(d) > −margin; lower-is-better: H1 mean(d) < margin.
 * A t-test rather than the bootstrap: the margin question is one-sided and about the mean, where the
 * t-test is exact for normal differences and robust by the CLT at the sizes benchmarks have.
 */
export function nonInferiority(differences: readonly number[], margin: number, higherIsBetter: boolean, alpha = 0.05): NonInferiorityResult {
  const base = { margin, test: 'paired_t_one_sided' as const, higher_is_better: higherIsBetter };
  const n = differences.length;
  if (n < 2) return { ...base, t: null, p_value: null, bound: null, non_inferior: false };
  const center = mean(differences);
  const se = standardErrorOfMean(differences, center);
  if (se === null || se === 0) {
    const oriented = higherIsBetter ? center : -center;
    const holds = oriented > -margin;
    return { ...base, t: null, p_value: holds ? 0 : 1, bound: center, non_inferior: holds };
  }
  // scipy's ttest_1samp statistic against the margin's boundary; the p-value is the tail in the better direction.
  const t = higherIsBetter ? (center + margin) / se : (center - margin) / se;
  const p = higherIsBetter ? 1 - studentTCdf(t, n - 1) : studentTCdf(t, n - 1);
  const critical = tQuantileUpper(alpha, n - 1);
  const bound = higherIsBetter ? center - critical * se : center + critical * se;
  return { ...base, t, p_value: p, bound, non_inferior: p < alpha };
}

/** The upper-alpha quantile of Student's t by bisection on the CDF (exact to 1e-10, no series error). */
function tQuantileUpper(alpha: number, df: number): number {
  let low = 0;
  let high = 1000;
  for (let i = 0; i < 100; i++) {
    const mid = (low + high) / 2;
    if (1 - studentTCdf(mid, df) > alpha) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
