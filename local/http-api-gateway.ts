/**
 * What API Gateway does between a client and the handlers: route, authorize, invoke, translate the
 * result. Independent of `node:http`, so the behaviour can be tested without a server.
 *
 * There is no authorizer cache: every request runs the authorizer, so a revoked key stops working at
 * once locally, while in AWS it may keep working for the cache TTL configured on the route.
 */
import type { FunctionDefinition } from '#shared/contracts/function-manifest.js';
import { authorizerEvent, gatewayError, proxyEvent, toGatewayResponse, type GatewayRequest, type GatewayResponse } from './api-gateway-event.js';
import type { AnyHandler } from './handler-modules.js';
import { apiTimeoutSeconds, createLambdaContext } from './lambda-context.js';
import type { MatchedRoute } from './routes.js';

export interface GatewayDependencies {
  matchRoute(method: string, rawPath: string): MatchedRoute | undefined;
  authorizer: FunctionDefinition | undefined;
  loadHandler(definition: FunctionDefinition): Promise<AnyHandler>;
  /** Called with every error that becomes a 500, which the client never sees. */
  onError(error: unknown, details: { functionId: string; routeKey: string; requestId: string }): void;
}

export interface GatewayOutcome {
  response: GatewayResponse;
  routeKey?: string;
}

interface SimpleAuthorizerResult {
  isAuthorized: boolean;
  context?: Record<string, unknown>;
}

function isSimpleResult(value: unknown): value is SimpleAuthorizerResult {
  return typeof value === 'object' && value !== null && typeof (value as SimpleAuthorizerResult).isAuthorized === 'boolean';
}

export function createHttpApiGateway(deps: GatewayDependencies) {
  async function invoke(definition: FunctionDefinition, event: unknown, route: MatchedRoute, requestId: string) {
    try {
      const handler = await deps.loadHandler(definition);
      return {
        ok: true as const,
        result: await handler(event, createLambdaContext({ functionId: definition.id, timeoutSeconds: apiTimeoutSeconds })),
      };
    } catch (error) {
      deps.onError(error, { functionId: definition.id, routeKey: route.routeKey, requestId });
      return { ok: false as const };
    }
  }

  return async function handle(request: GatewayRequest): Promise<GatewayOutcome> {
    const route = deps.matchRoute(request.method, request.rawPath);
    if (!route) return { response: gatewayError(404, 'Not Found') };
    const internalError = { response: gatewayError(500, 'Internal Server Error'), routeKey: route.routeKey };

    let authorizerContext: Record<string, unknown> | undefined;
    if (route.route.authorized) {
      const authorization = request.headers.authorization?.[0];
      // The identity source is missing: API Gateway answers 401 without calling the authorizer.
      if (!authorization) return { response: gatewayError(401, 'Unauthorized'), routeKey: route.routeKey };
      if (!deps.authorizer) {
        deps.onError(new Error('A route requires authorization but the manifest defines no authorizer'), {
          functionId: route.definition.id,
          routeKey: route.routeKey,
          requestId: request.requestId,
        });
        return internalError;
      }
      const outcome = await invoke(deps.authorizer, authorizerEvent(request, route, authorization), route, request.requestId);
      if (!outcome.ok) return internalError;
      if (!isSimpleResult(outcome.result)) {
        deps.onError(new Error('The authorizer must return a simple response { isAuthorized, context }'), {
          functionId: deps.authorizer.id,
          routeKey: route.routeKey,
          requestId: request.requestId,
        });
        return internalError;
      }
      if (!outcome.result.isAuthorized) return { response: gatewayError(403, 'Forbidden'), routeKey: route.routeKey };
      authorizerContext = outcome.result.context;
    }

    const outcome = await invoke(route.definition, proxyEvent(request, route, authorizerContext), route, request.requestId);
    if (!outcome.ok) return internalError;
    try {
      return { response: toGatewayResponse(outcome.result), routeKey: route.routeKey };
    } catch (error) {
      deps.onError(error, { functionId: route.definition.id, routeKey: route.routeKey, requestId: request.requestId });
      return internalError;
    }
  };
}
