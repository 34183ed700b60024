import type { Schemas } from '../../../client/index.js';
import { modelProgress, progressLine } from '../../../cli/progress.js';
import { comparisonTable, modelTable, orderMetrics } from '../../../cli/results-view.js';
import { formatDuration, formatNumber, formatPValue, renderTable } from '../../../cli/table.js';
import { checkThresholds, parseThreshold } from '../../../cli/thresholds.js';

const modelResults = (model_id: string, accuracy: number | null, extra: Partial<Schemas['ModelResults']> = {}): Schemas['ModelResults'] => ({
  model_id,
  baseline: false,
  completed_items: 40,
  failed_items: 2,
  metrics: {
    relevance: { mean: 0.81234, std_error: 0.02, ci95: [0.77, 0.85], n: 40, n_excluded: 2 },
    accuracy: { mean: accuracy, std_error: 0.05, ci95: accuracy === null ? null : [accuracy - 0.1, accuracy + 0.1], n: 40, n_excluded: 2 },
  },
  usage: { input_tokens: 4000, output_tokens: 800 },
  cost_usd: 0.0123,
  latency_ms: { p50: 420, p95: 1310.5 },
  failure_reasons: { timeout: 2 },
  ...extra,
});

describe('tables', () => {
  it('pads columns and right-aligns numbers', () => {
    expect(
      renderTable(
        ['metric', 'mean'],
        [
          ['accuracy', '0.900'],
          ['f1', '10.5'],
        ],
        ['left', 'right'],
      ),
    ).toBe(['metric     mean', 'accuracy  0.900', 'f1         10.5'].join('\n'));
  });

  it('formats scores, large values, p-values and durations for reading', () => {
    expect([formatNumber(0.81234), formatNumber(1310.5), formatNumber(42.25), formatNumber(null)]).toEqual(['0.812', '1311', '42.3', 'n/a']);
    expect([formatPValue(0.0004), formatPValue(0.04321), formatPValue(null)]).toEqual(['<0.001', '0.043', 'n/a']);
    expect([formatDuration(5), formatDuration(125), formatDuration(7300), formatDuration(null)]).toEqual(['5s', '2m05s', '2h01m', '--']);
  });

  it("shows a model's metrics in the evaluation's order with mean, CI, n and exclusions, then latency, usage, cost and failures", () => {
    const table = modelTable(modelResults('gpt-4o', 0.9), ['accuracy', 'relevance']);

    expect(table.split('\n')).toEqual([
      'gpt-4o: 40 scored, 2 failed',
      '  metric      mean  95% CI           n  excluded',
      '  accuracy   0.900  [0.800, 1.000]  40         2',
      '  relevance  0.812  [0.770, 0.850]  40         2',
      '  latency p50 420 ms, p95 1311 ms; tokens 4000 in, 800 out; cost $0.0123',
      '  failures: timeout 2',
    ]);
  });

  it('orders metrics as requested, then alphabetically', () => {
    expect(orderMetrics(['rouge_l', 'bleu', 'accuracy', 'exact_match'], ['exact_match', 'bleu'])).toEqual([
      'exact_match',
      'bleu',
      'accuracy',
      'rouge_l',
    ]);
  });

  it('names the better model in the comparison verdict, with the signed difference and its interval', () => {
    const table = comparisonTable({
      model_id: 'old',
      model_id_2: 'new',
      metrics: {
        accuracy: {
          difference: 0.12,
          ci95: [0.05, 0.19],
          p_value: 0.0002,
          p_value_adjusted: 0.0004,
          test: 'mcnemar',
          wins: 9,
          ties: 28,
          losses: 3,
          n: 40,
          verdict: 'model_2 better',
        },
        relevance: {
          difference: -0.01,
          ci95: [-0.04, 0.02],
          p_value: 0.51,
          p_value_adjusted: 0.51,
          test: 'wilcoxon',
          wins: 12,
          ties: 14,
          losses: 14,
          n: 40,
          verdict: 'no significant difference',
        },
      },
    });

    expect(table.split('\n')).toEqual([
      'comparison: new − old (wins: new scored higher)',
      '  metric     difference  95% CI            p-value  wins/ties/losses  verdict',
      '  accuracy       +0.120  [+0.050, +0.190]   <0.001            9/28/3  new better',
      '  relevance      -0.010  [-0.040, +0.020]    0.510          12/14/14  no significant difference',
    ]);
  });
});

describe('--fail-under', () => {
  it('parses metric=value and refuses anything else', () => {
    expect(parseThreshold('accuracy=0.8')).toEqual({ metric: 'accuracy', minimum: 0.8 });
    expect(() => parseThreshold('accuracy')).toThrow('--fail-under expects metric=value');
    expect(() => parseThreshold('accuracy=high')).toThrow('--fail-under expects metric=value');
  });

  it('checks every model, and counts a missing mean or an uncomputed metric as missed', () => {
    const results = { models: [modelResults('a', 0.9), modelResults('b', 0.7)], seed: 1 };
    const check = checkThresholds(results, [
      { metric: 'accuracy', minimum: 0.8 },
      { metric: 'bleu', minimum: 0.1 },
    ]);

    expect(check.met).toEqual(['accuracy of a is 0.900, at least 0.8']);
    expect(check.missed).toEqual(['accuracy of b is 0.700, under 0.8', 'bleu: not computed by this evaluation (its metrics: relevance, accuracy)']);
    expect(checkThresholds({ models: [modelResults('c', null)], seed: 1 }, [{ metric: 'accuracy', minimum: 0.5 }]).missed).toEqual([
      'accuracy of c has no mean (every item was excluded), needs at least 0.5',
    ]);
  });
});

describe('progress', () => {
  const status = (
    overrides: Partial<Schemas['EvaluationStatus']['progress']> = {},
    state: Schemas['EvaluationStatus']['status'] = 'running',
  ): Schemas['EvaluationStatus'] => ({
    evaluation_id: 'eval-1',
    status: state,
    model_id: 'a',
    model_id_2: 'b',
    benchmark_id: 'task-1',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    cache_mode: 'use',
    cache_hits: 0,
    cache_saved_usd: 0,
    progress: {
      total_items: 100,
      completed_items: 40,
      failed_items: 0,
      percent: 40,
      items_per_second: 4,
      eta_seconds: 15,
      models: [
        { model_id: 'b', scored: 38, failed: 2, percent: 40 },
        { model_id: 'a', scored: 30, failed: 0, percent: 30 },
      ],
      ...overrides,
    },
  });

  it("gives each model, in the evaluation's order, its share, rate and its own ETA", () => {
    expect(modelProgress(status())).toEqual([
      { model_id: 'a', done: 30, total: 100, percent: 30, rate: 4, eta: 18 },
      { model_id: 'b', done: 40, total: 100, percent: 40, rate: 4, eta: 15 },
    ]);
  });

  it('reads as one line for logs, with rate and ETA while running', () => {
    expect(progressLine(status())).toBe('eval-1 running  a 30.0% (30/100)  b 40.0% (40/100)  4.0 items/s  ETA 15s');
    expect(progressLine(status({ models: [] }, 'pending'))).toBe('eval-1 pending  a 0.0% (0/100)  b 0.0% (0/100)');
  });
});
