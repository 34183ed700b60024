import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import type { AuthorizerContext } from '#shared/contracts/auth/authorizer-context.js';
import { bearerToken } from '#shared/domain/auth/api-keys.js';
import { logger } from '#shared/platform/logger.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';

type Result = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;
type KeyResolver = Pick<DynamoDbApiKeyStore, 'resolve'>;

/**
 * Resolves `Authorization: Bearer <key>` to the key's tenant and scopes. It always authorizes and reports
 * an unusable key in the context instead: an HTTP API turns a denial into a bare 403, while Arbiter answers
 * 401 with a JSON error body, which only the route can send. Every route checks the context first.
 *
 * A revoked key resolves to nothing at once; API Gateway, though, reuses an answer for the same header
 * for the authorizer cache's TTL (5 minutes, infra/constructs/arbiter-http-api.ts), so in the cloud a
 * revoked key may keep working that long.
 */
export async function resolveCaller(authorization: string | undefined, store: KeyResolver): Promise<Result> {
  const key = bearerToken(authorization);
  if (!key) return { isAuthorized: true, context: { auth_error: 'malformed_authorization' } };
  const record = await store.resolve(key);
  if (!record) return { isAuthorized: true, context: { auth_error: 'unknown_key' } };
  return {
    isAuthorized: true,
    context: { tenant_id: record.tenant_id, key_id: record.key_id, scopes: record.scopes.join(' ') },
  };
}

/** The authorizer over `store`; the deployed handler below uses the API keys table. */
export function createAuthorizer(store: KeyResolver) {
  return async (event: APIGatewayRequestAuthorizerEventV2): Promise<Result> => {
    const result = await resolveCaller(event.identitySource?.[0] ?? event.headers?.authorization, store);
    // Never the key, nor the header: only which key (by id) or why none was usable.
    logger.info('authorized', { route: event.routeKey, key_id: result.context.key_id, auth_error: result.context.auth_error });
    return result;
  };
}

export const handler = createAuthorizer(new DynamoDbApiKeyStore());
