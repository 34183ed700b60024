import { zForConfidence } from './special.js';

/**
 * Wilson score interval for a proportion. Unlike the textbook Wald interval (p ± z·SE) it never leaves
 * [0, 1], stays sensible at 0 and n successes, and keeps close to its nominal coverage for small n,
 * which is why pass/fail metrics use it (Wilson 1927; Brown, Cai and DasGupta 2001).
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): [number, number] {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`n must be a positive integer, got ${n}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`successes must be an integer in [0, ${n}], got ${successes}`);
  }
  const z = zForConfidence(confidence);
  const p = successes / n;
  const z2n = (z * z) / n;
  const center = (p + z2n / 2) / (1 + z2n);
  const halfWidth = (z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n))) / (1 + z2n);
  // Clamp away floating-point dust at the ends (e.g. −1e-17 when successes = 0).
  return [Math.max(0, center - halfWidth), Math.min(1, center + halfWidth)];
}
