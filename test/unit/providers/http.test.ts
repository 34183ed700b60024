import type { ServerResponse } from 'node:http';
import { codeForStatus, parseRetryAfter, postJson, redact, type PostJsonOptions } from '#shared/adapters/providers/http.js';
import { ProviderError } from '#shared/domain/ports/model-client.js';
import { startWireServer, type WireServer } from '../../support/provider-wire/wire-server.js';

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

describe('postJson, reading what a server sends', () => {
  let server: WireServer;

  beforeEach(async () => {
    server = await startWireServer();
  });
  afterEach(() => server.stop());

  const post = (overrides: Partial<PostJsonOptions> = {}) =>
    postJson({ url: `${server.url}/v1/chat`, headers: {}, body: {}, timeoutMs: 5000, ...overrides });

  async function failure(promise: Promise<unknown>): Promise<ProviderError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }

  it('reads a body up to the cap', async () => {
    server.reply({ body: { text: 'x'.repeat(1000) } });

    await expect(post({ maxResponseBytes: 1100 })).resolves.toEqual({ text: 'x'.repeat(1000) });
  });

  it('fails a body whose declared length is over the cap, not retried, without reading it', async () => {
    let written = 0;
    server.reply((reply) => {
      const response = reply as ServerResponse;
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!response.destroyed && written < 50 * 1024 * 1024) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
      };
      pump();
    });

    const error = await failure(post({ maxResponseBytes: 256 * 1024 }));

    expect(error).toMatchObject({ code: 'malformed_response', retryable: false, status: 200 });
    expect(error.message).toContain('response_too_large');
    expect(written).toBeLessThan(50 * 1024 * 1024);
  });

  it('stops reading an endless body without a declared length at the cap, and closes the connection', async () => {
    let closed = false;
    server.reply((reply) => {
      const response = reply as ServerResponse;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.on('close', () => (closed = true));
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = () => {
        while (!response.destroyed) if (!response.write(chunk)) return void response.once('drain', pump);
      };
      pump();
    });

    const error = await failure(post({ maxResponseBytes: 256 * 1024 }));

    expect(error).toMatchObject({ code: 'malformed_response', retryable: false });
    expect(error.message).toContain('response_too_large');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(true);
  });

  it('stores an error as its status and a short, printable message with keys removed', async () => {
    const key = 'sk-live-abcdef123456';
    server.reply({ status: 500, body: `\u001b[31mboom\u0000\r\nkey=${key}\u202e reversed ${'detail '.repeat(2000)}` });

    const error = await failure(post({ secrets: [key] }));

    expect(error).toMatchObject({ code: 'server_error', status: 500 });
    expect(error.message.length).toBeLessThanOrEqual(201);
    expect(error.message).not.toMatch(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u);
    expect(error.message).not.toContain(key);
    expect(error.message).toContain('[redacted]');
    expect(error.message).toContain('boom');
  });

  it('reads no more than 16 KiB of an error body', async () => {
    server.reply({ status: 400, body: { error: { message: `bad ${'y'.repeat(5 * 1024 * 1024)}` } } });

    const error = await failure(post());

    expect(error).toMatchObject({ code: 'bad_request', status: 400 });
    expect(error.message.length).toBeLessThanOrEqual(201);
  });

  it('never splits a character or a key when it shortens a message', () => {
    const message = redact(`${'a'.repeat(199)}𝄞 and more`);

    expect(message.isWellFormed()).toBe(true);
  });
});
