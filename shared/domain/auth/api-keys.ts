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

/**
 * Compares two digests in constant time (`timingSafeEqual`), so the time taken says nothing about how many
 * leading bytes matched.
 *
 * The lookup before it (a DynamoDB GetItem by the presented key's digest) does not leak a stored key
 * either, although its timing may depend on the digest: what it could reveal is how close the digest of a
 * key the caller chose is to a stored digest, and the caller already knows its own digest. Learning a
 * stored digest, even all of it, does not help: using it needs a key that hashes to it, a SHA-256
 * preimage of 192 random bits. This comparison runs after the lookup as an exact check that the item found
 * belongs to the presented key, in constant time so that no comparison involving a stored secret exits early.
 */
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
