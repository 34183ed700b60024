import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { itemRepeatStats, passAtK, passHatK } from '#shared/domain/stats/repeats.js';

interface Case {
  n: number;
  c: number;
  k: number;
  pass_at_k: number;
  pass_hat_k: number;
  pass_at_k_paper_numpy: number;
}

// Made by the python3 snippet in docs/statistics.md ("Repeats"): exact scipy.special.comb ratios, and the
// paper's own numpy estimator for pass@k.
const fixture = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../fixtures/pass-at-k.json'), 'utf8')) as { cases: Case[] };

describe('pass@k and pass^k', () => {
  it.each(fixture.cases.map((row) => [row.n, row.c, row.k, row] as const))('n=%d c=%d k=%d matches scipy and the paper', (n, c, k, row) => {
    expect(passAtK(n, c, k)).toBeCloseTo(row.pass_at_k, 12);
    expect(passAtK(n, c, k)).toBeCloseTo(row.pass_at_k_paper_numpy, 12);
    expect(passHatK(n, c, k)).toBeCloseTo(row.pass_hat_k, 12);
  });

  it('stays in [0, 1] where the binomials overflow a double (n = 2000)', () => {
    expect(passAtK(2000, 3, 1000)).toBeCloseTo(1 - 0.5 * (999 / 1999) * (998 / 1998), 12);
    expect(passHatK(2000, 1999, 1000)).toBeCloseTo(0.5, 12);
  });

  it('refuses counts that do not describe samples', () => {
    expect(() => passAtK(5, 6, 1)).toThrow(RangeError);
    expect(() => passAtK(5, 2, 6)).toThrow(RangeError);
    expect(() => passHatK(5, 2, 0)).toThrow(RangeError);
  });
});

describe('per-item repeat statistics', () => {
  it('flags an item whose samples disagree and rates the minority share', () => {
    expect(itemRepeatStats([1, 0, 1, 1, null], true)).toEqual({ n: 4, mean: 0.75, passed: 3, flakiness_rate: 0.25, flaky: true });
  });

  it('calls a unanimous item stable', () => {
    expect(itemRepeatStats([0, 0, 0], true)).toEqual({ n: 3, mean: 0, passed: 0, flakiness_rate: 0, flaky: false });
  });

  it('has no mean when no sample was scored', () => {
    expect(itemRepeatStats([null, null], false)).toEqual({ n: 0, mean: null, flakiness_rate: 0, flaky: false });
  });
});
