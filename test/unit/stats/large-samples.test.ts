import { aggregate, bootstrapMeanInterval, comparePaired, createRandom, defaultBootstrapMaxN } from '#shared/domain/stats/index.js';

/**
 * Above `defaultBootstrapMaxN` values the intervals are mean ± 1.96·SE instead of the BCa bootstrap
 * (at 200,000 items the bootstrap costs about a second per metric and model; docs/statistics.md). That is
 * sound only if the two agree there, on the data least kind to a normal interval: skewed and lumpy scores.
 * A bootstrap bound with 2,000 resamples itself scatters by about 0.1 standard errors from seed to seed (the
 * `--finalize` benchmark's figures in docs/statistics.md), so the seeds here are fixed.
 */
const n = defaultBootstrapMaxN + 1;
const random = createRandom(2026);
const skewed = Array.from({ length: n }, () => Math.log(1 - random()) ** 2);
const lumpy = Array.from({ length: n }, () => (random() < 0.45 ? 0 : Math.round(random() * 20) / 20));

describe('the normal interval above the bootstrap limit', () => {
  it.each([
    ['skewed (squared exponential)', skewed],
    ['lumpy (45% zeros, steps of 0.05)', lumpy],
  ])('agrees with the BCa bootstrap within 0.15 standard errors for %s scores', (_, values) => {
    const normal = aggregate(values, { binary: false, seed: 3 });
    const bootstrap = bootstrapMeanInterval(values, { seed: 3 });

    expect(normal.ci_method).toBe('normal');
    expect(Math.abs(normal.ci95![0] - bootstrap[0]) / normal.std_error!).toBeLessThan(0.15);
    expect(Math.abs(normal.ci95![1] - bootstrap[1]) / normal.std_error!).toBeLessThan(0.15);
  });

  it('agrees with the paired bootstrap of the differences within 0.15 standard errors', () => {
    const other = skewed.map((value) => value * 1.02 + (random() < 0.5 ? 0.1 : -0.1));
    const options = { binary: false, seed: 4, higherIsBetter: true };

    const normal = comparePaired(skewed, other, options);
    const bootstrap = comparePaired(skewed, other, { ...options, bootstrapMaxN: Number.POSITIVE_INFINITY });

    expect(normal.ci_method).toBe('normal');
    expect(bootstrap.ci_method).toBe('bootstrap_bca');
    const differences = other.map((value, i) => value - skewed[i]!);
    const mean = normal.difference!;
    const se = Math.sqrt(differences.reduce((sum, d) => sum + (d - mean) ** 2, 0) / (n - 1) / n);
    expect(Math.abs(normal.ci95![0] - bootstrap.ci95![0]) / se).toBeLessThan(0.15);
    expect(Math.abs(normal.ci95![1] - bootstrap.ci95![1]) / se).toBeLessThan(0.15);
    // The interval method is no part of the test: the p-value does not change with it.
    expect(normal.p_value).toBe(bootstrap.p_value);
  });
});
