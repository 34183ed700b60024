import { codeForStatus, parseRetryAfter, redact } from '#shared/adapters/providers/http.js';

const headers = (values: Record<string, string>) => (name: string) => values[name];

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it.each([
    [{ 'retry-after': '30' }, 30_000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after': 'Wed, 01 Jan 2025 00:00:20 GMT' }, 20_000],
    [{ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }, 0],
    [{ 'retry-after-ms': '120', 'retry-after': '30' }, 120],
    [{ 'retry-after-ms': 'soon', 'retry-after': '2' }, 2000],
    [{ 'retry-after': 'later' }, undefined],
    [{ 'retry-after': '-5' }, undefined],
    [{}, undefined],
  ])('reads %j as %s ms', (values, ms) => {
    expect(parseRetryAfter(headers(values), now)).toBe(ms);
  });
});

describe('codeForStatus', () => {
  it.each([
    [400, 'bad_request'],
    [401, 'auth_failed'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [408, 'timeout'],
    [409, 'server_error'],
    [418, 'bad_request'],
    [425, 'server_error'],
    [429, 'rate_limited'],
    [500, 'server_error'],
    [502, 'server_error'],
    [503, 'server_error'],
    [504, 'server_error'],
    [529, 'overloaded'],
  ])('maps %i to %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });
});

describe('redact', () => {
  it('removes every copy of a secret and shortens long messages', () => {
    const message = redact(`bad key sk-123456 (sk-123456) ${'x'.repeat(1000)}`, ['sk-123456', undefined]);

    expect(message).not.toContain('sk-123456');
    expect(message.startsWith('bad key [redacted] ([redacted])')).toBe(true);
    expect(message.length).toBeLessThanOrEqual(501);
  });
});
