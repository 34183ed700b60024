import { toStatusView } from '../../evaluations/evaluation-status.js';
import { formatCount } from '../format.js';
import { html, type Markup } from '../html.js';
import { swatch, type ReportContext } from './context.js';

function bar(scoredShare: number, failedShare: number): Markup {
  const width = (share: number) => `${Math.max(0, Math.min(100, share * 100)).toFixed(1)}%`;
  return html`<div class="progress"><span style="width:${width(scoredShare)}"></span><span class="failed" style="width:${width(failedShare)}"></span></div>`;
}

function eta(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 60) return ` · about ${seconds} s left`;
  return ` · about ${Math.ceil(seconds / 60)} min left`;
}

/**
 * Where an unfinished (or failed) evaluation stands: items scored and failed, overall and per model,
 * with the rate and an estimate of the time left while it runs; the error of a failed one.
 */
export function progressSection(context: ReportContext): Markup {
  const { evaluation, generatedAt } = context.data;
  const view = toStatusView(evaluation, Date.parse(generatedAt));
  const total = view.progress.total_items;
  const share = (count: number) => (total === 0 ? 0 : count / total);
  const waiting =
    evaluation.status === 'pending'
      ? 'Queued: the evaluator has not started it yet.'
      : evaluation.status === 'running'
        ? 'Running: charts appear here once every item is scored. Reload to update.'
        : evaluation.status === 'failed'
          ? 'The evaluation could not proceed; no charts are drawn for it.'
          : 'Cancelled before any results were computed.';
  return html`<section class="progress-section" data-status="${evaluation.status}">
<h2>Progress</h2>
<p class="muted">${waiting}</p>
${
  evaluation.error
    ? html`<div class="error-box" role="alert"><strong><code>${evaluation.error.code}</code></strong><p>${evaluation.error.message}</p></div>`
    : ''
}
<div class="progress-grid">
<div class="progress-row overall"><strong>All items</strong>${bar(share(view.progress.completed_items), share(view.progress.failed_items))}<span class="mono">${view.progress.percent}% · ${formatCount(
    view.progress.completed_items,
  )} scored, ${formatCount(view.progress.failed_items)} failed of ${formatCount(total)}${
    view.progress.items_per_second !== null ? ` · ${view.progress.items_per_second} items/s` : ''
  }${eta(view.progress.eta_seconds)}</span></div>
${context.models.map((model) => {
  const counts = evaluation.model_progress?.[model.id] ?? { scored: 0, failed: 0 };
  return html`<div class="progress-row" data-model="${model.id}"><span>${swatch(model.colour)}<code>${model.id}</code></span>${bar(share(counts.scored), share(counts.failed))}<span class="mono">${formatCount(
    counts.scored,
  )} scored, ${formatCount(counts.failed)} failed</span></div>`;
})}
</div>
${failureReasons(context)}
</section>`;
}

/** Why items failed, by model: what to fix before running again. */
function failureReasons(context: ReportContext): Markup {
  const rows = context.models.flatMap((model) =>
    Object.entries(model.results?.failure_reasons ?? {}).map(([code, count]) => ({ model, code, count })),
  );
  if (rows.length === 0) return html``;
  return html`<h3 class="spaced">Why items failed</h3><table class="failure-reasons"><thead><tr><th>Model</th><th>Reason</th><th class="num">Items</th></tr></thead><tbody>${rows.map(
    (row) =>
      html`<tr><td>${swatch(row.model.colour)}<code>${row.model.id}</code></td><td><code>${row.code}</code></td><td class="num">${formatCount(row.count)}</td></tr>`,
  )}</tbody></table>`;
}
