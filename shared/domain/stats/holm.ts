/**
 * Holm's step-down adjustment (Holm 1979): controls the family-wise error rate across the metrics of one
 * comparison like Bonferroni, but is uniformly more powerful, and needs no independence between the
 * tests (metrics on the same outputs are strongly correlated). Nulls (metrics without a test) pass
 * through and do not count towards the family size.
 */
export function holmAdjust(pValues: readonly number[]): number[];
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[];
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const tested = pValues.map((p, index) => ({ p, index })).filter((entry): entry is { p: number; index: number } => entry.p !== null);
  for (const { p, index } of tested) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`p-value ${index} is ${p}; expected a number in [0, 1]`);
  }
  const m = tested.length;
  const adjusted: (number | null)[] = pValues.map(() => null);
  const ascending = [...tested].sort((a, b) => a.p - b.p);
  let running = 0;
  ascending.forEach(({ p, index }, rank) => {
    // Monotone: a larger raw p-value never gets a smaller adjusted one.
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}
