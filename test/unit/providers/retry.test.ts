import fc from 'fast-check';
import { backoffDelayMs, defaultRetryPolicy, withRetries, type RetryPolicy } from '#shared/adapters/providers/retry.js';
import {
  ProviderError,
  type GenerateRequest,
  type GenerateResult,
  type ModelClient,
  type ProviderErrorCode,
} from '#shared/domain/ports/model-client.js';

const answer: GenerateResult = { text: '4', finish_reason: 'stop', usage: { input_tokens: 5, output_tokens: 1 }, latency_ms: 12, attempts: 1 };
const request: GenerateRequest = { prompt: 'What is 2 + 2?', parameters: {}, timeoutMs: 1000 };

/** A client that fails with the given errors, in order, and then answers. */
function scripted(...failures: (ProviderError | Error)[]): ModelClient & { calls: number } {
  const client = {
    calls: 0,
    async generate(): Promise<GenerateResult> {
      const failure = failures[client.calls++];
      if (failure) throw failure;
      return answer;
    },
  };
  return client;
}

const failing = (code: ProviderErrorCode, options: { retryAfterMs?: number; retryable?: boolean } = {}) =>
  new ProviderError(code, `${code} for the test`, options);

/** A policy that records the waits instead of sleeping, with a fixed jitter draw. */
function recording(policy: RetryPolicy = {}) {
  const delays: number[] = [];
  return { delays, policy: { sleep: async (ms: number) => void delays.push(ms), random: () => 0.5, ...policy } satisfies RetryPolicy };
}

describe('withRetries', () => {
  it('answers at once when the first attempt succeeds', async () => {
    const client = scripted();
    const { delays, policy } = recording();

    const result = await withRetries(client, policy).generate(request);

    expect(result).toEqual({ ...answer, attempts: 1 });
    expect(delays).toEqual([]);
  });

  it('backs off exponentially with full jitter and counts the attempts', async () => {
    const client = scripted(failing('rate_limited'), failing('server_error'), failing('overloaded'), failing('network_error'));
    const { delays, policy } = recording();

    const result = await withRetries(client, policy).generate(request);

    // random() = 0.5 of min(20 000, 500 × 2^n)
    expect(delays).toEqual([250, 500, 1000, 2000]);
    expect(result.attempts).toBe(5);
    expect(client.calls).toBe(5);
  });

  it('caps the backoff window at maxDelayMs', () => {
    const policy = { ...defaultRetryPolicy, random: () => 0.999_999 };

    expect(Math.round(backoffDelayMs(10, policy))).toBe(20_000);
    expect(Math.round(backoffDelayMs(3, policy))).toBe(4000);
  });

  it('draws every delay from [0, min(max, base × 2^retry)) whatever the jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, draw) => {
        const delay = backoffDelayMs(retry, { ...defaultRetryPolicy, random: () => draw });
        return delay >= 0 && delay < Math.min(20_000, 500 * 2 ** retry) + 1e-9;
      }),
    );
  });

  it("waits at least as long as the server's Retry-After", async () => {
    const client = scripted(failing('rate_limited', { retryAfterMs: 7000 }), failing('rate_limited', { retryAfterMs: 10 }));
    const { delays, policy } = recording();

    await withRetries(client, policy).generate(request);

    expect(delays).toEqual([7000, 500]);
  });

  it('caps a very long Retry-After', async () => {
    const client = scripted(failing('rate_limited', { retryAfterMs: 3_600_000 }));
    const { delays, policy } = recording();

    await withRetries(client, policy).generate(request);

    expect(delays).toEqual([60_000]);
  });

  it.each(['bad_request', 'auth_failed', 'forbidden', 'not_found', 'credentials_missing', 'refused'] as const)('does not retry %s', async (code) => {
    const error = failing(code);
    const client = scripted(error);
    const { delays, policy } = recording();

    await expect(withRetries(client, policy).generate(request)).rejects.toBe(error);

    expect(client.calls).toBe(1);
    expect(delays).toEqual([]);
    expect(error.attempts).toBe(1);
  });

  it('does not retry a retryable code that the provider marked final', async () => {
    const client = scripted(failing('rate_limited', { retryable: false }));

    await expect(withRetries(client, recording().policy).generate(request)).rejects.toMatchObject({ code: 'rate_limited', attempts: 1 });
    expect(client.calls).toBe(1);
  });

  it('gives up after maxAttempts with the attempt count on the error', async () => {
    const client = scripted(...Array.from({ length: 10 }, () => failing('server_error')));
    const { delays, policy } = recording({ maxAttempts: 3 });

    const error = await withRetries(client, policy)
      .generate(request)
      .catch((caught: ProviderError) => caught);

    expect(error).toMatchObject({ code: 'server_error', attempts: 3 });
    expect((error as ProviderError).toJSON()).toEqual({ code: 'server_error', message: 'server_error for the test', status: undefined, attempts: 3 });
    expect(client.calls).toBe(3);
    expect(delays).toHaveLength(2);
  });

  it('retries a malformed answer only once', async () => {
    const client = scripted(failing('malformed_response'), failing('malformed_response'));

    await expect(withRetries(client, recording().policy).generate(request)).rejects.toMatchObject({ code: 'malformed_response', attempts: 2 });
    expect(client.calls).toBe(2);
  });

  it('still retries other failures after one malformed answer', async () => {
    const client = scripted(failing('malformed_response'), failing('timeout'), failing('rate_limited'));

    const result = await withRetries(client, recording().policy).generate(request);

    expect(result.attempts).toBe(4);
  });

  it('passes errors that are not provider errors through untouched', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    const client = scripted(bug);

    await expect(withRetries(client, recording().policy).generate(request)).rejects.toBe(bug);
    expect(client.calls).toBe(1);
  });

  it('stops retrying when the signal aborts during the backoff', async () => {
    const controller = new AbortController();
    const reason = new Error('evaluation cancelled');
    const client = scripted(failing('rate_limited'), failing('rate_limited'));
    const policy: RetryPolicy = {
      random: () => 1,
      sleep: (ms, signal) => {
        controller.abort(reason);
        return defaultRetryPolicy.sleep(ms, signal);
      },
    };

    await expect(withRetries(client, policy).generate({ ...request, signal: controller.signal })).rejects.toBe(reason);
    expect(client.calls).toBe(1);
  });

  it('does not call the model at all when the signal has already aborted', async () => {
    const client = scripted();
    const controller = new AbortController();
    controller.abort(new Error('cancelled before start'));

    await expect(withRetries(client).generate({ ...request, signal: controller.signal })).rejects.toThrow('cancelled before start');
    expect(client.calls).toBe(0);
  });

  it('sleeps for real by default, briefly enough for a test', async () => {
    const client = scripted(failing('server_error'));

    const result = await withRetries(client, { baseDelayMs: 1 }).generate(request);

    expect(result.attempts).toBe(2);
  });
});
