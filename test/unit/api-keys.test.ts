import { bearerToken, digestsEqual, displayPrefix, generateApiKey, hashApiKey } from '#shared/domain/auth/api-keys.js';
import { expandScopes } from '#shared/contracts/auth/scopes.js';

describe('API keys', () => {
  it('are long, random and recognisable', () => {
    const keys = new Set(Array.from({ length: 200 }, generateApiKey));
    expect(keys.size).toBe(200);
    for (const key of keys) {
      expect(key).toMatch(/^arb_[A-Za-z0-9_-]{32}$/); // 24 random bytes = 192 bits
    }
  });

  it('are stored as a digest that does not contain the key', () => {
    const key = generateApiKey();
    const digest = hashApiKey(key);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toContain(key.slice(4));
    expect(hashApiKey(key)).toBe(digest);
    expect(digestsEqual(digest, hashApiKey(key))).toBe(true);
    expect(digestsEqual(digest, hashApiKey(generateApiKey()))).toBe(false);
  });

  it('show only a short prefix', () => {
    expect(displayPrefix('arb_abcdefghijklmnop')).toBe('arb_abcdef');
  });

  it.each([
    ['Bearer arb_abc', 'arb_abc'],
    ['bearer arb_abc', 'arb_abc'],
    ['Bearer   arb_abc  ', 'arb_abc'],
  ])('read the key from %j', (header, key) => {
    expect(bearerToken(header)).toBe(key);
  });

  it.each([undefined, '', 'arb_abc', 'Basic dXNlcjpwYXNz x', 'Bearer', 'Bearer a b', 'Token arb_abc'])('reject the malformed header %j', (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });

  it('expand scope shorthands and refuse unknown scopes', () => {
    expect(expandScopes(['read'])).toEqual(['evaluations:read', 'benchmarks:read', 'models:read', 'usage:read', 'webhooks:read']);
    expect(expandScopes(['all'])).toHaveLength(9);
    expect(() => expandScopes(['evaluations:delete'])).toThrow();
  });
});
