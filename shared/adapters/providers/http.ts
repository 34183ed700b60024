/**
 * The one place HTTP adapters talk to the network: a JSON POST with a per-attempt deadline, through the
 * egress guard (egress-guard.ts), read up to a byte cap, turned into a parsed body or a `ProviderError`
 * that says whether trying again can help. undici's `request` rather than `fetch`: no redirects are
 * followed, and none of fetch's web-stream and Response machinery runs per call.
 */
import * as v from 'valibot';
import type { Dispatcher } from 'undici';
import { startDeadline, type Deadline } from './deadline.js';
import { egressDispatcher } from './egress-guard.js';
import { request } from './undici-core.js';
import { serviceConfig } from '../../platform/config.js';
import { ProviderError, type ProviderErrorCode } from '../../domain/ports/model-client.js';

/** What a provider's error body adds to the status: its message, and sometimes a different verdict. */
export interface ErrorDetail {
  message?: string;
  code?: ProviderErrorCode;
  retryable?: boolean;
}

export interface PostJsonOptions {
  /** What carries the call: the container's egress guard unless a test passes another dispatcher. */
  dispatcher?: Dispatcher;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  describeError?: (status: number, body: unknown) => ErrorDetail;
  /** Values (API keys) that must never appear in an error message, even if a provider echoes them. */
  secrets?: (string | undefined)[];
  /** Bytes read of a successful response at most; ARBITER_MAX_RESPONSE_BYTES (4 MiB) unless given. */
  maxResponseBytes?: number;
}

/** Stored error messages are for a person to read, not a place to carry a provider's body. */
const MAX_MESSAGE_LENGTH = 200;
/** An error body is read only for its message: this much is plenty, the rest is left unread. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;

// The configuration module keeps the parsed limits; a second cache here would outlive its reset.
function maxResponseBytes(): number {
  return serviceConfig.responseLimits.maxResponseBytes;
}

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

// C0 and C1 controls (newlines included), and the bidirectional overrides that make text read other than it is.
const UNPRINTABLE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]+/gu;

/**
 * A message safe to store and show: control characters become spaces, API keys are removed, and it is cut
 * to 200 characters of well-formed text. Keys are removed after the controls, so a key split by control
 * characters cannot come back together.
 */
export function redact(text: string, secrets: (string | undefined)[] = []): string {
  const printable = text.replace(UNPRINTABLE, ' ');
  const clean = secrets.reduce<string>((out, secret) => (secret && secret.length >= 4 ? out.replaceAll(secret, '[redacted]') : out), printable);
  return (clean.length > MAX_MESSAGE_LENGTH ? `${clean.slice(0, MAX_MESSAGE_LENGTH)}…` : clean).toWellFormed();
}

/** The socket's error code (ECONNREFUSED, ENOTFOUND, …) rather than its message, which names the address dialled. */
function describeTransportError(error: unknown): string {
  const { code, message, cause } = (error ?? {}) as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  if (typeof cause?.code === 'string') return cause.code;
  return typeof message === 'string' ? message : String(error);
}

/** The failure of a call that got no usable HTTP answer: cancelled, too slow, refused by the egress guard, or the network. */
export function transportFailure(
  error: unknown,
  deadline: Deadline,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
  host: string,
): unknown {
  if (callerSignal?.aborted) return callerSignal.reason;
  if (error instanceof ProviderError) return error;
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

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

class ResponseTooLarge extends Error {}

/**
 * The body as text, reading no more than `limit` bytes: a declared length over it fails at once, and a
 * body that keeps coming is cut off there (`cut`) or fails (`fail`), the rest never read.
 */
async function readText(response: Dispatcher.ResponseData, limit: number, overflow: 'fail' | 'cut'): Promise<string> {
  const { body } = response;
  const declared = Number(header(response.headers, 'content-length') ?? Number.NaN);
  // undici holds a body to its declared length, so one within the limit can be read whole.
  if (declared <= limit) return body.text();
  if (overflow === 'fail' && declared > limit) {
    body.destroy();
    throw new ResponseTooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit) {
      if (overflow === 'fail') throw new ResponseTooLarge();
      chunks.push(chunk.subarray(0, limit - size));
      size = limit;
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

export async function postJson(options: PostJsonOptions): Promise<unknown> {
  const url = new URL(options.url);
  const { host } = url;
  const deadline = startDeadline(options.timeoutMs, options.signal);
  try {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
        body: JSON.stringify(options.body),
        signal: deadline.signal,
        dispatcher: options.dispatcher ?? egressDispatcher(),
      });
    } catch (error) {
      throw transportFailure(error, deadline, options.timeoutMs, options.signal, host);
    }
    const { statusCode: status } = response;
    const ok = status >= 200 && status < 300;
    const limit = ok ? (options.maxResponseBytes ?? maxResponseBytes()) : MAX_ERROR_BODY_BYTES;
    let text: string;
    try {
      text = await readText(response, limit, ok ? 'fail' : 'cut');
    } catch (error) {
      if (error instanceof ResponseTooLarge) {
        // The same server would send the same flood again: not worth a retry.
        throw new ProviderError(
          'malformed_response',
          `${host} answered ${status} with more than ${limit} bytes (response_too_large); the rest was not read`,
          {
            status,
            retryable: false,
          },
        );
      }
      const failure = transportFailure(error, deadline, options.timeoutMs, options.signal, host);
      if (!(failure instanceof ProviderError) || failure.code === 'timeout' || !ok) throw failure;
      throw new ProviderError('malformed_response', `${host} answered ${status} but the body was cut off`, { status, cause: error });
    }
    if (!ok) {
      const redirect = status >= 300 && status < 400;
      const detail = redirect ? {} : (options.describeError?.(status, tryJson(text)) ?? {});
      const message = redirect ? 'a redirect, which is never followed' : (detail.message ?? (text.trim() || 'no details'));
      throw new ProviderError(detail.code ?? codeForStatus(status), redact(`${host} answered ${status}: ${message}`, options.secrets), {
        status,
        retryable: detail.retryable,
        retryAfterMs: parseRetryAfter((name) => header(response.headers, name)),
      });
    }
    if (text.trim() === '') throw new ProviderError('malformed_response', `${host} answered ${status} with an empty body`, { status });
    const body = tryJson(text);
    if (body === undefined) {
      throw new ProviderError(
        'malformed_response',
        redact(`${host} answered ${status} with a body that is not JSON: ${text.slice(0, 80)}`, options.secrets),
        { status },
      );
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
