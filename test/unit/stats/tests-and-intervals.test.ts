import { aggregate } from '#shared/domain/stats/aggregate.js';
import { bootstrapMeanInterval, bootstrapMeans } from '#shared/domain/stats/bootstrap.js';
import { comparePaired } from '#shared/domain/stats/compare.js';
import { holmAdjust } from '#shared/domain/stats/holm.js';
import { mcnemarExact } from '#shared/domain/stats/mcnemar.js';
import { pairedPermutationTest } from '#shared/domain/stats/permutation.js';
import { createRandom, deriveSeed } from '#shared/domain/stats/random.js';
import { binomialHalfCdf, normalCdf, normalQuantile, studentTQuantile } from '#shared/domain/stats/special.js';
import { verdict } from '#shared/domain/stats/verdict.js';
import { wilcoxonSignedRank } from '#shared/domain/stats/wilcoxon.js';
import { wilsonInterval } from '#shared/domain/stats/wilson.js';

describe('special functions', () => {
  it('matches standard normal and t tables', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013499, 7);
    // t(0.975) for 5, 10 and 29 degrees of freedom: 2.5706, 2.2281, 2.0452.
    expect(studentTQuantile(0.975, 5)).toBeCloseTo(2.5706, 3);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.2281, 4);
    expect(studentTQuantile(0.975, 29)).toBeCloseTo(2.0452, 4);
  });

  it('computes binomial(n, ½) tails exactly, also for large n', () => {
    expect(binomialHalfCdf(1, 10)).toBeCloseTo(11 / 1024, 15);
    expect(binomialHalfCdf(5, 10)).toBeCloseTo(638 / 1024, 12);
    expect(binomialHalfCdf(10, 10)).toBe(1);
    // P(X ≤ n/2) = ½ + P(X = n/2)/2, and P(X = n/2) ≈ √(2 / (πn)) by Stirling.
    expect(binomialHalfCdf(50_000, 100_000)).toBeCloseTo(0.5 + 0.5 * Math.sqrt(2 / (Math.PI * 100_000)), 6);
    expect(binomialHalfCdf(49_000, 100_000)).toBeGreaterThan(0);
    expect(binomialHalfCdf(49_000, 100_000)).toBeLessThan(1e-9);
  });
});

describe('seeded randomness', () => {
  it('repeats a stream for a seed and differs between seeds', () => {
    const first = Array.from({ length: 5 }, createRandom(7));
    expect(Array.from({ length: 5 }, createRandom(7))).toEqual(first);
    expect(Array.from({ length: 5 }, createRandom(8))).not.toEqual(first);
    expect(first.every((value) => value >= 0 && value < 1)).toBe(true);
  });

  it('derives independent seeds per label', () => {
    expect(deriveSeed(1, 'bleu')).toBe(deriveSeed(1, 'bleu'));
    expect(deriveSeed(1, 'bleu')).not.toBe(deriveSeed(1, 'rouge_l'));
  });

  it('resamples in the bootstrap with the same stream as createRandom', () => {
    // Prepare: the bootstrap inlines the generator for speed; it must draw exactly what createRandom draws.
    const values = [3, 1, 4, 1, 5, 9, 2, 6];
    const random = createRandom(11);
    const expected = Array.from({ length: 200 }, () => {
      let sum = 0;
      for (let i = 0; i < values.length; i++) sum += values[Math.floor(random() * values.length)]!;
      return sum / values.length;
    }).sort((a, b) => a - b);

    // Act / Assess
    expect(Array.from(bootstrapMeans(values, 11, 200))).toEqual(expected);
  });
});

describe('Wilson intervals', () => {
  it('matches the hand-computed interval for 8 of 10: [0.490, 0.943]', () => {
    const [low, high] = wilsonInterval(8, 10);
    expect(low).toBeCloseTo(0.4902, 4);
    expect(high).toBeCloseTo(0.9433, 4);
  });

  it('stays inside [0, 1] at the extremes', () => {
    expect(wilsonInterval(0, 20)[0]).toBe(0);
    expect(wilsonInterval(20, 20)[1]).toBe(1);
    expect(wilsonInterval(0, 20)[1]).toBeCloseTo(0.1611, 4);
  });
});

describe('McNemar, Wilcoxon, permutation and Holm', () => {
  it('gives the exact McNemar p-value: 1 vs 9 discordant pairs → 2 · 11/1024', () => {
    expect(mcnemarExact(1, 9).p_value).toBeCloseTo(22 / 1024, 15);
    expect(mcnemarExact(0, 0).p_value).toBe(1);
    expect(mcnemarExact(5, 5).p_value).toBe(1);
  });

  it('reproduces scipy’s documented exact Wilcoxon example (Fisher’s maize data): p = 0.041259765625', () => {
    // Source: scipy.stats.wilcoxon documentation; W− = 24 (ranks 10 and 14), so W+ = 96.
    const d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];

    // Act
    const result = wilcoxonSignedRank(d);

    // Assess
    expect(result).toMatchObject({ statistic: 96, method: 'exact', direction: 1, n_used: 15 });
    expect(result.p_value).toBeCloseTo(0.041259765625, 12);
  });

  it('uses the normal approximation with continuity correction above the exact limit (hand-computed)', () => {
    // Prepare: same data, forced onto the approximation: mean 60, variance 15·16·31/24 = 310,
    // z = (|96 − 60| − ½) / √310 = 2.01625, two-sided p = 0.04377.
    const d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];

    // Act
    const result = wilcoxonSignedRank(d, 0);

    // Assess
    expect(result.method).toBe('normal');
    expect(result.p_value).toBeCloseTo(2 * (1 - normalCdf(35.5 / Math.sqrt(310))), 6);
    expect(result.p_value).toBeCloseTo(0.04377, 4);
  });

  it('drops zero differences and handles ties with mid-ranks', () => {
    // Prepare: zeros dropped leaves [1, 1, -1, 2]; |d| ranks: 1,1,1 → 2 each, 2 → 4. W+ = 2 + 2 + 4 = 8.
    // Act
    const result = wilcoxonSignedRank([0, 1, 1, -1, 0, 2]);

    // Assess
    expect(result).toMatchObject({ statistic: 8, n_used: 4, n_zero: 2 });
    // Exact null over 16 sign patterns of ranks {2, 2, 2, 4}: P(W+ ≥ 8) = 4/16, so p = 0.5.
    expect(result.p_value).toBeCloseTo(0.5, 12);
  });

  it('enumerates small permutation tests exactly', () => {
    // Prepare: all four differences positive: only 2 of the 16 sign patterns are as extreme.
    expect(pairedPermutationTest([1, 2, 3, 4], { seed: 1 })).toEqual({ p_value: 2 / 16, method: 'exact' });
    expect(pairedPermutationTest([0, 0], { seed: 1 }).p_value).toBe(1);
  });

  it('adjusts p-values with Holm’s step-down (hand-computed), passing nulls through', () => {
    // Sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → raised to 0.06 for monotonicity.
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005]).map((p) => Number(p.toFixed(10)))).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(holmAdjust([0.02, null, 0.5])).toEqual([0.04, null, 0.5]);
    expect(holmAdjust([])).toEqual([]);
  });
});

describe('aggregate', () => {
  it('excludes nulls and counts them', () => {
    const result = aggregate([1, 0, null, 1, null], { binary: true, seed: 1 });
    expect(result).toMatchObject({ mean: 2 / 3, n: 3, n_excluded: 2, ci_method: 'wilson' });
    expect(result.ci95).toEqual(wilsonInterval(2, 3));
  });

  it('has no mean without scores, and no interval from one continuous score', () => {
    expect(aggregate([null, null], { binary: false, seed: 1 })).toEqual({
      mean: null,
      std_error: null,
      ci95: null,
      n: 0,
      n_excluded: 2,
      ci_method: null,
    });
    expect(aggregate([0.4], { binary: false, seed: 1 })).toMatchObject({ mean: 0.4, ci95: null, n: 1 });
  });

  it('bootstraps continuous scores deterministically for a seed', () => {
    const values = Array.from({ length: 50 }, (_, i) => (i * 37) % 11);
    const first = aggregate(values, { binary: false, seed: 5 });
    expect(aggregate(values, { binary: false, seed: 5 })).toEqual(first);
    expect(first.ci_method).toBe('bootstrap_bca');
    expect(first.ci95![0]).toBeLessThan(first.mean!);
    expect(first.ci95![1]).toBeGreaterThan(first.mean!);
  });

  it('switches to the normal interval above the bootstrap limit', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i % 7);
    const result = aggregate(values, { binary: false, seed: 5, bootstrapMaxN: 500 });
    expect(result.ci_method).toBe('normal');
    expect(result.ci95![1] - result.mean!).toBeCloseTo(1.959964 * result.std_error!, 5);
  });

  it('refuses non-binary values for a binary metric and non-finite values', () => {
    expect(() => aggregate([0, 0.5], { binary: true, seed: 1 })).toThrow(RangeError);
    expect(() => aggregate([Number.NaN], { binary: false, seed: 1 })).toThrow(RangeError);
  });

  it('returns a constant sample’s value as its own interval', () => {
    expect(bootstrapMeanInterval([2, 2, 2], { seed: 1 })).toEqual([2, 2]);
  });
});

describe('comparePaired and verdict', () => {
  it('uses McNemar for pass/fail and counts wins from model 2’s point of view', () => {
    // Prepare: model 2 fixes 9 items, breaks 1, ties 5 (one excluded item).
    const a = [...Array(9).fill(0), 1, 1, 1, 0, 0, 0, null];
    const b = [...Array(9).fill(1), 0, 1, 1, 0, 0, 0, 1];

    // Act
    const result = comparePaired(a, b, { binary: true, seed: 3, higherIsBetter: true });

    // Assess
    expect(result).toMatchObject({ test: 'mcnemar_exact', wins: 9, losses: 1, ties: 5, n: 15, n_excluded: 1, direction: 1 });
    expect(result.difference).toBeCloseTo(8 / 15, 12);
    expect(result.p_value).toBeCloseTo(22 / 1024, 12);
    expect(verdict(result, result.p_value)).toBe('model_2 better');
    expect(verdict(result, 0.2)).toBe('no significant difference');
  });

  it('respects lower-is-better metrics in wins and the verdict', () => {
    // Prepare: model 2 is consistently 10 ms slower.
    const a = Array.from({ length: 30 }, (_, i) => 100 + i);
    const b = a.map((value, i) => value + 10 + (i % 3));

    // Act
    const result = comparePaired(a, b, { binary: false, seed: 3, higherIsBetter: false });

    // Assess
    expect(result).toMatchObject({ test: 'wilcoxon_signed_rank', wins: 0, losses: 30, direction: 1 });
    expect(result.difference).toBeCloseTo(11, 12);
    expect(verdict(result, result.p_value)).toBe('model_1 better');
    expect(verdict(result, result.p_value, { higherIsBetter: false, alpha: 1e-12 })).toBe('no significant difference');
  });

  it('offers the paired permutation test for continuous metrics', () => {
    const a = Array.from({ length: 40 }, (_, i) => (i % 5) / 5);
    const b = a.map((value, i) => value + (i % 2 === 0 ? 0.1 : 0.05));
    const result = comparePaired(a, b, { binary: false, seed: 3, higherIsBetter: true, continuousTest: 'paired_permutation', permutations: 2000 });
    expect(result.test).toBe('paired_permutation');
    expect(result.p_value).toBeCloseTo(1 / 2001, 12);
    expect(comparePaired(a, b, { binary: false, seed: 3, higherIsBetter: true, continuousTest: 'paired_permutation', permutations: 2000 })).toEqual(
      result,
    );
  });

  it('has nothing to compare without items scored for both models', () => {
    const result = comparePaired([1, null], [null, 0], { binary: true, seed: 1, higherIsBetter: true });
    expect(result).toMatchObject({ difference: null, p_value: null, n: 0, n_excluded: 2 });
    expect(verdict(result, null)).toBe('no significant difference');
  });

  it('refuses misaligned score lists', () => {
    expect(() => comparePaired([1], [1, 0], { binary: true, seed: 1, higherIsBetter: true })).toThrow(RangeError);
  });
});
