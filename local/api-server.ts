/**
 * The local HTTP API: a Node server that does what API Gateway's HTTP API does in front of the handler
 * Lambdas. Run as its own process by the local stack (`node --import tsx local/api-server.ts`), with the
 * handler environment already set, so handlers read it at import exactly as in Lambda.
 *
 * Prints `ARBITER_API_READY <url>` once listening; SIGTERM stops accepting requests, lets the ones in
 * flight finish and exits.
 */
import './localhost-dns.js';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { functionDefinitions } from '#shared/contracts/function-manifest.js';
import { localStackConfig } from '#shared/platform/config.js';
import { gatewayError, type GatewayRequest, type GatewayResponse } from './api-gateway-event.js';
import { loadHandler } from './handler-modules.js';
import { createHttpApiGateway } from './http-api-gateway.js';
import { createLog, errorFields } from './json-log.js';
import { onParentExit } from './parent-watch.js';
import { apiReadyPrefix } from './ready-lines.js';
import { createRouter } from './routes.js';

/** API Gateway's payload limit. */
const maxBodyBytes = 10 * 1024 * 1024;
const shutdownGraceMs = 10_000;

const log = createLog('arbiter-local-api');

const gateway = createHttpApiGateway({
  matchRoute: createRouter(functionDefinitions),
  authorizer: functionDefinitions.find((definition) => definition.kind === 'authorizer'),
  loadHandler,
  onError: (error, details) => log.error('handler failed', { ...details, ...errorFields(error) }),
});

/**
 * Reads the body, keeping at most the payload limit. An oversized upload is still read to its end and
 * discarded: answering 413 while the client is still sending makes most clients report a reset
 * connection instead of the response.
 */
function readBody(request: IncomingMessage): Promise<Buffer | 'too large'> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    request.once('end', () => resolveBody(size > maxBodyBytes ? 'too large' : Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

function toGatewayRequest(request: IncomingMessage, body: Buffer, requestId: string, receivedAt: Date): GatewayRequest {
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  return {
    method: request.method ?? 'GET',
    rawPath: queryStart === -1 ? url : url.slice(0, queryStart),
    rawQueryString: queryStart === -1 ? '' : url.slice(queryStart + 1),
    headers: Object.fromEntries(Object.entries(request.headersDistinct).map(([name, values]) => [name, values ?? []])),
    body,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
    protocol: `HTTP/${request.httpVersion}`,
    requestId,
    receivedAt,
  };
}

function send(response: ServerResponse, result: GatewayResponse, requestId: string): void {
  response.statusCode = result.statusCode;
  for (const [name, value] of Object.entries(result.headers)) response.setHeader(name, value);
  if (result.cookies.length > 0) response.setHeader('set-cookie', result.cookies);
  response.setHeader('apigw-requestid', requestId);
  response.end(result.body);
}

async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const started = performance.now();
  const receivedAt = new Date();
  const requestId = randomUUID();
  let result: GatewayResponse;
  let routeKey: string | undefined;
  try {
    const body = await readBody(request);
    if (body === 'too large') result = gatewayError(413, 'Request Entity Too Large');
    else ({ response: result, routeKey } = await gateway(toGatewayRequest(request, body, requestId, receivedAt)));
  } catch (error) {
    log.error('request failed', { request_id: requestId, ...errorFields(error) });
    result = gatewayError(500, 'Internal Server Error');
  }
  send(response, result, requestId);
  // The route, not the path, as the deployed stage's access log has it: the path, query string and headers
  // are the client's text, and may carry a secret (an Authorization header, a key pasted into a URL).
  log.info('request', {
    request_id: requestId,
    method: request.method,
    route: routeKey,
    status: result.statusCode,
    ms: Math.round(performance.now() - started),
  });
}

function warmUp(): void {
  // Import the handlers in the background, as a provisioned container would: the first request is not
  // slowed by compilation, and a handler that cannot even load is reported at once.
  for (const definition of functionDefinitions.filter((candidate) => candidate.kind === 'api' || candidate.kind === 'authorizer')) {
    loadHandler(definition).catch((error: unknown) =>
      log.error('handler module failed to load', { function_id: definition.id, entry: definition.entry, ...errorFields(error) }),
    );
  }
}

function main(): void {
  const port = localStackConfig.port;
  const server = createServer((request, response) => void serve(request, response));
  server.once('error', (error: NodeJS.ErrnoException) => {
    const hint = error.code === 'EADDRINUSE' ? ` (port ${port} is in use: stop the other process or set PORT)` : '';
    log.error(`the API server could not listen${hint}`, errorFields(error));
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.stdout.write(`${apiReadyPrefix}${url}\n`);
    warmUp();
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    log.info('stopping the API server');
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => {
      log.warn('requests still in flight after the grace period; exiting');
      process.exit(0);
    }, shutdownGraceMs).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  onParentExit(stop);
}

main();
