import type { ItemResult } from '#shared/contracts/evaluations/result-types.js';
import type { Evaluation } from '#shared/contracts/evaluations/schemas.js';
import { computeResults } from '#shared/domain/evaluator/aggregate-results.js';
import { ResultColumns } from '#shared/domain/evaluator/result-columns.js';
import type { ScoredMetric } from '#shared/domain/evaluator/scoring.js';
import { randomEvaluation, randomMetrics, randomPages, randomRows } from '../../../bench/synthetic-results.js';

function streamed(evaluation: Evaluation, rows: readonly ItemResult[], metrics: readonly ScoredMetric[], seed: number) {
  const columns = new ResultColumns(evaluation, metrics);
  for (const page of randomPages(rows, seed)) columns.add(page);
  return { results: columns.results(), rows: columns.rows };
}

describe('finalize streamed into columns', () => {
  // 60 items take the exact tests and the bootstrap; 3,000 the signed-rank normal approximation with the
  // bootstrap; 21,000 the normal interval above the bootstrap's limit.
  it.each([
    [60, 1],
    [60, 2],
    [3_000, 3],
    [21_000, 4],
  ])('gives exactly the row-based results for %i random items (seed %i), whatever the page sizes', (items, seed) => {
    const evaluation = randomEvaluation({ items });
    const rows = randomRows({ items, seed });

    const expected = computeResults(evaluation, rows, randomMetrics);
    const actual = streamed(evaluation, rows, randomMetrics, seed);

    expect(actual.rows).toBe(items);
    expect(actual.results).toEqual(expected);
    // The data exercised what it should: failures of both kinds, nulls, judge failures, pairwise verdicts.
    const [first, second] = expected.models;
    expect(first!.failure_reasons).toHaveProperty('unknown');
    expect(first!.failed_items).toBeGreaterThan(0);
    expect(first!.metrics.token_f1!.n_excluded).toBeGreaterThan(first!.failed_items);
    expect(first!.cost_usd).toBeGreaterThan(0);
    // Judges' spend is summed too (per judged and pairwise metric).
    expect(Object.values(expected.judges ?? {}).every((judge) => (judge.usage?.input_tokens ?? 0) > 0)).toBe(true);
    expect(second!.cost_usd).toBeNull();
    expect(Object.keys(expected.judges!.relevance!.judge_failures)).toEqual(expect.arrayContaining(['judge_refused', 'no_score']));
    expect(expected.judges!.relevance!.judge_same_family).toBe(true);
    expect(expected.comparison!.pairwise!.pairwise_preference!.judge_failures).not.toEqual({});
    expect(expected.comparison!.pairwise!.pairwise_style!.flip_rate).toBeGreaterThan(0);
  });

  it('gives the row-based results without a comparison, and for an evaluation without rows', () => {
    const single = randomEvaluation({ items: 500, comparison: false });
    const rows = randomRows({ items: 500, seed: 5, comparison: false });
    expect(streamed(single, rows, randomMetrics, 5).results).toEqual(computeResults(single, rows, randomMetrics));

    const empty = randomEvaluation({ items: 0 });
    expect(streamed(empty, [], randomMetrics, 6).results).toEqual(computeResults(empty, [], randomMetrics));
  });

  it('reads only the answers, judgements and verdicts the statistics need', () => {
    const columns = new ResultColumns(randomEvaluation({ items: 10 }), randomMetrics);

    expect(columns.shape).toEqual({
      modelIds: ['llama-small', 'claude-big'],
      judgedMetrics: ['relevance', 'correct'],
      pairwiseMetrics: ['pairwise_preference', 'pairwise_style'],
    });
  });
});
