import { formatTick } from '../format.js';
import { html, type Markup } from '../html.js';
import type { ReportMetric } from '../report-data.js';
import { ink } from './palette.js';
import { linearScale, niceCeiling, niceMax, px, ticks } from './scale.js';

export interface Bin {
  label: string;
  /** Values v with low <= v < high fall in the bin (the last bin also takes v = high). */
  low: number;
  high: number;
}

export interface HistogramSeries {
  model: string;
  colour: string;
  values: readonly number[];
}

/** A judge's scale (1–5, 1–10) gets a bin per value up to this many distinct values. */
const MAX_DISCRETE = 11;
const CONTINUOUS_BINS = 10;

/**
 * Bins for a metric's scores: pass/fail gets a fail and a pass bin, a judge's scale a bin per value;
 * anything else equal widths over the metric's range (or round edges around the data, when it has
 * none), so a bar's place on the axis is its value.
 */
export function binsFor(metric: ReportMetric, values: readonly number[]): { bins: Bin[]; discrete: boolean } {
  const distinct = [...new Set(metric.binary ? [0, 1, ...values] : values)].sort((a, b) => a - b);
  if (distinct.length === 0) return { bins: [], discrete: true };
  if (metric.binary || (metric.kind !== 'computed' && distinct.length <= MAX_DISCRETE) || distinct.length === 1) {
    return {
      discrete: true,
      bins: distinct.map((value) => ({ label: metric.binary ? (value === 1 ? '1 pass' : '0 fail') : formatTick(value), low: value, high: value })),
    };
  }
  let low: number;
  let width: number;
  let count = CONTINUOUS_BINS;
  if (metric.range) {
    [low] = metric.range;
    width = (metric.range[1] - low) / CONTINUOUS_BINS;
  } else {
    // Unbounded (times, counts): round bin edges around the data, so the axis reads 200, 400, 600.
    const min = distinct[0]!;
    const max = distinct[distinct.length - 1]!;
    width = niceCeiling((max - min) / CONTINUOUS_BINS);
    low = Math.floor(min / width) * width;
    count = Math.max(1, Math.floor((max - low) / width) + 1);
  }
  return {
    discrete: false,
    bins: Array.from({ length: count }, (_, i) => ({
      label: `${formatTick(low + i * width)}–${formatTick(low + (i + 1) * width)}`,
      low: low + i * width,
      high: low + (i + 1) * width,
    })),
  };
}

export function countInBins(bins: readonly Bin[], values: readonly number[], discrete: boolean): number[] {
  const counts = bins.map(() => 0);
  for (const value of values) {
    const index = discrete
      ? bins.findIndex((bin) => bin.low === value)
      : Math.min(bins.length - 1, Math.max(0, Math.floor(((value - bins[0]!.low) / (bins[bins.length - 1]!.high - bins[0]!.low)) * bins.length)));
    if (index >= 0) counts[index]!++;
  }
  return counts;
}

const WIDTH = 440;
const HEIGHT = 170;
const LEFT = 34;
const RIGHT = WIDTH - 8;
const TOP = 10;
const BOTTOM = 136;

/** Score distribution of one metric: a bar per bin and model, models side by side within a bin. */
export function histogram(metric: ReportMetric, series: readonly HistogramSeries[]): Markup {
  const { bins, discrete } = binsFor(
    metric,
    series.flatMap((s) => s.values),
  );
  const counts = series.map((s) => countInBins(bins, s.values, discrete));
  const maxCount = Math.max(1, ...counts.flat());
  // Counts are whole: a step of 2.5 items would label the axis with fractions.
  const yStep = maxCount <= 5 ? 1 : Math.ceil(niceMax(maxCount).step);
  const yMax = Math.ceil(maxCount / yStep) * yStep;
  const y = linearScale([0, yMax], [BOTTOM, TOP]);
  const binWidth = (RIGHT - LEFT) / Math.max(1, bins.length);
  const barWidth = (binWidth * 0.8) / Math.max(1, series.length);
  const yTicks = ticks(0, yMax, Math.round(yMax / yStep));
  // Equal-width bins are labelled at every other edge, like a numeric axis.
  const edges = Array.from({ length: Math.floor(bins.length / 2) + 1 }, (_, i) => i * 2);
  return html`<svg class="chart histogram" data-metric="${metric.name}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${metric.name}: distribution of item scores per model">
<g class="axis">${yTicks.map(
    (tick) =>
      html`<line x1="${LEFT}" x2="${RIGHT}" y1="${px(y(tick))}" y2="${px(y(tick))}" stroke="${ink.grid}"/><text x="${LEFT - 5}" y="${px(y(tick)) + 4}" text-anchor="end" class="tick">${formatTick(tick)}</text>`,
  )}</g>
${bins.map((bin, b) => {
  const x0 = LEFT + b * binWidth + binWidth * 0.1;
  return html`<g class="bin">${series.map((s, m) => {
    const count = counts[m]![b]!;
    return html`<rect class="hist-bar" data-metric="${metric.name}" data-model="${s.model}" data-bin="${bin.label}" data-count="${count}" x="${px(x0 + m * barWidth)}" y="${px(y(count))}" width="${px(Math.max(barWidth - 1, 1))}" height="${px(BOTTOM - y(count))}" fill="${s.colour}"><title>${s.model}, ${bin.label}: ${count} items</title></rect>`;
  })}${discrete ? html`<text x="${px(LEFT + (b + 0.5) * binWidth)}" y="${BOTTOM + 14}" text-anchor="middle" class="tick">${bin.label}</text>` : ''}</g>`;
})}
${discrete ? '' : edges.map((edge) => html`<text x="${px(LEFT + edge * binWidth)}" y="${BOTTOM + 14}" text-anchor="middle" class="tick">${formatTick(edge < bins.length ? bins[edge]!.low : bins[bins.length - 1]!.high)}</text>`)}
<line x1="${LEFT}" x2="${RIGHT}" y1="${BOTTOM}" y2="${BOTTOM}" stroke="${ink.axis}"/>
<text x="${(LEFT + RIGHT) / 2}" y="${HEIGHT - 4}" text-anchor="middle" class="axis-title">${metric.range ? 'score' : 'value'} · items per bin</text>
</svg>`;
}
