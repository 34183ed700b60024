import type { Schemas } from '../client/index.js';
import type { Received } from './api.js';
import { formatInterval, formatMilliseconds, formatNumber, formatPValue, formatSigned, renderTable } from './table.js';

type EvaluationResults = Received<Schemas['EvaluationResults']>;
type ModelResults = Received<Schemas['ModelResults']>;
type Verdict = Schemas['MetricComparison']['verdict'];

/**
 * Metric names in the order the evaluation asked for them, the rest alphabetically: stored results keep
 * no order, and tables that reshuffle between runs are hard to compare.
 */
export function orderMetrics(names: readonly string[], requested: readonly string[] = []): string[] {
  const rank = (name: string) => (requested.includes(name) ? requested.indexOf(name) : requested.length);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const entriesInOrder = <T>(record: Record<string, T>, requested: readonly string[]) =>
  orderMetrics(Object.keys(record), requested).map((name) => [name, record[name]!] as const);

/** One model's metrics: mean, 95% CI, n, and how many items were left out of the mean. */
export function modelTable(model: ModelResults, requested: readonly string[] = []): string {
  const title = `${model.model_id}${model.baseline ? ' (baseline)' : ''}: ${model.completed_items} scored, ${model.failed_items} failed`;
  const rows = entriesInOrder(model.metrics, requested).map(([name, metric]) => [
    name,
    formatNumber(metric.mean),
    formatInterval(metric.ci95),
    String(metric.n),
    String(metric.n_excluded),
  ]);
  const table = renderTable(['metric', 'mean', '95% CI', 'n', 'excluded'], rows, ['left', 'right', 'left', 'right', 'right']);
  const cost = model.cost_usd === null ? 'n/a' : `$${model.cost_usd.toFixed(4)}`;
  const operations =
    `latency p50 ${formatMilliseconds(model.latency_ms.p50)}, p95 ${formatMilliseconds(model.latency_ms.p95)}; ` +
    `tokens ${model.usage.input_tokens} in, ${model.usage.output_tokens} out; cost ${cost}`;
  const failures = Object.entries(model.failure_reasons);
  const failureLine = failures.length > 0 ? [`failures: ${failures.map(([code, count]) => `${code} ${count}`).join(', ')}`] : [];
  return [title, indent(table), indent(operations), ...failureLine.map(indent)].join('\n');
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');

/** "model_2 better" says little on a terminal; the model's name says it all. */
export function verdictText(verdict: Verdict, modelId: string, modelId2: string): string {
  if (verdict === 'model_2 better') return `${modelId2} better`;
  if (verdict === 'model_1 better') return `${modelId} better`;
  return 'no significant difference';
}

/** The paired comparison: difference (model 2 − model 1) with its interval, p-value, wins/ties/losses, verdict. */
export function comparisonTable(comparison: NonNullable<EvaluationResults['comparison']>, requested: readonly string[] = []): string {
  const { model_id: first, model_id_2: second } = comparison;
  const rows = entriesInOrder(comparison.metrics, requested).map(([name, metric]) => [
    name,
    formatSigned(metric.difference),
    formatInterval(metric.ci95, formatSigned),
    formatPValue(metric.p_value),
    `${metric.wins}/${metric.ties}/${metric.losses}`,
    verdictText(metric.verdict, first, second),
  ]);
  for (const [name, pairwise] of entriesInOrder(comparison.pairwise ?? {}, requested)) {
    rows.push([
      `${name} (preference for ${second})`,
      formatNumber(pairwise.preference.mean),
      formatInterval(pairwise.preference.ci95),
      formatPValue(pairwise.p_value),
      `${pairwise.wins}/${pairwise.ties}/${pairwise.losses}`,
      verdictText(pairwise.verdict, first, second),
    ]);
  }
  const table = renderTable(['metric', 'difference', '95% CI', 'p-value', 'wins/ties/losses', 'verdict'], rows, [
    'left',
    'right',
    'left',
    'right',
    'right',
    'left',
  ]);
  return [`comparison: ${second} − ${first} (wins: ${second} scored higher)`, indent(table)].join('\n');
}

/** Every model's table, then the comparison when there is one; `requested` is the evaluation's metric order. */
export function resultsView(results: EvaluationResults, requested: readonly string[] = []): string {
  const parts = results.models.map((model) => modelTable(model, requested));
  if (results.comparison) parts.push(comparisonTable(results.comparison, requested));
  return parts.join('\n\n');
}
