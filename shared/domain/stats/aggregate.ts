import { bootstrapMeanInterval } from './bootstrap.js';
import { zForConfidence } from './special.js';
import { assertFinite, mean, standardErrorOfMean } from './summary.js';
import { wilsonInterval } from './wilson.js';

export type IntervalMethod = 'wilson' | 'bootstrap_bca' | 'normal';

export interface AggregateOptions {
  /** Pass/fail scores (0 or 1): the interval is Wilson's. */
  binary: boolean;
  seed: number;
  resamples?: number;
  /**
   * Above this many values a continuous interval is mean ± 1.96·SE instead of the bootstrap: by then the
   * sampling distribution of the mean is normal to well within the bootstrap's own Monte Carlo error,
   * and the bootstrap would cost n × resamples draws.
   */
  bootstrapMaxN?: number;
}

export interface Aggregate {
  /** Null when no item had a score. */
  mean: number | null;
  std_error: number | null;
  /** Null when fewer than two scores (continuous) or no scores (binary) leave nothing to estimate. */
  ci95: [number, number] | null;
  /** Items with a score. */
  n: number;
  /** Items whose score was null (not applicable or failed); excluded from everything above. */
  n_excluded: number;
  ci_method: IntervalMethod | null;
}

export const defaultBootstrapMaxN = 20_000;
const Z95 = zForConfidence(0.95);

/** Splits nulls off, checking that what remains is finite (and 0/1 when binary). */
export function scoredValues(values: readonly (number | null)[], binary: boolean, label = 'values'): number[] {
  assertFinite(values, label);
  const scored = values.filter((value): value is number => value !== null);
  if (binary) {
    const bad = scored.findIndex((value) => value !== 0 && value !== 1);
    if (bad >= 0) throw new RangeError(`${label}: a binary metric scored ${scored[bad]}; expected 0 or 1`);
  }
  return scored;
}

/** Mean, standard error and 95% interval of one metric over the items of one model. */
export function aggregate(values: readonly (number | null)[], options: AggregateOptions): Aggregate {
  const { binary, seed, resamples, bootstrapMaxN = defaultBootstrapMaxN } = options;
  const scored = scoredValues(values, binary);
  const n = scored.length;
  const n_excluded = values.length - n;
  if (n === 0) return { mean: null, std_error: null, ci95: null, n, n_excluded, ci_method: null };
  const center = mean(scored);
  if (binary) {
    const successes = scored.reduce((sum, value) => sum + value, 0);
    return {
      mean: center,
      std_error: Math.sqrt((center * (1 - center)) / n),
      ci95: wilsonInterval(successes, n),
      n,
      n_excluded,
      ci_method: 'wilson',
    };
  }
  const std_error = standardErrorOfMean(scored, center);
  if (std_error === null) return { mean: center, std_error, ci95: null, n, n_excluded, ci_method: null };
  if (n > bootstrapMaxN) {
    return { mean: center, std_error, ci95: [center - Z95 * std_error, center + Z95 * std_error], n, n_excluded, ci_method: 'normal' };
  }
  const ci95 = bootstrapMeanInterval(scored, { seed, ...(resamples === undefined ? {} : { resamples }) });
  return { mean: center, std_error, ci95, n, n_excluded, ci_method: 'bootstrap_bca' };
}
