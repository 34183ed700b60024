/**
 * Builds the events an API Gateway HTTP API sends (payload format 2.0) and reads its integration
 * responses back, so handlers see locally exactly the shapes they see in AWS.
 */
import type {
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
} from 'aws-lambda';
import { localRegion } from './aws-local.js';
import type { MatchedRoute } from './routes.js';

export const localAccountId = '000000000000';
export const localApiId = 'local';

export interface GatewayRequest {
  method: string;
  /** The path as received, still percent-encoded, as in `rawPath`. */
  rawPath: string;
  rawQueryString: string;
  /** Lower-cased names, each with its values in order of arrival. */
  headers: Record<string, string[]>;
  body: Buffer;
  sourceIp: string;
  protocol: string;
  requestId: string;
  receivedAt: Date;
}

export interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/** Text bodies reach the handler as text; everything else base64-encoded, as API Gateway does. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    mediaType.startsWith('text/') ||
    /^application\/(json|xml|javascript|x-www-form-urlencoded|graphql)$/.test(mediaType) ||
    /\+(json|xml)$/.test(mediaType)
  );
}

/** Repeated headers are joined with commas; cookies move to their own field, as in payload 2.0. */
function splitHeaders(headers: Record<string, string[]>): { headers: Record<string, string>; cookies: string[] } {
  const joined: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, values] of Object.entries(headers)) {
    if (name === 'cookie') {
      cookies.push(
        ...values.flatMap((value) =>
          value
            .split(';')
            .map((cookie) => cookie.trim())
            .filter(Boolean),
        ),
      );
    } else {
      joined[name] = values.join(',');
    }
  }
  return { headers: joined, cookies };
}

function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return parameters;
}

/** API Gateway's `requestContext.time` format: `12/Mar/2020:19:03:58 +0000`. */
function gatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

function requestContext(request: GatewayRequest, routeKey: string): APIGatewayEventRequestContextV2 {
  const domainName = request.headers.host?.[0] ?? '127.0.0.1';
  return {
    accountId: localAccountId,
    apiId: localApiId,
    domainName,
    domainPrefix: domainName.split('.')[0] ?? domainName,
    http: {
      method: request.method,
      path: request.rawPath,
      protocol: request.protocol,
      sourceIp: request.sourceIp,
      userAgent: request.headers['user-agent']?.join(',') ?? '',
    },
    requestId: request.requestId,
    routeKey,
    stage: '$default',
    time: gatewayTime(request.receivedAt),
    timeEpoch: request.receivedAt.getTime(),
  };
}

function commonFields(request: GatewayRequest, route: MatchedRoute) {
  const { headers, cookies } = splitHeaders(request.headers);
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(request.rawQueryString ? { queryStringParameters: queryParameters(request.rawQueryString) } : {}),
    ...(Object.keys(route.pathParameters).length > 0 ? { pathParameters: route.pathParameters } : {}),
  };
}

export function authorizerEvent(request: GatewayRequest, route: MatchedRoute, authorization: string): APIGatewayRequestAuthorizerEventV2 {
  const common = commonFields(request, route);
  return {
    ...common,
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${localRegion}:${localAccountId}:${localApiId}/$default/${request.method}${request.rawPath}`,
    identitySource: [authorization],
    cookies: common.cookies ?? [],
    requestContext: requestContext(request, route.routeKey),
  };
}

export function proxyEvent(
  request: GatewayRequest,
  route: MatchedRoute,
  authorizerContext: Record<string, unknown> | undefined,
): APIGatewayProxyEventV2WithLambdaAuthorizer<Record<string, unknown>> {
  const hasBody = request.body.length > 0;
  const text = isTextContentType(request.headers['content-type']?.[0]);
  return {
    ...commonFields(request, route),
    requestContext: {
      ...requestContext(request, route.routeKey),
      authorizer: { lambda: authorizerContext ?? {} },
    },
    ...(hasBody ? { body: text ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !text,
  } as APIGatewayProxyEventV2WithLambdaAuthorizer<Record<string, unknown>>;
}

/** The responses API Gateway sends itself, in its own words. */
export function gatewayError(statusCode: number, message: string): GatewayResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message })),
  };
}

export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}

/**
 * Reads a handler's return value as API Gateway does with payload 2.0: an object with `statusCode` is a
 * structured response; anything else is the body of a 200 JSON response (a string as is, else as JSON).
 */
export function toGatewayResponse(result: unknown): GatewayResponse {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? '');
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(body) };
  }
  const structured = result as APIGatewayProxyStructuredResultV2;
  const statusCode = structured.statusCode;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new MalformedResponseError(`statusCode must be an integer between 100 and 599, got ${JSON.stringify(statusCode)}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const body = structured.body ?? '';
  return {
    statusCode,
    headers,
    cookies: structured.cookies ?? [],
    body: structured.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body),
  };
}
