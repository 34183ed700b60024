/**
 * An open-loop load generator: request i is sent at start + i / rate whatever became of the earlier ones,
 * as wrk2 does. A slow answer then delays no later request; it shows in the latencies, which run from the
 * moment each request was due, instead of quietly lowering the rate ("coordinated omission").
 *
 * autocannon was the first choice, but its fixed rate is per connection and per second: each connection
 * sends its share of a second back to back, then waits for the next second. Every second thus starts with
 * all connections queued at once, and the latencies measure that self-made queue (on this stack: p50 61 ms
 * at 150 req/s through autocannon's rate limit, against 31 ms at 268 req/s with 10 connections unlimited).
 */
import { Agent, request as httpRequest } from 'node:http';

export interface OutgoingRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface FixedRateOptions<T extends OutgoingRequest> {
  /** The server's origin, e.g. http://127.0.0.1:3000. */
  url: string;
  rate: number;
  seconds: number;
  /** Most connections open at once; a request due while all are busy waits, and the wait is in its latency. */
  maxConnections: number;
  timeoutMs: number;
  next(): T;
  /** Called once per request: with its status and body, or without them (and with the error) when it got no answer. */
  record(request: T, latencyMs: number, status?: number, body?: string, error?: Error): void;
  /** Called after each second of the schedule. */
  onSecond?(elapsed: number): void;
}

export interface FixedRateResult {
  sent: number;
  answered: number;
  /** Connection errors and timeouts. */
  failed: number;
  /** From the first request's due time to the last answer. */
  elapsedSeconds: number;
  /** Answers in each full second of the schedule. */
  answeredPerSecond: number[];
  /** How late the generator itself sent requests (its own event loop), p99 and max, in ms. */
  sendLagMs: { p99: number; max: number };
  peakInFlight: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function driveAtFixedRate<T extends OutgoingRequest>(options: FixedRateOptions<T>): Promise<FixedRateResult> {
  const origin = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxConnections });
  const total = Math.round(options.rate * options.seconds);
  const intervalMs = 1000 / options.rate;
  const answeredPerSecond = Array.from({ length: Math.ceil(options.seconds) }, () => 0);
  const sendLags: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let answered = 0;
  let failed = 0;
  let peakInFlight = 0;
  let lastAnswerAt = 0;

  const start = performance.now();
  const send = (dueAt: number) => {
    sendLags.push(performance.now() - dueAt);
    const planned = options.next();
    const exchange = new Promise<void>((resolve) => {
      let settled = false;
      const settle = (status?: number, body?: string, error?: Error) => {
        if (settled) return;
        settled = true;
        const now = performance.now();
        if (status === undefined) {
          failed += 1;
        } else {
          answered += 1;
          lastAnswerAt = now;
          const second = Math.floor((now - start) / 1000);
          if (second < answeredPerSecond.length) answeredPerSecond[second]! += 1;
        }
        options.record(planned, now - dueAt, status, body, error);
        resolve();
      };
      const headers =
        planned.body === undefined ? planned.headers : { ...planned.headers, 'content-length': String(Buffer.byteLength(planned.body)) };
      const outgoing = httpRequest(
        { host: origin.hostname, port: origin.port, method: planned.method, path: planned.path, headers, agent, timeout: options.timeoutMs },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => settle(response.statusCode, Buffer.concat(chunks).toString('utf8')));
          response.on('error', (error) => settle(undefined, undefined, error));
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      outgoing.on('error', (error) => settle(undefined, undefined, error));
      outgoing.end(planned.body);
    });
    inFlight.add(exchange);
    peakInFlight = Math.max(peakInFlight, inFlight.size);
    void exchange.then(() => inFlight.delete(exchange));
  };

  let elapsedSeconds = 0;
  const ticker = setInterval(() => options.onSecond?.(++elapsedSeconds), 1000);
  let sent = 0;
  try {
    while (sent < total) {
      // Everything already due goes now: a generator that fell behind catches up instead of slowing down.
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        send(start + sent * intervalMs);
        sent += 1;
      }
      if (sent < total) await sleep(start + sent * intervalMs - performance.now());
    }
  } finally {
    clearInterval(ticker);
  }
  // Each request has its own timeout, so this wait is bounded.
  await Promise.all(inFlight);
  agent.destroy();

  const sortedLags = sendLags.sort((a, b) => a - b);
  return {
    sent,
    answered,
    failed,
    elapsedSeconds: (Math.max(lastAnswerAt, start) - start) / 1000,
    answeredPerSecond,
    sendLagMs: {
      p99: Math.round(sortedLags[Math.min(sortedLags.length - 1, Math.floor(sortedLags.length * 0.99))] ?? 0),
      max: Math.round(sortedLags.at(-1) ?? 0),
    },
    peakInFlight,
  };
}
