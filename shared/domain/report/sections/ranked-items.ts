import { transcript } from '../../../contracts/benchmarks/chat.js';
import { formatCount, formatScore, truncate } from '../format.js';
import { html, type Markup } from '../html.js';
import type { RankedItem, ReportAnswer } from '../report-data.js';
import { swatch, type ReportContext } from './context.js';

/** Answers and inputs are cut here so one long item cannot swell the page. */
export const MAX_TEXT_CHARS = 2000;

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function inputCell(item: RankedItem): Markup {
  // A conversation reads as its turns, each labelled with who spoke; the text budget holds for the whole.
  const question = item.messages ? truncate(transcript(item.messages), MAX_TEXT_CHARS) : truncate(item.input, MAX_TEXT_CHARS);
  return html`<div class="text">${question}</div>${
    item.choices
      ? html`<div class="scores">${item.choices.map((choice, i) => `${letters[i] ?? i + 1}. ${truncate(choice, 200)}`).join('   ')}</div>`
      : ''
  }`;
}

function answerCell(answer: ReportAnswer | undefined, metrics: readonly string[]): Markup {
  if (!answer) return html`<span class="muted">no answer</span>`;
  if (answer.status === 'failed') {
    return html`<div class="failed-answer">failed: <code>${answer.error?.code ?? 'unknown'}</code></div><div class="note">${truncate(answer.error?.message ?? '', 300)}</div>`;
  }
  return html`<div class="text answer">${truncate(answer.output ?? '', MAX_TEXT_CHARS)}</div><div class="scores">${metrics.map(
    (metric, i) => `${i > 0 ? ' · ' : ''}${metric} ${formatScore(answer.scores[metric] ?? null)}`,
  )}</div>`;
}

/**
 * The items worth reading first: in a comparison, those where the two models' scores are furthest
 * apart; for one model, those it scored worst on. Each with its input, the expected answer and the answers.
 */
export function rankedItemsSection(context: ReportContext): Markup {
  const sample = context.data.sample;
  if (!sample) return html``;
  const title = sample.ranking === 'disagreement' ? 'Where the models disagree most' : 'Lowest-scoring items';
  const scope = sample.capped ? ` among the first ${formatCount(sample.scanned)} items` : '';
  const how =
    sample.ranking === 'disagreement'
      ? `Ranked by the mean gap between the models' scores on ${sample.ranked_by.join(', ')} (each scaled to 0–1)${scope}; items with equal scores and items either model failed are left out.`
      : `Ranked by the mean shortfall from a perfect score on ${sample.ranked_by.join(', ')}${scope}; perfect and failed items are left out.`;
  return html`<section class="ranked-items" data-ranking="${sample.ranking}">
<h2>${title}</h2>
${
  sample.ranked_by.length === 0
    ? html`<p class="muted">No bounded per-answer metric to rank items by.</p>`
    : sample.items.length === 0
      ? html`<p class="note">${how}</p><p class="muted">${sample.ranking === 'disagreement' ? 'The models scored every item alike.' : 'Every item scored perfectly.'}</p>`
      : html`<p class="note">${how}</p>
<table class="disagreements"><thead><tr><th class="num">#</th><th>Input</th><th>Expected</th>${context.models.map(
          (model) => html`<th>${swatch(model.colour)}<code>${model.id}</code></th>`,
        )}<th class="num">${sample.ranking === 'disagreement' ? 'Gap' : 'Shortfall'}</th></tr></thead><tbody>${sample.items.map(
          (item) =>
            html`<tr class="ranked-item" data-position="${item.position}" data-item-id="${item.item_id}"><td class="num pos">${item.position + 1}</td><td>${inputCell(item)}</td><td>${
              item.expected === undefined
                ? html`<span class="muted">none</span>`
                : html`<div class="text">${truncate(item.expected, MAX_TEXT_CHARS)}</div>`
            }</td>${context.models.map((model) => html`<td>${answerCell(item.outputs[model.id], sample.ranked_by)}</td>`)}<td class="num">${formatScore(item.rank_score)}</td></tr>`,
        )}</tbody></table>`
}
</section>`;
}
