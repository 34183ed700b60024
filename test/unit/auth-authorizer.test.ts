/**
 * The authorizer: which callers it lets through with which identity, and what it writes to the log for
 * each — never the key or the header it came in.
 */
import { jest } from '@jest/globals';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { digestsEqual, generateApiKey, hashApiKey } from '#shared/domain/auth/api-keys.js';
import type { ApiKeyRecord } from '#shared/adapters/dynamodb/api-key-store.js';

process.env.API_KEYS_TABLE ??= 'api-keys-unit';
const { createAuthorizer } = await import('../../functions/authorizer/authorizer.js');
const { logger } = await import('#shared/platform/logger.js');

const live = generateApiKey();
const revoked = generateApiKey();
const record: ApiKeyRecord = {
  key_id: 'key-01live',
  tenant_id: 'acme',
  scopes: ['evaluations:read'],
  prefix: live.slice(0, 10),
  created_at: '2026-01-01T00:00:00Z',
};
/** A store that knows one live key by its digest, as the real one does; the revoked key resolves to nothing. */
const store = { resolve: async (key: string) => (digestsEqual(hashApiKey(key), hashApiKey(live)) ? record : undefined) };
const authorize = createAuthorizer(store);

function event(authorization: string): APIGatewayRequestAuthorizerEventV2 {
  return {
    type: 'REQUEST',
    routeKey: 'GET /api/v3/evaluations',
    identitySource: [authorization],
    headers: { authorization },
  } as unknown as APIGatewayRequestAuthorizerEventV2;
}

async function authorizeLogged(authorization: string) {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stdout.write);
  try {
    const result = await authorize(event(authorization));
    return { result, lines: written.join('').split('\n').filter(Boolean) };
  } finally {
    spy.mockRestore();
  }
}

beforeAll(() => logger.setLogLevel('DEBUG'));

describe('the authorizer', () => {
  test('a live key: its tenant, key id and scopes, and a log line naming the key id only', async () => {
    const { result, lines } = await authorizeLogged(`Bearer ${live}`);

    expect(result).toEqual({ isAuthorized: true, context: { tenant_id: 'acme', key_id: 'key-01live', scopes: 'evaluations:read' } });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'authorized', key_id: 'key-01live', route: 'GET /api/v3/evaluations' });
    expect(lines[0]).not.toContain(live);
  });

  test.each([
    ['a revoked key', () => `Bearer ${revoked}`, 'unknown_key'],
    ['a key never issued', () => `Bearer ${generateApiKey()}`, 'unknown_key'],
    ['a near miss of the live key', () => `Bearer ${live.slice(0, -1)}${live.endsWith('x') ? 'y' : 'x'}`, 'unknown_key'],
    ['the live key without the Bearer scheme', () => live, 'malformed_authorization'],
    ['the live key followed by junk', () => `Bearer ${live} junk`, 'malformed_authorization'],
  ])('%s: no identity, the reason, and no trace of the header in the log', async (_label, header, reason) => {
    const authorization = header();

    const { result, lines } = await authorizeLogged(authorization);

    expect(result).toEqual({ isAuthorized: true, context: { auth_error: reason } });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'authorized', auth_error: reason });
    const presented = authorization.replace(/^Bearer /, '').split(' ')[0]!;
    expect(lines[0]).not.toContain(presented);
    expect(lines[0]).not.toContain(live);
  });
});

describe('digest comparison', () => {
  test('equal digests match; a digest of another key, of another length or not hex does not', () => {
    const digest = hashApiKey(live);

    expect(digestsEqual(digest, hashApiKey(live))).toBe(true);
    expect(digestsEqual(digest, hashApiKey(revoked))).toBe(false);
    expect(digestsEqual(digest, digest.slice(0, 62))).toBe(false);
    expect(digestsEqual(digest, `${digest}00`)).toBe(false);
    expect(digestsEqual(digest, 'not hex at all')).toBe(false);
  });
});
