import { randomBytes } from 'node:crypto';

// Crockford's base32 in lower case: ids sort by creation time as plain strings and read well in URLs.
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

function encodeTime(epochMs: number): string {
  let time = epochMs;
  let out = '';
  for (let i = 0; i < 10; i += 1) {
    out = alphabet[time % 32] + out;
    time = Math.floor(time / 32);
  }
  return out;
}

function encodeRandom(byteCount: number): string {
  const bytes = randomBytes(byteCount);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % 32];
  return out;
}

/**
 * A type-prefixed id with a sortable part: 48 bits of milliseconds then 80 bits of randomness (a ULID's
 * layout), e.g. `eval-01jd2x8k4q7g2m6r9t3v5w8y0z`.
 */
export function newId(prefix: 'eval' | 'task' | 'key' | 'model' | 'item' | 'cmp' | 'hook' | 'msg', now = Date.now()): string {
  return `${prefix}-${encodeTime(now)}${encodeRandom(16)}`;
}
