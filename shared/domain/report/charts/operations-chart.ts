import { formatMs, formatTick, formatUsd } from '../format.js';
import { html, type Markup } from '../html.js';
import { fitLabel, horizontalAxis } from './axis.js';
import { linearScale, niceMax, px, ticks } from './scale.js';

const WIDTH = 440;
const LEFT = 12;
const RIGHT = WIDTH - 12;
const ROW = 46;
const BAR_HEIGHT = 16;

interface Layer {
  value: number;
  kind: string;
  opacity: number;
}

interface Row {
  model: string;
  colour: string;
  /** Drawn longest first, so each shorter layer shows on top. */
  layers: Layer[];
  text: string;
}

function rowsChart(kind: string, label: string, rows: readonly Row[], format: (value: number) => string): Markup {
  const highest = Math.max(0, ...rows.flatMap((row) => row.layers.map((layer) => layer.value)));
  const { max, step } = niceMax(highest);
  const domain: [number, number] = [0, max];
  const x = linearScale(domain, [LEFT, RIGHT]);
  const plotBottom = rows.length * ROW + 4;
  const height = plotBottom + 20;
  return html`<svg class="chart ${kind}-chart" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${label}">
${horizontalAxis(x, ticks(0, max, Math.round(max / step)), 0, plotBottom, format)}
${rows.map((row, index) => {
  const top = index * ROW + 4;
  const name = fitLabel(row.model, 34);
  const layers = [...row.layers].sort((a, b) => b.value - a.value);
  return html`<g class="series" data-model="${row.model}">
<text x="${LEFT}" y="${top + 13}" class="label">${name.full ? html`<title>${name.full}</title>` : ''}${name.shown}</text>
<text x="${RIGHT}" y="${top + 13}" text-anchor="end" class="value">${row.text}</text>
${layers.map(
  (layer) =>
    html`<rect class="${kind}-bar" data-model="${row.model}" data-stat="${layer.kind}" data-value="${layer.value}" x="${LEFT}" y="${top + 20}" width="${px(Math.max(x(layer.value) - LEFT, 1))}" height="${BAR_HEIGHT}" rx="2" fill="${row.colour}" opacity="${layer.opacity}"><title>${row.model} ${layer.kind}: ${format(layer.value)}</title></rect>`,
)}
</g>`;
})}
</svg>`;
}

/** Median latency as the solid bar, the 95th percentile as its lighter extension. */
export function latencyChart(models: readonly { model: string; colour: string; p50: number | null; p95: number | null }[]): Markup {
  return rowsChart(
    'latency',
    'latency per model: median and 95th percentile',
    models.map((m) => ({
      model: m.model,
      colour: m.colour,
      layers: [
        ...(m.p95 === null ? [] : [{ value: m.p95, kind: 'p95', opacity: 0.35 }]),
        ...(m.p50 === null ? [] : [{ value: m.p50, kind: 'p50', opacity: 1 }]),
      ],
      text: `p50 ${formatMs(m.p50)} · p95 ${formatMs(m.p95)}`,
    })),
    (value) => `${formatTick(value)} ms`,
  );
}

export function costChart(models: readonly { model: string; colour: string; cost: number | null }[]): Markup {
  return rowsChart(
    'cost',
    'cost per model in US dollars',
    models.map((m) => ({
      model: m.model,
      colour: m.colour,
      layers: m.cost === null ? [] : [{ value: m.cost, kind: 'cost', opacity: 1 }],
      text: m.cost === null ? 'no pricing' : formatUsd(m.cost),
    })),
    (value) => `$${formatTick(value)}`,
  );
}
