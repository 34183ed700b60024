/** Plain descriptive statistics shared by the intervals and tests. */

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Sample variance (n − 1 denominator); 0 for fewer than two values. */
export function sampleVariance(values: ArrayLike<number>, center = mean(values)): number {
  if (values.length < 2) return 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - center) ** 2;
  return squares / (values.length - 1);
}

/** Standard error of the mean; null below two values, where it is undefined. */
export function standardErrorOfMean(values: ArrayLike<number>, center = mean(values)): number | null {
  if (values.length < 2) return null;
  return Math.sqrt(sampleVariance(values, center) / values.length);
}

/** Linear interpolation between order statistics of a sorted sample (the "type 7" quantile). */
export function sortedQuantile(sorted: ArrayLike<number>, probability: number): number {
  const position = Math.min(Math.max(probability, 0), 1) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const fraction = position - lower;
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * fraction;
}

export function assertFinite(values: ArrayLike<number | null>, label: string): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null && !Number.isFinite(value)) throw new RangeError(`${label}[${i}] is ${value}; scores must be finite or null`);
  }
}
