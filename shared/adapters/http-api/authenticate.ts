import type { AuthorizerContext, Caller } from '../../contracts/auth/authorizer-context.js';
import type { Scope } from '../../contracts/auth/scopes.js';
import { ForbiddenError, UnauthorizedError } from '../../domain/errors.js';

const reasons: Record<NonNullable<AuthorizerContext['auth_error']>, string> = {
  malformed_authorization: 'expected the header Authorization: Bearer <api_key>',
  unknown_key: 'the API key is unknown or has been revoked',
};

/**
 * The authorizer lets every request through with either an identity or the reason it has none (an HTTP
 * API can only answer 403 for a denied request; Arbiter's contract is 401), so each route decides here.
 */
export function authenticate(context: AuthorizerContext | undefined, requiredScope: Scope): Caller {
  if (!context || context.auth_error || !context.tenant_id || !context.key_id) {
    throw new UnauthorizedError(reasons[context?.auth_error ?? 'unknown_key']);
  }
  const granted = (context.scopes ?? '').split(' ').filter(Boolean);
  if (!granted.includes(requiredScope)) throw new ForbiddenError(requiredScope);
  return { tenantId: context.tenant_id, keyId: context.key_id, scopes: granted };
}
