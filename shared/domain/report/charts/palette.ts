/**
 * One colour per model, kept the same in every chart; blue and orange stay distinguishable for the
 * common forms of colour blindness.
 */
export const modelColours = ['#2f6bd8', '#e07a1f', '#2a9d8f', '#8e5fc7'] as const;

export const modelColour = (index: number) => modelColours[index % modelColours.length]!;

export const ink = { text: '#1d2330', muted: '#5b6475', grid: '#e3e6ec', axis: '#9aa2b1', zero: '#5b6475' } as const;

/** Wins, ties and losses of model 2 against model 1: model 2's colour, grey, model 1's colour. */
export const outcomeColours = { wins: modelColour(1), ties: '#c3c8d2', losses: modelColour(0) } as const;
