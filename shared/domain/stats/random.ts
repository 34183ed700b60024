/**
 * Seeded randomness for the statistics: every resample and permutation draws from here, so an evaluation
 * recorded with its seed reproduces its intervals and p-values exactly.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

const UINT32 = 2 ** 32;

/** splitmix32: spreads one 32-bit seed over xoshiro's four state words, so seeds 1 and 2 give unrelated streams. */
function splitmix32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

function assertSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
}

/** xoshiro128**'s four 32-bit state words for a seed (never all zero, which would only produce zeros). */
export function xoshiroState(seed: number): [number, number, number, number] {
  assertSeed(seed);
  // Both halves of a seed above 2^32 matter, so distinct safe integers give distinct streams.
  const high = Math.floor(seed / UINT32);
  const mix = splitmix32((seed >>> 0) ^ Math.imul(high | 0, 0x85ebca6b));
  const state: [number, number, number, number] = [mix() | 0, mix() | 0, mix() | 0, mix() | 0];
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
  return state;
}

/**
 * xoshiro128** (Blackman and Vigna): small state, 32-bit integer operations only, and statistically sound
 * for resampling, unlike `Math.random`, which cannot be seeded. Its multipliers (5 and 9) are small enough
 * for plain multiplication to stay exact before `| 0` / `>>> 0` truncate to 32 bits, so the step avoids
 * `Math.imul`: calls into `Math` are up to 50× slower where code runs in a separate realm (jest's VM
 * modules), while the arithmetic is as fast everywhere. The bootstrap inlines the same step.
 */
export function createRandom(seed: number): Random {
  let [s0, s1, s2, s3] = xoshiroState(seed);
  return () => {
    const result = (rotl((s1 * 5) | 0, 7) * 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result / UINT32;
  };
}

export function rotl(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/** A uniform integer in [0, n). */
export function randomIndex(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/**
 * A seed for one named use of a parent seed (e.g. the metric `bleu` of an evaluation), so each metric's
 * resamples are independent of the others and of the order in which metrics are processed.
 */
export function deriveSeed(seed: number, label: string): number {
  assertSeed(seed);
  // FNV-1a over the label, then mixed with the seed through splitmix32.
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return splitmix32((seed >>> 0) ^ hash ^ Math.imul(Math.floor(seed / UINT32) | 0, 0x85ebca6b))();
}

/**
 * mulberry32: one 32-bit word of state, for the draws that need to repeat but not to be statistically
 * sound: the fake model server's faults, the load benchmark's choice of evaluation, test fixtures. Their
 * recorded runs depend on its exact stream, so it is not replaced by `createRandom`.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
