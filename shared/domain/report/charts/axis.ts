import { html, type Markup } from '../html.js';
import { ink } from './palette.js';
import { px, type LinearScale } from './scale.js';

/** Vertical grid lines with their labels under the plot, for a horizontal value axis. */
export function horizontalAxis(
  scale: LinearScale,
  values: readonly number[],
  top: number,
  bottom: number,
  format: (value: number) => string,
): Markup {
  return html`<g class="axis">${values.map(
    (value) =>
      html`<line x1="${px(scale(value))}" x2="${px(scale(value))}" y1="${top}" y2="${bottom}" stroke="${ink.grid}"/><text x="${px(scale(value))}" y="${bottom + 13}" text-anchor="middle" class="tick">${format(value)}</text>`,
  )}</g>`;
}

/** Label text that fits: long names are cut, with the whole name in a tooltip. */
export function fitLabel(text: string, maxChars: number): { shown: string; full?: string } {
  return text.length <= maxChars ? { shown: text } : { shown: `${text.slice(0, maxChars - 1)}…`, full: text };
}
