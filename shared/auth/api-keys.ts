import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PREFIX = 'arb_';

/** A new API key: 192 random bits, base64url, with a recognisable prefix for secret scanners. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(24).toString('base64url');
}

/**
 * Keys are stored only as SHA-256 digests. A fast hash is enough because the keys are long random
 * strings, not passwords: there is no dictionary to attack, and the authorizer stays quick.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares two digests without leaking, through timing, how many leading characters matched. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `Authorization: Bearer <key>` → the key, or undefined when the header is not of that form. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9_\-.~+/]+=*) *$/i.exec(header ?? '');
  return match?.[1];
}

/** What a user may see of a key: enough to recognise it, never enough to use it. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}
