/**
 * The one place HTTP adapters talk to the network: a JSON POST with a per-attempt deadline, turned into a
 * parsed body or a `ProviderError` that says whether trying again can help.
 */
import * as v from 'valibot';
import { startDeadline, type Deadline } from './deadline.js';
import { ProviderError, type ProviderErrorCode } from '../../domain/ports/model-client.js';

export type Fetch = typeof globalThis.fetch;

/** What a provider's error body adds to the status: its message, and sometimes a different verdict. */
export interface ErrorDetail {
  message?: string;
  code?: ProviderErrorCode;
  retryable?: boolean;
}

export interface PostJsonOptions {
  fetch: Fetch;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  describeError?: (status: number, body: unknown) => ErrorDetail;
  /** Values (API keys) that must never appear in an error message, even if a provider echoes them. */
  secrets?: (string | undefined)[];
}

const MAX_MESSAGE_LENGTH = 500;

const codesByStatus: Record<number, ProviderErrorCode> = {
  400: 'bad_request',
  401: 'auth_failed',
  402: 'forbidden', // billing: the account may not use the API until someone pays
  403: 'forbidden',
  404: 'not_found',
  408: 'timeout',
  409: 'server_error', // a conflict on the provider's side, gone on the next try
  413: 'bad_request',
  422: 'bad_request',
  425: 'server_error', // "too early": the same request later succeeds
  429: 'rate_limited',
  529: 'overloaded', // Anthropic: busy for everyone, not a limit on this account
};

export function codeForStatus(status: number): ProviderErrorCode {
  return codesByStatus[status] ?? (status >= 500 ? 'server_error' : 'bad_request');
}

/**
 * How long the server asked us to wait, in ms: `retry-after-ms` (OpenAI-style) first, then `Retry-After`
 * as seconds or an HTTP date.
 */
export function parseRetryAfter(header: (name: string) => string | null | undefined, now = Date.now()): number | undefined {
  const ms = header('retry-after-ms')?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Number(ms);
  const value = header('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  // Date.parse accepts odd strings ("-5" is a year); an HTTP date always names its day and month.
  const date = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function redact(text: string, secrets: (string | undefined)[] = []): string {
  const clean = secrets.reduce<string>((out, secret) => (secret && secret.length >= 4 ? out.replaceAll(secret, '[redacted]') : out), text);
  return clean.length > MAX_MESSAGE_LENGTH ? `${clean.slice(0, MAX_MESSAGE_LENGTH)}…` : clean;
}

/** Node's fetch hides the socket error (ECONNREFUSED, ECONNRESET, …) in `cause`. */
function describeTransportError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** The failure of a call that got no usable HTTP answer: cancelled, too slow, or the network. */
export function transportFailure(error: unknown, deadline: Deadline, timeoutMs: number, callerSignal: AbortSignal | undefined, host: string): unknown {
  if (callerSignal?.aborted) return callerSignal.reason;
  if (deadline.timedOut()) return new ProviderError('timeout', `${host} did not answer within ${timeoutMs} ms`, { cause: error });
  return new ProviderError('network_error', `could not reach ${host}: ${describeTransportError(error)}`, { cause: error });
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function postJson(options: PostJsonOptions): Promise<unknown> {
  const { host } = new URL(options.url);
  const deadline = startDeadline(options.timeoutMs, options.signal);
  try {
    let response: Response;
    try {
      response = await options.fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
        body: JSON.stringify(options.body),
        signal: deadline.signal,
      });
    } catch (error) {
      throw transportFailure(error, deadline, options.timeoutMs, options.signal, host);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      const failure = transportFailure(error, deadline, options.timeoutMs, options.signal, host);
      if (!(failure instanceof ProviderError) || failure.code === 'timeout' || !response.ok) throw failure;
      throw new ProviderError('malformed_response', `${host} answered ${response.status} but the body was cut off`, { status: response.status, cause: error });
    }
    if (!response.ok) {
      const detail = options.describeError?.(response.status, tryJson(text)) ?? {};
      const message = detail.message ?? (text.trim() || response.statusText || 'no details');
      throw new ProviderError(detail.code ?? codeForStatus(response.status), redact(`${host} answered ${response.status}: ${message}`, options.secrets), {
        status: response.status,
        retryable: detail.retryable,
        retryAfterMs: parseRetryAfter((name) => response.headers.get(name)),
      });
    }
    if (text.trim() === '') throw new ProviderError('malformed_response', `${host} answered ${response.status} with an empty body`, { status: response.status });
    const body = tryJson(text);
    if (body === undefined) {
      throw new ProviderError('malformed_response', redact(`${host} answered ${response.status} with a body that is not JSON: ${text.slice(0, 80)}`, options.secrets), {
        status: response.status,
      });
    }
    return body;
  } finally {
    deadline.clear();
  }
}

/** Checks a successful body against the fields an adapter reads; anything missing is a malformed response. */
export function readBody<TSchema extends v.GenericSchema>(schema: TSchema, body: unknown, provider: string): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, body);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = v.getDotPath(issue) ?? '(body)';
  throw new ProviderError('malformed_response', `${provider} answered without the expected fields: ${path} ${issue.message}`);
}
