import type { ScoreRow } from '#shared/domain/ports/score-rows.js';
import { ResultColumns } from '#shared/domain/evaluator/result-columns.js';
import type { ScoredMetric } from '#shared/domain/evaluator/scoring.js';
import { passAtK, passHatK } from '#shared/domain/stats/repeats.js';
import { randomEvaluation } from '../../../bench/synthetic-results.js';

const metrics: ScoredMetric[] = [{ name: 'exact_match', kind: 'computed', binary: true, higherIsBetter: true }];
const modelA = 'llama-small';
const modelB = 'claude-big';

// Four samples of three items: stable, flipping on odd samples, passing once.
const samplesA = [
  [1, 1, 1, 1],
  [1, 0, 1, 0],
  [0, 0, 0, 1],
];
const samplesB = [
  [1, 1, 1, 1],
  [1, 1, 1, 1],
  [1, 1, 0, 1],
];

function rowsOf(): ScoreRow[] {
  return samplesA.flatMap((scores, position) =>
    scores.map((score, repeat) => ({
      position,
      repeat,
      outputs: {
        [modelA]: { status: 'scored', scores: { exact_match: score }, latency_ms: 10 },
        [modelB]: { status: 'scored', scores: { exact_match: samplesB[position]![repeat]! }, latency_ms: 10 },
      },
    })),
  );
}

function finalize(pageSize: number) {
  const evaluation = { ...randomEvaluation({ items: 3, metrics }), repeats: 4 };
  delete evaluation.judges;
  delete evaluation.judge_models;
  const columns = new ResultColumns(evaluation, metrics);
  const rows = rowsOf();
  for (let i = 0; i < rows.length; i += pageSize) columns.add(rows.slice(i, i + pageSize));
  return columns.results();
}

describe('finalize with repeats', () => {
  it('takes the item as the unit: means over per-item means, n counts items, the samples are all counted', () => {
    const [a] = finalize(5).models;

    expect(a!.completed_items).toBe(12);
    expect(a!.metrics.exact_match!.n).toBe(3);
    expect(a!.metrics.exact_match!.mean).toBeCloseTo((1 + 0.5 + 0.25) / 3, 12);
  });

  it('reports pass@k, pass^k and flaky items per model', () => {
    const [a] = finalize(5).models;

    expect(a!.repeats).toEqual({
      samples: 12,
      items: 3,
      flaky_items: 2,
      metrics: {
        exact_match: {
          k: 4,
          pass_at_k: (passAtK(4, 4, 4) + passAtK(4, 2, 4) + passAtK(4, 1, 4)) / 3,
          pass_hat_k: 1 / 3,
          items: 3,
          flaky_items: 2,
          flakiness_rate: (0 + 0.5 + 0.25) / 3,
        },
      },
    });
    expect(passHatK(4, 2, 4)).toBe(0);
  });

  it('gives the same results whatever the pages cut an item’s samples', () => {
    expect(finalize(5)).toEqual(finalize(12));
    expect(finalize(1)).toEqual(finalize(7));
  });

  it('pairs the comparison on per-item means', () => {
    const comparison = finalize(4).comparison!.metrics.exact_match!;
    // Per-item means: A 1, 0.5, 0.25; B 1, 1, 0.75.
    expect(comparison.difference).toBeCloseTo((0 + 0.5 + 0.5) / 3, 12);
    expect(comparison.wins + comparison.ties + comparison.losses).toBe(3);
  });
});
