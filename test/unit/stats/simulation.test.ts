import { aggregate } from '#shared/domain/stats/aggregate.js';
import { comparePaired, type CompareOptions } from '#shared/domain/stats/compare.js';
import { createRandom, type Random } from '#shared/domain/stats/random.js';

/**
 * Calibration by simulation: data with a known truth, 1,000 seeded runs. A 95% interval should contain
 * the true mean in about 95% of runs (the binomial spread over 1,000 runs is ±1.4 points, hence 93–97%),
 * and a test at α = 0.05 should call two equal models different in about 5% of runs at most.
 */
const runs = 1000;

const normal = (random: Random) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const bernoulli = (random: Random, p: number) => (random() < p ? 1 : 0);

function coverage(draw: (random: Random) => number, truth: number, n: number, binary: boolean): number {
  const random = createRandom(1);
  let covered = 0;
  for (let run = 0; run < runs; run++) {
    const values = Array.from({ length: n }, () => draw(random));
    const [low, high] = aggregate(values, { binary, seed: run }).ci95!;
    if (low <= truth && truth <= high) covered++;
  }
  return covered / runs;
}

function falsePositiveRate(draw: (random: Random) => [number, number], n: number, options: Omit<CompareOptions, 'seed'>): number {
  const random = createRandom(777);
  let significant = 0;
  for (let run = 0; run < runs; run++) {
    const pairs = Array.from({ length: n }, () => draw(random));
    const result = comparePaired(
      pairs.map(([a]) => a),
      pairs.map(([, b]) => b),
      { ...options, seed: run, resamples: 200 },
    );
    if (result.p_value !== null && result.p_value < 0.05) significant++;
  }
  return significant / runs;
}

describe('interval coverage over 1,000 seeded runs', () => {
  it('covers a pass rate of 0.3 (n = 200) with Wilson intervals 93–97% of the time', () => {
    const rate = coverage((random) => bernoulli(random, 0.3), 0.3, 200, true);
    expect(rate).toBeGreaterThanOrEqual(0.93);
    expect(rate).toBeLessThanOrEqual(0.97);
  });

  it('covers the mean of normal scores (n = 100) with the bootstrap 93–97% of the time', () => {
    const rate = coverage((random) => 0.6 + 0.15 * normal(random), 0.6, 100, false);
    expect(rate).toBeGreaterThanOrEqual(0.93);
    expect(rate).toBeLessThanOrEqual(0.97);
  });

  it('covers the mean of skewed scores (exponential latencies, n = 100) 93–97% of the time', () => {
    const rate = coverage((random) => -250 * Math.log(1 - random()), 250, 100, false);
    expect(rate).toBeGreaterThanOrEqual(0.93);
    expect(rate).toBeLessThanOrEqual(0.97);
  });
});

describe('false positives between equal models over 1,000 seeded runs', () => {
  it('McNemar calls equal pass rates different in at most 7% of runs', () => {
    // Correlated outcomes, as on a real benchmark: both models find the same items hard.
    const draw = (random: Random): [number, number] => {
      const easy = random() < 0.5;
      return [bernoulli(random, easy ? 0.9 : 0.4), bernoulli(random, easy ? 0.9 : 0.4)];
    };
    expect(falsePositiveRate(draw, 150, { binary: true, higherIsBetter: true })).toBeLessThanOrEqual(0.07);
  });

  it('the signed-rank test calls equal continuous scores different in at most 7% of runs', () => {
    const draw = (random: Random): [number, number] => {
      const difficulty = random();
      return [Math.min(1, Math.max(0, difficulty + 0.1 * normal(random))), Math.min(1, Math.max(0, difficulty + 0.1 * normal(random)))];
    };
    expect(falsePositiveRate(draw, 100, { binary: false, higherIsBetter: true })).toBeLessThanOrEqual(0.07);
  });

  it('the permutation test calls equal skewed scores different in at most 7% of runs', () => {
    const draw = (random: Random): [number, number] => [-100 * Math.log(1 - random()), -100 * Math.log(1 - random())];
    expect(
      falsePositiveRate(draw, 60, { binary: false, higherIsBetter: false, continuousTest: 'paired_permutation', permutations: 1000 }),
    ).toBeLessThanOrEqual(0.07);
  });
});
