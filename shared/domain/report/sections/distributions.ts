import { histogram } from '../charts/histogram.js';
import { formatCount } from '../format.js';
import { html, type Markup } from '../html.js';
import { metricTags, modelLegend, type ReportContext } from './context.js';

/** How item scores spread, per metric: a mean of 0.5 reads differently when every item scored 0 or 1. */
export function distributionsSection(context: ReportContext): Markup {
  const sample = context.data.sample;
  if (!sample) return html``;
  const metrics = context.perAnswer.filter((metric) => context.models.some((model) => (sample.scores[metric.name]?.[model.id]?.length ?? 0) > 0));
  const total = context.data.evaluation.progress.total_items;
  return html`<section class="distributions">
<h2>Score distributions</h2>
<p class="note">Items per score${sample.capped ? html`, from the first ${formatCount(sample.scanned)} of ${formatCount(total)} items (the aggregates above cover them all)` : ''}.</p>
${modelLegend(context)}
${
  metrics.length === 0
    ? html`<p class="muted">No scored items to show.</p>`
    : html`<div class="grid">${metrics.map(
        (metric) =>
          html`<div class="card" data-metric="${metric.name}"><h3><code>${metric.name}</code>${metricTags(metric)}</h3>${histogram(
            metric,
            context.models.map((model) => ({ model: model.id, colour: model.colour, values: sample.scores[metric.name]?.[model.id] ?? [] })),
          )}</div>`,
      )}</div>`
}
</section>`;
}
