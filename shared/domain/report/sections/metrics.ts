import { metricBarChart } from '../charts/metric-bar-chart.js';
import { html, type Markup } from '../html.js';
import { metricTags, modelLegend, type ReportContext } from './context.js';

/** One card per metric: each model's mean with its 95% confidence interval. */
export function metricsSection(context: ReportContext): Markup {
  const metrics = context.perAnswer.filter((metric) => context.models.some((model) => model.results?.metrics[metric.name]));
  if (metrics.length === 0) {
    return html`<section class="metrics"><h2>Metrics</h2><p class="muted">This evaluation has no per-answer metrics to chart.</p></section>`;
  }
  return html`<section class="metrics">
<h2>Metrics</h2>
<p class="note">Bars are means over the items scored; whiskers are 95% confidence intervals (Wilson for pass/fail metrics, bootstrap otherwise). Failed items and items a metric does not apply to are excluded and counted.</p>
${modelLegend(context)}
<div class="grid">${metrics.map((metric) => {
    const bars = context.models.map((model) => {
      const aggregate = model.results?.metrics[metric.name];
      return { model: model.id, colour: model.colour, mean: aggregate?.mean ?? null, ci95: aggregate?.ci95 ?? null, n: aggregate?.n ?? 0 };
    });
    const counts = context.models.map((model) => {
      const aggregate = model.results?.metrics[metric.name];
      return `${context.comparing ? `${model.id}: ` : ''}n = ${aggregate?.n ?? 0}${aggregate?.n_excluded ? `, ${aggregate.n_excluded} excluded` : ''}`;
    });
    return html`<div class="card" data-metric="${metric.name}"><h3><code>${metric.name}</code>${metricTags(metric)}</h3>${metricBarChart(metric, bars)}<p class="note">${counts.join(' · ')}</p></div>`;
  })}</div>
</section>`;
}
