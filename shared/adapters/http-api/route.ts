import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2WithLambdaAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as v from 'valibot';
import type { AuthorizerContext, Caller } from '../../contracts/auth/authorizer-context.js';
import type { Scope } from '../../contracts/auth/scopes.js';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../../domain/errors.js';
import { logger } from '../../platform/logger.js';
import { authenticate } from './authenticate.js';
import { jsonOrNdjsonBodyParser } from './body-parser.js';
import { httpErrorHandler } from './error-handler.js';
import { jsonResponse, textResponse } from './responses.js';
import { storageProblems } from './storable.js';
import { parseOrThrow } from './validation.js';
import { enforceRequestRate } from './request-rate.js';

export type HttpEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export interface RouteInput<TBody, TQuery> {
  event: HttpEvent;
  caller: Caller;
  body: TBody;
  query: TQuery;
  path: Record<string, string>;
}

export interface RouteOutput {
  statusCode: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is with `contentType`, instead of `body` (HTML, CSV, JSONL). */
  text?: { content: string; contentType: string };
  headers?: Record<string, string>;
}

function toResult(result: RouteOutput): HttpResult {
  if (result.text) return textResponse(result.statusCode, result.text.content, result.text.contentType, result.headers);
  return result.body === undefined
    ? { statusCode: result.statusCode, headers: result.headers }
    : jsonResponse(result.statusCode, result.body, result.headers);
}

interface RouteOptions<TBodySchema extends v.GenericSchema | undefined, TQuerySchema extends v.GenericSchema | undefined> {
  scope: Scope;
  body?: TBodySchema;
  query?: TQuerySchema;
  /** Largest accepted body, in bytes; larger bodies answer 413 before any parsing. */
  maxBodyBytes?: number;
  /** Also accept `application/x-ndjson`, turned into the JSON body's shape by this function. */
  ndjson?: (text: string) => unknown;
}

type Output<T> = T extends v.GenericSchema ? v.InferOutput<T> : undefined;

const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/**
 * Every id Arbiter issues or accepts (evaluations, benchmarks, models, items) is 1–200 letters, digits and
 * `. _ : -`. Anything else in an `…_id` path segment names nothing, so it answers 404 like any unknown id,
 * before it can reach DynamoDB (whose keys are limited to 2,048 bytes, and would answer a 500).
 */
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;

function checkPathIds(path: Record<string, string>): void {
  for (const [name, value] of Object.entries(path)) {
    if (!name.endsWith('_id') || ID_PATTERN.test(value)) continue;
    throw new NotFoundError(name.slice(0, -'_id'.length), value.length > 80 ? `${value.slice(0, 80)}…` : value, name);
  }
}

/** The caller found by the `before` step, handed to the handler body without authenticating twice. */
const callers = new WeakMap<HttpEvent, Caller>();

function bodyBytes(event: HttpEvent): number {
  if (event.body === undefined) return 0;
  return event.isBase64Encoded ? Buffer.byteLength(event.body, 'base64') : Buffer.byteLength(event.body, 'utf8');
}

/**
 * An authenticated HTTP API route: size limit → authentication and scope → JSON body → valibot validation
 * → the domain call → JSON response; every failure on the way answers through the one error handler.
 */
export function httpRoute<TBodySchema extends v.GenericSchema | undefined = undefined, TQuerySchema extends v.GenericSchema | undefined = undefined>(
  options: RouteOptions<TBodySchema, TQuerySchema>,
  run: (input: RouteInput<Output<TBodySchema>, Output<TQuerySchema>>) => Promise<RouteOutput>,
) {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const handler = middy<HttpEvent, HttpResult, Error, Context>()
    .use(httpErrorHandler())
    // Request-scoped keys (tenant, route) are cleared after each invocation so none leaks into the next.
    .use(injectLambdaContext(logger, { resetKeys: true }));

  handler.before(async (request) => {
    // The evaluation a route concerns is in its path: every line of the request carries its id. Only
    // something shaped like an id is logged, never an arbitrary string a client put in the URL.
    const evaluationId = request.event.pathParameters?.evaluation_id;
    const loggableId = evaluationId && /^eval-[0-9a-z]{26}$/.test(evaluationId) ? { evaluation_id: evaluationId } : {};
    logger.appendKeys({ route: request.event.routeKey, request_id: request.event.requestContext?.requestId, ...loggableId });
    if (bodyBytes(request.event) > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
    // Authentication precedes parsing, so an anonymous caller learns nothing about the body's shape.
    const context = request.event.requestContext?.authorizer?.lambda;
    const caller = authenticate(context, options.scope);
    // Before any work of the route: a tenant over its request rate costs one counter update.
    await enforceRequestRate(caller, context?.requests_per_minute);
    callers.set(request.event, caller);
  });
  if (options.body) handler.use(options.ndjson ? jsonOrNdjsonBodyParser(options.ndjson) : httpJsonBodyParser());

  return handler.handler(async (event) => {
    const caller = callers.get(event) ?? authenticate(event.requestContext?.authorizer?.lambda, options.scope);
    logger.appendKeys({ tenant_id: caller.tenantId });
    const path = (event.pathParameters ?? {}) as Record<string, string>;
    // Before the body: an id that cannot name anything answers 404 whatever the body holds.
    checkPathIds(path);
    const body = (options.body ? parseOrThrow(options.body, event.body) : undefined) as Output<TBodySchema>;
    // After the schema, so a field the schema refuses is named by it first; this catches what it let through.
    const unstorable = options.body ? storageProblems(event.body) : [];
    if (unstorable.length > 0) throw new ValidationError(unstorable, 'The request body cannot be stored as sent');
    const query = (
      options.query ? parseOrThrow(options.query, event.queryStringParameters ?? {}, 'The query string is not valid') : undefined
    ) as Output<TQuerySchema>;
    return toResult(await run({ event, caller, body, query, path }));
  });
}

/** A route anyone may call (health, the OpenAPI document): no authentication, no body. */
export function publicRoute(run: (event: HttpEvent) => Promise<RouteOutput>) {
  return middy<HttpEvent, HttpResult, Error, Context>()
    .use(httpErrorHandler())
    .handler(async (event) => toResult(await run(event)));
}
