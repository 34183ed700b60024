/** The few special functions the tests and intervals need: the normal distribution and log-binomials. */

/**
 * Complementary error function, Chebyshev fit from Numerical Recipes (`erfcc`): relative error below
 * 1.2e-7 everywhere, including the far tails where `1 - erf` would lose all precision.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const result = t * Math.exp(poly);
  return x >= 0 ? result : 2 - result;
}

/** P(Z ≤ z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Two-sided tail P(|Z| ≥ |z|), computed from the tail so tiny p-values keep their precision. */
export function normalTwoSidedP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

// Acklam's rational approximation of the normal quantile (relative error below 1.2e-9).
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239] as const;
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1] as const;
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783] as const;
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;
const P_LOW = 0.02425;

/** The z with P(Z ≤ z) = p. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    throw new RangeError(`p must be in [0, 1], got ${p}`);
  }
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  if (p > 1 - P_LOW) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

/** z for a two-sided interval of the given confidence; 1.959963984540054 for 95%. */
export function zForConfidence(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return normalQuantile(0.5 + confidence / 2);
}

/**
 * P(X ≤ k) for X ~ Binomial(n, 1/2), exact up to floating point. Summed outward from the largest term
 * in ratio form, so it neither overflows nor underflows for n in the millions.
 */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  // Above the median the terms first grow, so use symmetry: P(X ≤ k) = 1 − P(X ≤ n − k − 1).
  if (k > n / 2) return 1 - binomialHalfCdf(n - k - 1, n);
  // log P(X = k) through the log of C(n, k), accumulated as a sum of logs (no gamma function needed).
  let logChoose = 0;
  for (let i = 1; i <= k; i++) logChoose += Math.log((n - k + i) / i);
  const logTerm = logChoose - n * Math.LN2;
  // Terms below k, relative to P(X = k): t(i-1) = t(i) * i / (n - i + 1).
  let relative = 1;
  let sum = 1;
  for (let i = k; i > 0; i--) {
    relative *= i / (n - i + 1);
    sum += relative;
    if (relative < sum * 1e-17) break;
  }
  return Math.min(1, Math.exp(logTerm + Math.log(sum)));
}

/**
 * Student's t quantile: closed forms for 1 and 2 degrees of freedom, otherwise the Cornish–Fisher
 * expansion around the normal quantile (Abramowitz and Stegun 26.7.5), within 1e-3 of the exact value
 * from 3 degrees of freedom (and far closer above 10).
 */
export function studentTQuantile(p: number, degreesOfFreedom: number): number {
  if (!(degreesOfFreedom > 0)) throw new RangeError(`degrees of freedom must be positive, got ${degreesOfFreedom}`);
  if (degreesOfFreedom === 1) return Math.tan(Math.PI * (p - 0.5));
  if (degreesOfFreedom === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  const x = normalQuantile(p);
  const v = degreesOfFreedom;
  const x2 = x * x;
  const g1 = (x * (x2 + 1)) / 4;
  const g2 = (x * ((5 * x2 + 16) * x2 + 3)) / 96;
  const g3 = (x * (((3 * x2 + 19) * x2 + 17) * x2 - 15)) / 384;
  const g4 = (x * ((((79 * x2 + 776) * x2 + 1482) * x2 - 1920) * x2 - 945)) / 92160;
  return x + g1 / v + g2 / v ** 2 + g3 / v ** 3 + g4 / v ** 4;
}
