import { xoshiroState } from './random.js';
import { normalCdf, normalQuantile, studentTQuantile } from './special.js';
import { mean, sortedQuantile } from './summary.js';

export interface BootstrapOptions {
  seed: number;
  /** Number of resamples; 2,000 keeps the Monte Carlo error of a 95% bound near 0.01 standard errors. */
  resamples?: number;
  confidence?: number;
}

/**
 * Means of `resamples` bootstrap resamples (drawn with replacement, same size as the sample), sorted.
 * This is the hot loop of the statistics (n × resamples draws), so xoshiro128**'s step from random.ts is
 * inlined here on plain local variables (no destructuring, rotations written out): measured 2–8× faster
 * than calling the generator's closure. A test checks that it draws exactly createRandom's stream.
 */
export function bootstrapMeans(values: ArrayLike<number>, seed: number, resamples: number): Float64Array {
  const sample = Float64Array.from(values);
  const n = sample.length;
  const toIndex = n / 2 ** 32;
  const state = xoshiroState(seed);
  let s0 = state[0];
  let s1 = state[1];
  let s2 = state[2];
  let s3 = state[3];
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const scaled = (s1 * 5) | 0;
      const draw = (((scaled << 7) | (scaled >>> 25)) * 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      sum += sample[(draw * toIndex) | 0]!;
    }
    means[b] = sum / n;
  }
  return means.sort();
}

/**
 * Acceleration of the BCa interval for a mean, from the jackknife in closed form: the sample's skewness
 * over six. It widens the interval on the long-tailed side (latency, cost, many near-zero BLEU scores).
 */
function meanAcceleration(values: ArrayLike<number>, center: number): number {
  let squares = 0;
  let cubes = 0;
  for (let i = 0; i < values.length; i++) {
    const deviation = values[i]! - center;
    squares += deviation * deviation;
    cubes += deviation * deviation * deviation;
  }
  return squares === 0 ? 0 : cubes / (6 * squares ** 1.5);
}

/**
 * The bootstrap distribution of a mean is too narrow by √((n−1)/n) and ignores that the spread is itself
 * estimated; Hesterberg's "expanded" bootstrap widens the nominal z to √(n/(n−1))·t(n−1). It matters
 * below a hundred items (at n = 30 it lifts the coverage of a 95% interval from about 92% to about 94%)
 * and fades to nothing above.
 */
function expandedZ(confidence: number, n: number): number {
  const upper = 0.5 + confidence / 2;
  if (n < 2) return normalQuantile(upper);
  return Math.sqrt(n / (n - 1)) * studentTQuantile(upper, n - 1);
}

/**
 * Bias-corrected and accelerated (BCa) bootstrap interval for the mean (Efron 1987), with the
 * small-sample expansion above. The plain percentile bootstrap under-covers for skewed data and small
 * samples; BCa corrects the median bias of the bootstrap distribution and its skew at no extra cost.
 */
export function bootstrapMeanInterval(values: ArrayLike<number>, options: BootstrapOptions): [number, number] {
  const { seed, resamples = 2000, confidence = 0.95 } = options;
  if (values.length === 0) throw new RangeError('the bootstrap needs at least one value');
  if (!Number.isInteger(resamples) || resamples < 100) throw new RangeError(`resamples must be an integer ≥ 100, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const center = mean(values);
  let constant = true;
  for (let i = 1; i < values.length && constant; i++) constant = values[i] === values[0];
  if (constant) return [center, center];

  const means = bootstrapMeans(values, seed, resamples);
  let below = 0;
  let equal = 0;
  for (const value of means) {
    if (value < center) below++;
    else if (value === center) equal++;
  }
  // Kept off 0 and 1 so the bias correction stays finite when every resample falls on one side.
  const share = Math.min(Math.max((below + equal / 2) / resamples, 0.5 / resamples), 1 - 0.5 / resamples);
  const bias = normalQuantile(share);
  const acceleration = meanAcceleration(values, center);
  const z = expandedZ(confidence, values.length);
  const adjusted = (zEdge: number): number => {
    const shifted = bias + zEdge;
    const denominator = 1 - acceleration * shifted;
    // Extreme skew can push the denominator through zero; the percentile point is the safe fallback.
    return denominator > 0 ? normalCdf(bias + shifted / denominator) : normalCdf(zEdge);
  };
  return [sortedQuantile(means, adjusted(-z)), sortedQuantile(means, adjusted(z))];
}
