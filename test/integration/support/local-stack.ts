/**
 * Integration tests run against the real local stack: DynamoDB Local, the SQS emulator, and the handlers
 * behind the local API Gateway and SQS event source, each in its own process.
 */
// The stack's SQS endpoint and queue URLs are *.localhost names (see local/localhost-dns.ts); a test
// that talks to SQS from this process needs them to resolve too.
import '../../../local/localhost-dns.js';
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pollUntil } from '../../../local/poll.js';
import { startLocalStack, type LocalStack } from '../../../local/stack.js';
import { recordAuthorizationHeader, recordTestApiKey, testRunDir } from '../../support/log-secrecy.js';

export interface TestStack extends LocalStack {
  /** Removes the temporary data directory as well. */
  stop(): Promise<void>;
}

/**
 * For `beforeAll(…, stackStartTimeoutMs)`: a cold start (JVM, emulator, seed, two tsx processes) takes
 * 5–15 s, beyond jest's default 5 s hook timeout.
 */
export const stackStartTimeoutMs = 60_000;

// The integration project's `testTimeout` in jest.config.js is not applied (jest reads it only from the
// global config), so every file that starts a stack gets the longer timeout here.
jest.setTimeout(stackStartTimeoutMs);

/** Short, so that a test can watch a failed message come back (and reach the DLQ) in seconds. */
export const testVisibilityTimeoutSeconds = 5;

/**
 * A private stack for one test file: in memory, on a free port, in a temporary data directory (so it
 * never touches `.data/` or a running `npm start`), quiet unless ARBITER_TEST_VERBOSE=1.
 */
export async function startTestStack(
  options: {
    env?: Record<string, string>;
    visibilityTimeoutSeconds?: number;
    logDir?: string;
    evaluatorStopGraceMs?: number;
    /** Evaluator processes (default 1). */
    evaluators?: number;
    /**
     * A data directory kept on disk (DynamoDB Local's files included) and left in place by `stop`, for a
     * test that stops a stack and starts another on the same data; the caller removes it.
     */
    persistentDataDir?: string;
  } = {},
): Promise<TestStack> {
  const persistent = options.persistentDataDir !== undefined;
  const dataDir = options.persistentDataDir ?? mkdtempSync(join(tmpdir(), 'arbiter-test-'));
  // With a run folder (the jest run's, see test/support/log-secrecy.ts) every child's lines are kept there,
  // at the most verbose level, for the check that no API key is ever logged.
  const runDir = testRunDir();
  const logDir = options.logDir ?? (runDir ? join(runDir, 'stacks', basename(dataDir)) : undefined);
  try {
    const stack = await startLocalStack({
      port: 0,
      dataDir,
      inMemory: !persistent,
      ...(options.evaluatorStopGraceMs !== undefined ? { evaluatorStopGraceMs: options.evaluatorStopGraceMs } : {}),
      ...(options.evaluators !== undefined ? { evaluators: options.evaluators } : {}),
      quiet: process.env.ARBITER_TEST_VERBOSE !== '1',
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? testVisibilityTimeoutSeconds,
      // The response cache is off unless a test turns it on: most tests run one benchmark several times
      // and count the calls each run makes (test/integration/response-cache.test.ts turns it on).
      // Nor does the webhook sweep run on its own: it deletes the outbox rows final states leave, which would
      // change the tables under the tests that check a request wrote nothing (webhooks.test.ts sweeps itself).
      env: {
        LOG_LEVEL: process.env.LOG_LEVEL ?? (logDir ? 'DEBUG' : 'WARN'),
        ARBITER_RESPONSE_CACHE: 'off',
        ARBITER_LOCAL_SKIP_SCHEDULES: 'WebhookSweeper',
        ...options.env,
      },
      ...(logDir ? { logDir } : {}),
    });
    recordTestApiKey(stack.devApiKey);
    return {
      ...stack,
      stop: async () => {
        try {
          await stack.stop();
        } finally {
          if (!persistent) rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    if (!persistent) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export interface RequestOptions {
  /** Sent as JSON, with `Content-Type: application/json` unless `headers` says otherwise. */
  body?: unknown;
  /** Sent as it is, with `Content-Type: application/json` unless `headers` says otherwise. */
  rawBody?: string;
  /** Lower-case names; they override the defaults above. */
  headers?: Record<string, string> | undefined;
  /** The bearer key to send; the development key by default, `null` for no Authorization header. */
  apiKey?: string | null;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed body; `undefined` when it is empty or not JSON. */
  // `any` on purpose: tests read whatever fields the route under test returns.
  json: any;
  text: string;
}

export function api(stack: Pick<LocalStack, 'apiUrl' | 'devApiKey'>) {
  return {
    async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
      const apiKey = options.apiKey === undefined ? stack.devApiKey : options.apiKey;
      // Every key a test sends (good, revoked or made up) is one the logs must never show.
      recordTestApiKey(apiKey);
      recordAuthorizationHeader(options.headers?.authorization);
      const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      const headers: Record<string, string> = {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(apiKey !== null ? { authorization: `Bearer ${apiKey}` } : {}),
        ...options.headers,
      };
      const response = await fetch(new URL(path, stack.apiUrl), { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, json, text };
    },
  };
}

/**
 * Polls `check` until it returns something other than `undefined`/`false`, and returns it. For state that
 * changes asynchronously (an evaluation finishing, a message reaching the DLQ); never a fixed sleep.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; description?: string } = {},
): Promise<T> {
  return pollUntil(check, {
    timeoutMs: options.timeoutMs ?? 20_000,
    intervalMs: options.intervalMs ?? 100,
    ...(options.description ? { description: options.description } : {}),
  });
}
