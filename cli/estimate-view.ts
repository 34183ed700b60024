import type { EstimateResponse } from '#shared/contracts/evaluations/estimate-schemas.js';
import { formatDuration, renderTable } from './table.js';

type Range = { low: number; expected: number; high: number };

/** Dollars with enough digits that a cheap run does not read as $0.00. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd >= 100) return `$${usd.toFixed(0)}`;
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  return `$${usd.toPrecision(2)}`;
}

const count = (value: number) => value.toLocaleString('en-US');
const tokens = (range: Range) => `${count(range.low)}–${count(range.high)}`;
const cost = (range: Range | null) => (range ? `${formatUsd(range.low)} / ${formatUsd(range.expected)} / ${formatUsd(range.high)}` : 'no pricing');

/** The estimate as a table a person reads before saying yes: one row per model and judge, then the totals. */
export function estimateView(estimate: EstimateResponse): string {
  const rows: string[][] = [
    ...estimate.models.map((model) => [
      'model',
      model.model_id,
      count(model.calls),
      tokens(model.input_tokens),
      `${count(model.output_tokens.expected)} / ${count(model.output_tokens.max_tokens_bound)}`,
      cost(model.cost_usd),
    ]),
    ...estimate.judges.map((judge) => [
      'judge',
      `${judge.judge_model_id} (${judge.metrics.map((metric) => metric.name).join(', ')})`,
      count(judge.calls),
      tokens(judge.input_tokens),
      `${count(judge.output_tokens.expected)} / ${count(judge.output_tokens.max_tokens_bound)}`,
      cost(judge.cost_usd),
    ]),
  ];
  const { totals, duration } = estimate;
  rows.push([
    'total',
    totals.cost_complete ? '' : `(without ${totals.unpriced_models.join(', ')})`,
    count(totals.calls),
    tokens(totals.input_tokens),
    `${count(totals.output_tokens.expected)} / ${count(totals.output_tokens.max_tokens_bound)}`,
    cost(totals.cost_usd),
  ]);
  const observed = estimate.models
    .filter((model) => model.output_tokens.observed_mean_per_call !== null)
    .map(
      (model) =>
        `${model.model_id} ${model.output_tokens.observed_mean_per_call} tokens a call (${model.output_tokens.observed_from?.evaluations} evaluations)`,
    );
  const lines = [
    `estimate: ${estimate.benchmark_id} (version ${estimate.benchmark_version}, ${count(estimate.item_count)} items${
      estimate.items_rendered < estimate.item_count ? `, ${count(estimate.items_rendered)} rendered` : ''
    }), tokens by ${estimate.tokenisation.method}`,
    renderTable(['', 'model', 'calls', 'input tokens', 'output expected / max', 'cost low / expected / high'], rows, [
      'left',
      'left',
      'right',
      'right',
      'right',
      'right',
    ]),
    `duration: ${formatDuration(duration.low_seconds)} to ${formatDuration(duration.high_seconds)} (${duration.chunk_count} chunks of ${duration.chunk_size}, up to ${duration.parallel_chunks} at once${
      duration.bottleneck_model_id ? `; slowest: ${duration.bottleneck_model_id}` : ''
    })`,
    `observed output: ${observed.length > 0 ? observed.join('; ') : 'none yet (expected output assumes max_tokens)'}`,
    ...[...estimate.models, ...estimate.judges].flatMap((entry) => (entry.cost_note && !entry.cost_usd ? [`note: ${entry.cost_note}`] : [])),
  ];
  return lines.join('\n');
}
