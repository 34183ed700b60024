import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import type { AuthorizerContext } from '#shared/auth/authorizer-context.js';
import { bearerToken } from '#shared/auth/api-keys.js';
import { logger } from '#shared/logger.js';
import { DynamoDbApiKeyStore } from '#shared/store/dynamodb/api-key-store.js';

const keys = new DynamoDbApiKeyStore();

type Result = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

/**
 * Resolves `Authorization: Bearer <key>` to the key's tenant and scopes. It always authorizes and reports
 * an unusable key in the context instead: an HTTP API turns a denial into a bare 403, while Arbiter answers
 * 401 with a JSON error body, which only the route can send. Every route checks the context first.
 */
export async function resolveCaller(authorization: string | undefined, store = keys): Promise<Result> {
  const key = bearerToken(authorization);
  if (!key) return { isAuthorized: true, context: { auth_error: 'malformed_authorization' } };
  const record = await store.resolve(key);
  if (!record) return { isAuthorized: true, context: { auth_error: 'unknown_key' } };
  return {
    isAuthorized: true,
    context: { tenant_id: record.tenant_id, key_id: record.key_id, scopes: record.scopes.join(' ') },
  };
}

export const handler = async (event: APIGatewayRequestAuthorizerEventV2): Promise<Result> => {
  const result = await resolveCaller(event.identitySource?.[0] ?? event.headers?.authorization);
  // Never the key itself: only which key (or why none) was used.
  logger.info('authorized', { route: event.routeKey, key_id: result.context.key_id, auth_error: result.context.auth_error });
  return result;
};
