import { formatInterval, formatScore, formatTick } from '../format.js';
import { html, type Markup } from '../html.js';
import type { ReportMetric } from '../report-data.js';
import { fitLabel, horizontalAxis } from './axis.js';
import { ink } from './palette.js';
import { linearScale, niceMax, px, ticks } from './scale.js';

export interface MetricBar {
  model: string;
  colour: string;
  mean: number | null;
  ci95: readonly [number, number] | null;
  n: number;
}

const WIDTH = 440;
const LEFT = 12;
const RIGHT = WIDTH - 12;
const ROW = 46;
const BAR_HEIGHT = 16;

/** The axis: the metric's own range when it has one, else zero to a round number above the data. */
function domainOf(metric: ReportMetric, bars: readonly MetricBar[]): [number, number] {
  if (metric.range) return [metric.range[0], metric.range[1]];
  const highest = Math.max(0, ...bars.flatMap((bar) => [bar.mean ?? 0, bar.ci95?.[1] ?? 0]));
  return [0, niceMax(highest).max];
}

/**
 * One metric, one horizontal bar per model: the mean as the bar, the 95% confidence interval as a
 * whisker across its end. A model with no scores gets a note instead of a bar.
 */
export function metricBarChart(metric: ReportMetric, bars: readonly MetricBar[]): Markup {
  const domain = domainOf(metric, bars);
  const x = linearScale(domain, [LEFT, RIGHT]);
  const height = bars.length * ROW + 24;
  const plotBottom = bars.length * ROW + 4;
  const axisTicks = metric.range && metric.range[0] === 0 && metric.range[1] === 1 ? [0, 0.25, 0.5, 0.75, 1] : ticks(domain[0], domain[1], 4);
  const rows = bars.map((bar, index) => {
    const top = index * ROW + 4;
    const barY = top + 20;
    const label = fitLabel(bar.model, 34);
    const value = bar.mean === null ? `no scores (n = ${bar.n})` : `${formatScore(bar.mean)} ${formatInterval(bar.ci95)}`;
    const mid = barY + BAR_HEIGHT / 2;
    return html`<g class="series" data-model="${bar.model}">
<text x="${LEFT}" y="${top + 13}" class="label">${label.full ? html`<title>${label.full}</title>` : ''}${label.shown}</text>
<text x="${RIGHT}" y="${top + 13}" text-anchor="end" class="value">${value}</text>
${
  bar.mean === null
    ? ''
    : html`<rect class="bar" data-metric="${metric.name}" data-model="${bar.model}" data-mean="${bar.mean}" x="${px(x(domain[0]))}" y="${barY}" width="${px(Math.max(x(bar.mean) - x(domain[0]), 1))}" height="${BAR_HEIGHT}" rx="2" fill="${bar.colour}"><title>${bar.model}: ${formatScore(bar.mean)} (n = ${bar.n})</title></rect>`
}${
  bar.mean !== null && bar.ci95
    ? html`<g class="ci-whisker" data-metric="${metric.name}" data-model="${bar.model}" stroke="${ink.text}" stroke-width="1.5"><line x1="${px(x(bar.ci95[0]))}" x2="${px(x(bar.ci95[1]))}" y1="${mid}" y2="${mid}"/><line x1="${px(x(bar.ci95[0]))}" x2="${px(x(bar.ci95[0]))}" y1="${mid - 6}" y2="${mid + 6}"/><line x1="${px(x(bar.ci95[1]))}" x2="${px(x(bar.ci95[1]))}" y1="${mid - 6}" y2="${mid + 6}"/></g>`
    : ''
}
</g>`;
  });
  return html`<svg class="chart metric-chart" data-metric="${metric.name}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${metric.name}: mean and 95% confidence interval per model">
${horizontalAxis(x, axisTicks, 0, plotBottom, formatTick)}
${rows}
</svg>`;
}
