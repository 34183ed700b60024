/**
 * Retries transient provider failures with exponential backoff and full jitter, the scheme AWS recommends
 * for many clients sharing one limit: spreading retries over the whole window keeps a burst of throttled
 * calls from coming back as another burst.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { fullJitterDelayMs } from '../../platform/backoff.js';
import { logger } from '../../platform/logger.js';
import { MetricName } from '../../platform/metric-names.js';
import { countMetric, countProviderError } from '../../platform/metrics.js';
import { ProviderError, type GenerateRequest, type GenerateResult, type ModelClient } from '../../domain/ports/model-client.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  /** Cap on the backoff window before jitter. */
  maxDelayMs?: number;
  /** Cap on a server's Retry-After: a longer wait would hold the chunk's Lambda for little gain. */
  maxRetryAfterMs?: number;
  /**
   * Attempts when the answer is malformed. A cut-off or garbled body is usually a dropped connection and
   * worth one more try; a server that keeps answering nonsense will not improve with five.
   */
  maxMalformedAttempts?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export const defaultRetryPolicy: Required<RetryPolicy> = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
  maxMalformedAttempts: 2,
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
  random: Math.random,
};

/**
 * The wait before retry number `retry` (0 for the first retry): a uniform draw from
 * [0, min(maxDelay, base × 2^retry)), but never shorter than the server's Retry-After (capped).
 */
export function backoffDelayMs(retry: number, policy: Required<RetryPolicy>, retryAfterMs?: number): number {
  const jittered = fullJitterDelayMs(retry, { baseMs: policy.baseDelayMs, capMs: policy.maxDelayMs, random: policy.random });
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.maxRetryAfterMs));
}

export function withRetries(client: ModelClient, policy: RetryPolicy = {}): ModelClient {
  const settings: Required<RetryPolicy> = { ...defaultRetryPolicy, ...policy };
  return {
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const { signal } = request;
      let malformed = 0;
      for (let attempt = 1; ; attempt++) {
        signal?.throwIfAborted();
        try {
          return { ...(await client.generate(request)), attempts: attempt };
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          if (!(error instanceof ProviderError)) throw error;
          error.attempts = attempt;
          countProviderError(error.code);
          if (error.code === 'malformed_response') malformed++;
          const exhausted = attempt >= settings.maxAttempts || malformed >= settings.maxMalformedAttempts;
          if (!error.retryable || exhausted) throw error;
          const waitMs = backoffDelayMs(attempt - 1, settings, error.retryAfterMs);
          countMetric(MetricName.ProviderRetries);
          logger.debug('provider call failed; retrying', { error_class: error.code, status: error.status, attempt, wait_ms: Math.round(waitMs) });
          try {
            await settings.sleep(waitMs, signal);
          } catch (sleepError) {
            throw signal?.aborted ? signal.reason : sleepError;
          }
        }
      }
    },
  };
}
