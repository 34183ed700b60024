/**
 * What the authorizer hands to every route handler (API Gateway's `requestContext.authorizer.lambda`).
 * Simple-response authorizers may only return flat values, so scopes travel as one space-separated string.
 */
export interface AuthorizerContext {
  tenant_id?: string;
  key_id?: string;
  scopes?: string;
  /** The tenant's `requests_per_minute` quota, when the operator set one (read with the key). */
  requests_per_minute?: number;
  /** Set instead of the identity when the key was unusable; the route answers 401 with this reason. */
  auth_error?: 'malformed_authorization' | 'unknown_key';
}

export interface Caller {
  tenantId: string;
  keyId: string;
  scopes: string[];
}
