import type { Context } from 'aws-lambda';
import type { AuthorizerContext } from '#shared/contracts/auth/authorizer-context.js';
import type { HttpEvent } from '#shared/adapters/http-api/route.js';

/** A typed Lambda context for unit tests. */
export function fakeContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'arbiter-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:arbiter-test',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/arbiter-test',
    logStreamName: '2026/11/25/[$LATEST]abc',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}

export const allScopes = 'evaluations:read evaluations:write benchmarks:read benchmarks:write models:read models:write';

export const tenantA: AuthorizerContext = { tenant_id: 'tenant-a', key_id: 'key-a', scopes: allScopes };

/** An HTTP API payload 2.0 event, as API Gateway sends it after the authorizer ran. */
export function httpEvent(options: {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  auth?: AuthorizerContext;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
}): HttpEvent {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/api/v3/evaluations';
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': 'application/json', ...options.headers },
    queryStringParameters: options.query,
    pathParameters: options.pathParameters,
    body: options.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'request-1',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '25/Nov/2026:18:00:00 +0000',
      timeEpoch: 1_795_000_000_000,
      authorizer: { lambda: options.auth ?? tenantA },
    },
  } as HttpEvent;
}
