import { newId } from '#shared/platform/ids.js';

describe('newId', () => {
  it('carries its type prefix and a URL-safe body', () => {
    expect(newId('eval')).toMatch(/^eval-[0-9a-hjkmnp-tv-z]{26}$/);
    expect(newId('task')).toMatch(/^task-/);
  });

  it('sorts by creation time as a plain string', () => {
    const ids = [3, 1, 2].map((offset) => newId('eval', 1_795_000_000_000 + offset * 1000));
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0]]);
  });

  it('does not repeat within the same millisecond', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId('eval', 1_795_000_000_000)));
    expect(ids.size).toBe(1000);
  });
});
