/**
 * The comparison's non-inferiority test and Student's t CDF against scipy's values, recorded in
 * test/fixtures/comparison-stats.json by test/fixtures/comparison-stats.py (scipy.stats.ttest_1samp with
 * `alternative`, its 90% two-sided interval's bound, scipy.stats.t.cdf).
 */
import { readFileSync } from 'node:fs';
import { holmAdjust, nonInferiority, studentTCdf } from '#shared/domain/stats/index.js';

const reference = JSON.parse(readFileSync(new URL('../../fixtures/comparison-stats.json', import.meta.url), 'utf8')) as {
  non_inferiority: { differences: number[]; margin: number; higher_is_better: boolean; t: number; p_value: number; bound: number }[];
  t_cdf: { t: number; df: number; cdf: number }[];
  holm?: { p_values: number[]; adjusted: number[] };
};

describe('comparison statistics against scipy', () => {
  it.each(reference.t_cdf)('Student t CDF at t=$t, df=$df matches scipy.stats.t.cdf', ({ t, df, cdf }) => {
    expect(studentTCdf(t, df)).toBeCloseTo(cdf, 10);
  });

  it.each(reference.non_inferiority)(
    'non-inferiority on $differences.length differences (margin $margin, higher is better: $higher_is_better) matches ttest_1samp',
    ({ differences, margin, higher_is_better, t, p_value, bound }) => {
      const result = nonInferiority(differences, margin, higher_is_better);
      expect(result.t).toBeCloseTo(t, 9);
      expect(result.p_value).toBeCloseTo(p_value, 9);
      expect(result.bound).toBeCloseTo(bound, 7);
      expect(result.non_inferior).toBe(p_value < 0.05);
    },
  );

  it('Holm matches statsmodels when the fixture has it', () => {
    if (!reference.holm) return;
    const adjusted = holmAdjust(reference.holm.p_values);
    for (const [i, p] of adjusted.entries()) expect(p).toBeCloseTo(reference.holm.adjusted[i]!, 12);
  });
});
