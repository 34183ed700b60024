import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import type { AuthorizerContext } from '#shared/contracts/auth/authorizer-context.js';
import { bearerToken } from '#shared/domain/auth/api-keys.js';
import { logger } from '#shared/platform/logger.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { DynamoDbTenantSettingsStore } from '#shared/adapters/dynamodb/tenant-settings-store.js';
import type { TenantSettingsStore } from '#shared/domain/ports/tenant-settings.js';

type Result = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;
type KeyResolver = Pick<DynamoDbApiKeyStore, 'resolve'>;
type SettingsReader = Pick<TenantSettingsStore, 'get'>;

/**
 * Resolves `Authorization: Bearer <key>` to the key's tenant and scopes. It always authorizes and reports
 * an unusable key in the context instead: an HTTP API turns a denial into a bare 403, while Arbiter answers
 * 401 with a JSON error body, which only the route can send. Every route checks the context first.
 *
 * A revoked key resolves to nothing at once; API Gateway, though, reuses an answer for the same header
 * for the authorizer cache's TTL (5 minutes, infra/constructs/arbiter-http-api.ts), so in the cloud a
 * revoked key may keep working that long.
 */
export async function resolveCaller(authorization: string | undefined, store: KeyResolver, settings?: SettingsReader): Promise<Result> {
  const key = bearerToken(authorization);
  if (!key) return { isAuthorized: true, context: { auth_error: 'malformed_authorization' } };
  const record = await store.resolve(key);
  if (!record) return { isAuthorized: true, context: { auth_error: 'unknown_key' } };
  // The request-rate quota travels with the identity, so a route counts a request without reading settings
  // (and, in the cloud, a quota change applies within the authorizer cache's TTL, like a revocation).
  const rate = settings ? (await settings.get(record.tenant_id)).quotas.requests_per_minute : undefined;
  return {
    isAuthorized: true,
    context: {
      tenant_id: record.tenant_id,
      key_id: record.key_id,
      scopes: record.scopes.join(' '),
      ...(rate !== undefined ? { requests_per_minute: rate } : {}),
    },
  };
}

/** The authorizer over `store`; the deployed handler below uses the API keys table. */
export function createAuthorizer(store: KeyResolver, settings?: SettingsReader) {
  return async (event: APIGatewayRequestAuthorizerEventV2): Promise<Result> => {
    const result = await resolveCaller(event.identitySource?.[0] ?? event.headers?.authorization, store, settings);
    // Never the key, nor the header: only which key (by id) or why none was usable.
    logger.info('authorized', { route: event.routeKey, key_id: result.context.key_id, auth_error: result.context.auth_error });
    return result;
  };
}

export const handler = createAuthorizer(new DynamoDbApiKeyStore(), new DynamoDbTenantSettingsStore());
