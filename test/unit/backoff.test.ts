import { fullJitterDelayMs } from '#shared/platform/backoff.js';

describe('full-jitter backoff', () => {
  it('draws from a window that doubles with each attempt', () => {
    const top = () => 0.999_999;
    expect(Math.round(fullJitterDelayMs(0, { baseMs: 25, random: top }))).toBe(25);
    expect(Math.round(fullJitterDelayMs(3, { baseMs: 25, random: top }))).toBe(200);
    expect(fullJitterDelayMs(3, { baseMs: 25, random: () => 0 })).toBe(0);
    expect(fullJitterDelayMs(2, { baseMs: 100, random: () => 0.5 })).toBe(200);
  });

  it('caps the window when a cap is given, and not otherwise', () => {
    expect(fullJitterDelayMs(10, { baseMs: 25, capMs: 2000, random: () => 0.5 })).toBe(1000);
    expect(fullJitterDelayMs(10, { baseMs: 100, random: () => 0.5 })).toBe(51_200);
  });
});
