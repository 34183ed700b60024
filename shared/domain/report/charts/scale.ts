/** Linear scales and axis ticks for the report's SVG charts. */

export interface LinearScale {
  domain: readonly [number, number];
  /** Maps a value to a pixel position, clamped to the range. */
  (value: number): number;
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  const scale = (value: number) => {
    const clamped = Math.min(Math.max(value, Math.min(d0, d1)), Math.max(d0, d1));
    return r0 + ((clamped - d0) / span) * (r1 - r0);
  };
  return Object.assign(scale, { domain });
}

/** The smallest "nice" number (1, 2, 2.5 or 5 × 10^k) at or above `value`. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const mantissa = value / power;
  const nice = [1, 2, 2.5, 5, 10].find((step) => mantissa <= step + 1e-9) ?? 10;
  return nice * power;
}

/** An axis end at or above `value` on a round step, with about `count` steps from zero: 1,047 → 1,500 by 500. */
export function niceMax(value: number, count = 4): { max: number; step: number } {
  if (!(value > 0)) return { max: 1, step: 0.25 };
  const step = niceCeiling(value / count);
  return { max: Math.ceil(value / step - 1e-9) * step, step };
}

/** Evenly spaced ticks from `min` to `max`, about `count` of them, on round numbers. */
export function ticks(min: number, max: number, count = 4): number[] {
  if (!(max > min)) return [min];
  const step = niceCeiling((max - min) / count);
  const first = Math.ceil(min / step - 1e-9) * step;
  const values: number[] = [];
  for (let value = first; value <= max + step * 1e-9; value += step) values.push(Number(value.toPrecision(12)));
  return values;
}

/** Pixel values rounded to a tenth, so the markup stays short. */
export const px = (value: number) => Math.round(value * 10) / 10;
