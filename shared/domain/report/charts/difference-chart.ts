import { formatInterval, formatSigned, formatTick } from '../format.js';
import { html, type Markup } from '../html.js';
import { ink } from './palette.js';
import { linearScale, niceCeiling, px } from './scale.js';

const WIDTH = 200;
const HEIGHT = 44;
const LEFT = 8;
const RIGHT = WIDTH - 8;

/**
 * A paired difference (model 2 − model 1) as a point with its 95% interval, on an axis centred on
 * zero: an interval that misses zero is visible at a glance. The ends say which model each side
 * favours, following the metric's direction.
 */
export function differenceChart(options: {
  metric: string;
  difference: number | null;
  ci95: readonly [number, number] | null;
  /** The largest difference the metric allows (its range's width), else null. */
  span: number | null;
  higherIsBetter: boolean;
  colours: readonly [string, string];
}): Markup {
  const { difference, ci95 } = options;
  const extent = Math.max(Math.abs(difference ?? 0), Math.abs(ci95?.[0] ?? 0), Math.abs(ci95?.[1] ?? 0));
  const half = options.span !== null ? Math.min(options.span, niceCeiling(extent * 1.1 || options.span / 10)) : niceCeiling(extent * 1.1);
  const x = linearScale([-half, half], [LEFT, RIGHT]);
  const mid = 18;
  const [leftColour, rightColour] = options.higherIsBetter ? options.colours : [options.colours[1], options.colours[0]];
  return html`<svg class="chart difference-chart" data-metric="${options.metric}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="difference ${formatSigned(difference)}, 95% interval ${formatInterval(ci95, true)}">
<rect x="${LEFT}" y="${mid - 9}" width="${px(x(0) - LEFT)}" height="18" fill="${leftColour}" opacity="0.12"/>
<rect x="${px(x(0))}" y="${mid - 9}" width="${px(RIGHT - x(0))}" height="18" fill="${rightColour}" opacity="0.12"/>
<line x1="${px(x(0))}" x2="${px(x(0))}" y1="4" y2="${mid + 10}" stroke="${ink.zero}" stroke-dasharray="2 2"/>
${
  ci95
    ? html`<g class="ci-whisker" stroke="${ink.text}" stroke-width="1.5"><line x1="${px(x(ci95[0]))}" x2="${px(x(ci95[1]))}" y1="${mid}" y2="${mid}"/><line x1="${px(x(ci95[0]))}" x2="${px(x(ci95[0]))}" y1="${mid - 5}" y2="${mid + 5}"/><line x1="${px(x(ci95[1]))}" x2="${px(x(ci95[1]))}" y1="${mid - 5}" y2="${mid + 5}"/></g>`
    : ''
}${difference === null ? '' : html`<circle class="difference-point" cx="${px(x(difference))}" cy="${mid}" r="4.5" fill="${ink.text}"/>`}
<text x="${LEFT}" y="${HEIGHT - 3}" class="tick">−${formatTick(half)}</text>
<text x="${px(x(0))}" y="${HEIGHT - 3}" text-anchor="middle" class="tick">0</text>
<text x="${RIGHT}" y="${HEIGHT - 3}" text-anchor="end" class="tick">+${formatTick(half)}</text>
</svg>`;
}
