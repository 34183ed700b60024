import { costChart, latencyChart } from '../charts/operations-chart.js';
import { formatCount, formatMs, formatUsd } from '../format.js';
import { html, type Markup } from '../html.js';
import { swatch, type ReportContext } from './context.js';

/** What the answers cost in time, tokens and money, and how many items failed and why. */
export function operationsSection(context: ReportContext): Markup {
  const models = context.models.filter((model) => model.results);
  if (models.length === 0) return html``;
  const anyCost = models.some((model) => model.results!.cost_usd !== null);
  return html`<section class="operations">
<h2>Latency and cost</h2>
<div class="grid">
<div class="card"><h3>Latency <span class="note">(bar: median; lighter: 95th percentile)</span></h3>${latencyChart(
    models.map((model) => ({ model: model.id, colour: model.colour, p50: model.results!.latency_ms.p50, p95: model.results!.latency_ms.p95 })),
  )}${
    models.every((model) => !model.results!.latency_ms.p95)
      ? html`<p class="note">No measurable latency${models.every((model) => model.model?.baseline) ? ': baseline models answer without calling anything' : ''}.</p>`
      : ''
  }</div>
<div class="card"><h3>Cost</h3>${
    anyCost
      ? costChart(models.map((model) => ({ model: model.id, colour: model.colour, cost: model.results!.cost_usd })))
      : html`<p class="muted">No cost: ${models.every((model) => model.model?.baseline) ? 'baseline models are free' : 'the models have no pricing (register them with "pricing")'}.</p>`
  }</div>
</div>
<table class="operations-table"><thead><tr><th>Model</th><th class="num">Scored</th><th class="num">Failed</th><th class="num">Latency p50</th><th class="num">p95</th><th class="num">Input tokens</th><th class="num">Output tokens</th><th class="num">Cost</th></tr></thead><tbody>${models.map(
    (model) => {
      const results = model.results!;
      const reasons = Object.entries(results.failure_reasons ?? {});
      return html`<tr data-model="${model.id}"><td>${swatch(model.colour)}<code>${model.id}</code></td><td class="num">${formatCount(results.completed_items)}</td><td class="num">${formatCount(
        results.failed_items,
      )}${reasons.length > 0 ? html`<div class="note">${reasons.map(([code, count]) => `${code} × ${count}`).join(', ')}</div>` : ''}</td><td class="num">${formatMs(
        results.latency_ms.p50,
      )}</td><td class="num">${formatMs(results.latency_ms.p95)}</td><td class="num">${formatCount(results.usage.input_tokens)}</td><td class="num">${formatCount(
        results.usage.output_tokens,
      )}</td><td class="num">${formatUsd(results.cost_usd)}</td></tr>`;
    },
  )}</tbody></table>
</section>`;
}
