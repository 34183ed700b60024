import { html, type Markup } from '../html.js';
import { outcomeColours } from './palette.js';
import { px } from './scale.js';

const WIDTH = 180;
const HEIGHT = 22;

/**
 * Wins, ties and losses of model 2 against model 1 as one stacked bar of the items compared, each part
 * labelled with its count when it has room.
 */
export function outcomeBar(options: { metric: string; wins: number; ties: number; losses: number; model: string; model2: string }): Markup {
  const total = options.wins + options.ties + options.losses;
  const parts = [
    { kind: 'wins', count: options.wins, colour: outcomeColours.wins, label: `${options.model2} better` },
    { kind: 'ties', count: options.ties, colour: outcomeColours.ties, label: 'tie' },
    { kind: 'losses', count: options.losses, colour: outcomeColours.losses, label: `${options.model} better` },
  ];
  let x = 0;
  const segments = parts.map((part) => {
    const width = total === 0 ? 0 : (part.count / total) * WIDTH;
    const segment = html`<rect class="outcome-segment" data-kind="${part.kind}" data-count="${part.count}" x="${px(x)}" y="0" width="${px(width)}" height="${HEIGHT}" fill="${part.colour}"><title>${part.label}: ${part.count} of ${total}</title></rect>${
      width >= 22
        ? html`<text x="${px(x + width / 2)}" y="15" text-anchor="middle" class="${part.kind === 'ties' ? 'count' : 'count on-colour'}">${part.count}</text>`
        : ''
    }`;
    x += width;
    return segment;
  });
  return html`<svg class="chart outcome-bar" data-metric="${options.metric}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="wins ${options.wins}, ties ${options.ties}, losses ${options.losses}">${
    total === 0 ? html`<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="none" stroke="${outcomeColours.ties}"/>` : segments
  }</svg>`;
}
