import type { PairedComparison } from './compare.js';

export type Verdict = 'model_2 better' | 'model_1 better' | 'no significant difference';

export interface VerdictOptions {
  alpha?: number;
  /** Overrides the direction recorded in the comparison (they should agree). */
  higherIsBetter?: boolean;
}

/**
 * The comparison in words. Significant means the (Holm-adjusted) p-value is below alpha (0.05 unless
 * given, as a number or in the options); the better model is the one the metric's direction favours.
 * When the test's statistic and the mean difference lean opposite ways (possible with the signed-rank
 * test on skewed differences) the data tell no consistent story, so the verdict is "no significant
 * difference" rather than a coin toss between the two.
 */
export function verdict(comparison: PairedComparison, adjustedP: number | null, options: number | VerdictOptions = {}): Verdict {
  const { alpha = 0.05, higherIsBetter = comparison.higher_is_better } = typeof options === 'number' ? { alpha: options } : options;
  const { difference, direction } = comparison;
  if (adjustedP === null || difference === null || adjustedP >= alpha || direction === 0) return 'no significant difference';
  if (Math.sign(difference) !== direction) return 'no significant difference';
  const model2Larger = direction > 0;
  return model2Larger === higherIsBetter ? 'model_2 better' : 'model_1 better';
}
