/**
 * Where provider keys live, by owner: the names registration, the key sources and the CDK stack's IAM
 * grants must agree on (docs/security.md). Here, not in the domain, because infra may import
 * only contracts and platform.
 *
 * - The deployment's keys (the operator's) live in `arbiter/deployment/<provider>` in the cloud and in
 *   the provider's usual variable locally; they serve only their provider's official endpoint.
 * - A tenant's keys live under `arbiter/tenants/<tenant_id>/`; the evaluator reads them through a role
 *   session tagged with the tenant, so IAM, not only registration, keeps one tenant out of another's.
 */

/** Providers whose official endpoint the deployment may hold a key for. */
export type KeyedProvider = 'openai' | 'anthropic';

export const DEPLOYMENT_SECRETS_PREFIX = 'arbiter/deployment/';
export const TENANT_SECRETS_ROOT = 'arbiter/tenants/';

/** The deployment's key of each keyed provider: its variable on the local stack, its secret in the cloud. */
export const deploymentKeys: Readonly<Record<KeyedProvider, { env: string; secret: string }>> = {
  openai: { env: 'OPENAI_API_KEY', secret: `${DEPLOYMENT_SECRETS_PREFIX}openai` },
  anthropic: { env: 'ANTHROPIC_API_KEY', secret: `${DEPLOYMENT_SECRETS_PREFIX}anthropic` },
};

export const isKeyedProvider = (provider: string): provider is KeyedProvider => Object.hasOwn(deploymentKeys, provider);

/** The provider whose deployment key `variable` holds, if it is one of the deployment's variables. */
export function deploymentVariableOwner(variable: string): KeyedProvider | undefined {
  return (Object.keys(deploymentKeys) as KeyedProvider[]).find((provider) => deploymentKeys[provider].env === variable);
}

/** The prefix every secret of `tenantId` is named under; the trailing slash keeps `acme` out of `acme-eu`'s. */
export const tenantSecretPrefix = (tenantId: string): string => `${TENANT_SECRETS_ROOT}${tenantId}/`;

/**
 * The session tag that carries the tenant into the secrets reader role's session; the role's policy names
 * `${aws:PrincipalTag/tenant}` in its resource.
 */
export const TENANT_SESSION_TAG = 'tenant';
