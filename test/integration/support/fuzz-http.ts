/**
 * A raw HTTP client for tests that send what `fetch` refuses to: undecodable paths, arbitrary bytes as a
 * body, any Content-Type or none, a body on a GET. Connections are kept alive and shared, so hundreds of
 * requests run concurrently without opening a socket each.
 */
import { Agent, request as httpRequest } from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query exactly as sent on the request line (already percent-encoded where needed). */
  target: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, or undefined when it is empty or not JSON. */
  json: unknown;
}

export function createRawClient(baseUrl: string, options: { maxSockets?: number; timeoutMs?: number } = {}) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 8 });
  const timeoutMs = options.timeoutMs ?? 30_000;

  function send(input: RawRequest): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...input.headers };
      if (input.body) headers['content-length'] = String(input.body.length);
      const req = httpRequest(
        { agent, host: url.hostname, port: url.port, method: input.method, path: input.target, headers, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.once('error', reject);
          res.once('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
        },
      );
      req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms: ${input.method} ${input.target.slice(0, 200)}`)));
      req.once('error', reject);
      req.end(input.body);
    });
  }

  return { send, close: () => agent.destroy() };
}

export type RawClient = ReturnType<typeof createRawClient>;
