import type { MetricComparison, PairwiseSummary } from '../../../contracts/evaluations/result-types.js';
import { differenceChart } from '../charts/difference-chart.js';
import { outcomeBar } from '../charts/outcome-bar.js';
import { formatInterval, formatPValue, formatPercent, formatScore, formatSigned, verdictText } from '../format.js';
import { html, type Markup } from '../html.js';
import { metricTags, swatch, type ReportContext } from './context.js';

function verdictCell(context: ReportContext, verdict: MetricComparison['verdict']): Markup {
  const [first, second] = context.models;
  const winner = verdict === 'model_2 better' ? second : verdict === 'model_1 better' ? first : undefined;
  return html`<span class="verdict${winner ? '' : ' none'}" data-verdict="${verdict}">${winner ? swatch(winner.colour) : ''}${verdictText(verdict, first!.id, second!.id)}</span>`;
}

const testNames: Record<string, string> = {
  mcnemar_exact: 'McNemar exact',
  wilcoxon_signed_rank: 'Wilcoxon signed-rank',
  paired_permutation: 'paired permutation',
  sign_test: 'sign test',
};

function pValueCell(p: number | null, adjusted: number | null, test: string): Markup {
  const shown = formatPValue(adjusted ?? p);
  const unadjusted = p === null ? shown : formatPValue(p);
  return html`${shown}<div class="note">${testNames[test] ?? test}${unadjusted !== shown ? html`<br>unadjusted ${unadjusted}` : ''}</div>`;
}

/**
 * Model 2 against model 1, metric by metric: the paired difference with its interval, the test and its
 * p-value (Holm-adjusted across the metrics), the verdict, and how the items split into wins, ties and
 * losses. Pairwise (judged preference) metrics follow in their own table.
 */
export function comparisonSection(context: ReportContext): Markup {
  const comparison = context.data.evaluation.results?.comparison;
  if (!comparison) return html``;
  const [first, second] = context.models as [ReportContext['models'][number], ReportContext['models'][number]];
  const colours: [string, string] = [first.colour, second.colour];
  const metricByName = new Map(context.data.metrics.map((metric) => [metric.name, metric]));
  const rows = Object.entries(comparison.metrics);
  const pairwise = Object.entries(comparison.pairwise ?? {});
  return html`<section class="comparison">
<h2>Comparison</h2>
<p class="note">Differences are <code>${second.id}</code> − <code>${first.id}</code>, paired by item, with 95% intervals; shading shows which model each side favours. Wins are items where ${swatch(
    second.colour,
  )}<code>${second.id}</code> did better, losses where ${swatch(first.colour)}<code>${first.id}</code> did. p-values are Holm-adjusted across the metrics; a verdict needs p &lt; 0.05.</p>
${
  rows.length === 0
    ? html`<p class="muted">No per-answer metrics to compare.</p>`
    : html`<div class="table-scroll"><table class="comparison-table"><thead><tr><th>Metric</th><th class="num">Difference [95% CI]</th><th></th><th class="num">p</th><th>Verdict</th><th>Wins / ties / losses</th></tr></thead><tbody>${rows.map(
        ([name, result]) => {
          const metric = metricByName.get(name);
          const span = metric?.range ? metric.range[1] - metric.range[0] : null;
          return html`<tr data-metric="${name}"><td><code>${name}</code>${metric ? metricTags(metric) : ''}<div class="note">n = ${result.n}</div></td><td class="num">${formatSigned(result.difference)}<div class="note">${formatInterval(
            result.ci95,
            true,
          )}</div></td><td>${differenceChart({ metric: name, difference: result.difference, ci95: result.ci95, span, higherIsBetter: metric?.higherIsBetter ?? true, colours })}</td><td class="num">${pValueCell(result.p_value, result.p_value_adjusted, result.test)}</td><td>${verdictCell(context, result.verdict)}</td><td>${outcomeBar(
            {
              metric: name,
              wins: result.wins,
              ties: result.ties,
              losses: result.losses,
              model: first.id,
              model2: second.id,
            },
          )}<div class="note">${result.wins} / ${result.ties} / ${result.losses}</div></td></tr>`;
        },
      )}</tbody></table></div>`
}
${pairwise.length > 0 ? pairwiseTable(context, pairwise) : ''}
</section>`;
}

function pairwiseTable(context: ReportContext, entries: [string, PairwiseSummary][]): Markup {
  const [first, second] = context.models as [ReportContext['models'][number], ReportContext['models'][number]];
  return html`<h3 class="spaced">Judged preference</h3>
<p class="note">Share of the preference going to <code>${second.id}</code> (0.5 is none), judged in both orders; a verdict that changed with the order counts as a tie (the flip rate).</p>
<div class="table-scroll"><table class="pairwise-table"><thead><tr><th>Metric</th><th class="num">Preference for model 2 [95% CI]</th><th class="num">Flip rate</th><th class="num">p</th><th>Verdict</th><th>Wins / ties / losses</th><th>Judge</th></tr></thead><tbody>${entries.map(
    ([name, summary]) =>
      html`<tr data-metric="${name}"><td><code>${name}</code><div class="note">n = ${summary.preference.n}${
        summary.preference.n_excluded ? `, ${summary.preference.n_excluded} excluded` : ''
      }</div></td><td class="num">${formatScore(summary.preference.mean)}<div class="note">${formatInterval(summary.preference.ci95)}</div></td><td class="num">${formatPercent(
        summary.flip_rate,
      )}</td><td class="num">${pValueCell(summary.p_value, summary.p_value_adjusted, 'sign_test')}</td><td>${verdictCell(context, summary.verdict)}</td><td>${outcomeBar(
        {
          metric: name,
          wins: summary.wins,
          ties: summary.ties,
          losses: summary.losses,
          model: first.id,
          model2: second.id,
        },
      )}<div class="note">${summary.wins} / ${summary.ties} / ${summary.losses}</div></td><td class="nowrap"><code>${summary.judge_model_id}</code></td></tr>`,
  )}</tbody></table></div>`;
}
