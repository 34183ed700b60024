/**
 * A scripted HTTP server for adapter tests: records every request and answers with the replies queued by
 * the test, in order, so a test can check the exact bytes an adapter sends and feed it the providers'
 * documented answers (and failures) over a real socket.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { constants, createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher } from 'undici';

type Response = ServerResponse | Http2ServerResponse;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any;
}

/** A canned answer (`body` other than a string is sent as JSON) or a function that writes its own. */
export type WireReply =
  | { status?: number; headers?: Record<string, string>; body?: unknown }
  | ((response: Response, request: RecordedRequest) => void);

export interface WireServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Queues replies; once the queue is empty every request gets a 599 that names the problem. */
  reply(...replies: WireReply[]): void;
  stop(): Promise<void>;
}

/** Never answers; the socket stays open until the client gives up. */
export const hang: WireReply = () => {};

/** Drops the connection (HTTP/2: resets the stream) without an answer, as a crashed server does. */
export const reset: WireReply = (response) => dropConnection(response);

function dropConnection(response: Response): void {
  if ('stream' in response) response.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  else response.socket?.destroy();
}

/** Promises a body of `declaredLength` bytes, sends `text`, then drops the connection. */
export function truncated(status: number, text: string, declaredLength = text.length * 2): WireReply {
  return (response) => {
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(declaredLength) });
    const body: { write(chunk: string, callback: () => void): boolean } = response;
    body.write(text, () => dropConnection(response));
  };
}

/**
 * A dispatcher that sends every request to `origin` whatever its URL says, for adapters whose URL is a
 * provider's official endpoint (https://api.openai.com): the call lands on a local wire server instead.
 */
export function sendingTo(origin: string): Dispatcher {
  return new Agent().compose((dispatch) => (options, handler) => dispatch({ ...options, origin }, handler));
}

function readBody(request: IncomingMessage | Http2ServerRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface WireServerOptions {
  /** Cleartext HTTP/2 (h2c), which the Bedrock runtime SDK's default handler speaks. */
  http2?: boolean;
}

export async function startWireServer(options: WireServerOptions = {}): Promise<WireServer> {
  const requests: RecordedRequest[] = [];
  const queue: WireReply[] = [];
  const handle = async (request: IncomingMessage | Http2ServerRequest, response: Response) => {
    const body = await readBody(request);
    const recorded: RecordedRequest = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body, json: parse(body) };
    requests.push(recorded);
    const reply = queue.shift() ?? { status: 599, body: { message: `no reply queued for request ${requests.length}` } };
    if (typeof reply === 'function') return reply(response, recorded);
    const payload = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
    response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    response.end(payload);
  };
  const sessions = new Set<ServerHttp2Session>();
  const server = options.http2 ? createHttp2Server(handle) : createServer(handle);
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    reply: (...replies) => void queue.push(...replies),
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ('closeAllConnections' in server) server.closeAllConnections();
      for (const session of sessions) session.destroy();
      await closed;
    },
  };
}
