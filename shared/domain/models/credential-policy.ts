/**
 * Whose key a model call may use (DESIGN.md §8, "credentials belong to someone"). One rule, applied twice:
 * at registration, where a refusal is a 422 naming the field, and again on every call, so a model record
 * stored before the rule (or written around the API) never gets the deployment's key sent to its server.
 *
 * - The deployment's key of a provider serves only that provider's official endpoint: built-in models, and
 *   registered models of that provider without a `base_url`.
 * - A model with a `base_url` brings its own key, or none (an OpenAI-compatible server may need none).
 * - A tenant's secret is named under `arbiter/tenants/<tenant_id>/`; any other name is refused on its name
 *   alone, before anything asks Secrets Manager, so no answer tells whether someone else's secret exists.
 * - `api_key_env` names only variables the operator allowlists (`ARBITER_ALLOWED_KEY_ENV`), and never a
 *   deployment variable except for its own provider's official endpoint.
 */
import { deploymentVariableOwner, isKeyedProvider, tenantSecretPrefix, type KeyedProvider } from '../../contracts/models/credential-names.js';
import type { Model } from '../../contracts/models/schemas.js';

/** Where a call's key is read from. */
export type KeyLocation =
  | { kind: 'deployment'; provider: KeyedProvider }
  | { kind: 'tenant_secret'; name: string }
  | { kind: 'env'; variable: string };

export interface CredentialRefusal {
  code: 'deployment_credentials_not_allowed' | 'api_key_secret_not_allowed' | 'api_key_env_not_allowed';
  field: 'api_key_secret' | 'api_key_env' | 'base_url';
  message: string;
}

/** `location` undefined: the model is called without a key (Bedrock's IAM role, baselines, a key-less server). */
export type CredentialDecision = { ok: true; location: KeyLocation | undefined } | { ok: false; refusal: CredentialRefusal };

type Credentials = Pick<Model, 'provider' | 'base_url' | 'api_key_secret' | 'api_key_env' | 'builtin'>;

const allow = (location: KeyLocation | undefined): CredentialDecision => ({ ok: true, location });
const refuse = (refusal: CredentialRefusal): CredentialDecision => ({ ok: false, refusal });

const ownKeyHint = (tenantId: string) =>
  `name your own key: api_key_secret, a Secrets Manager secret under ${tenantSecretPrefix(tenantId)}, or on the local stack an api_key_env the operator allows (ARBITER_ALLOWED_KEY_ENV)`;

export function decideCredentials(model: Credentials, tenantId: string, allowedKeyEnv: readonly string[]): CredentialDecision {
  if (model.provider === 'bedrock' || model.provider === 'baseline') return allow(undefined);
  const custom = model.base_url !== undefined;
  const keyed = isKeyedProvider(model.provider) ? model.provider : undefined;

  // A catalogue entry always uses the deployment's key; the names an older snapshot carries are ignored.
  if (model.builtin) {
    if (!keyed) return allow(undefined);
    if (custom) {
      return refuse({
        code: 'deployment_credentials_not_allowed',
        field: 'base_url',
        message: `a built-in ${keyed} model is called only at ${keyed}'s official endpoint`,
      });
    }
    return allow({ kind: 'deployment', provider: keyed });
  }

  if (model.api_key_secret !== undefined) {
    const prefix = tenantSecretPrefix(tenantId);
    // Not the name in the message: every refused name gets the same answer.
    if (!model.api_key_secret.startsWith(prefix) || model.api_key_secret.length === prefix.length) {
      return refuse({
        code: 'api_key_secret_not_allowed',
        field: 'api_key_secret',
        message: `must name a Secrets Manager secret under ${prefix}, your tenant's prefix`,
      });
    }
    return allow({ kind: 'tenant_secret', name: model.api_key_secret });
  }

  if (model.api_key_env !== undefined) {
    const variable = model.api_key_env;
    const owner = deploymentVariableOwner(variable);
    if (owner) {
      if (owner === model.provider && !custom) return allow({ kind: 'deployment', provider: owner });
      return refuse({
        code: 'deployment_credentials_not_allowed',
        field: 'api_key_env',
        message: `${variable} holds the deployment's ${owner} key, which is sent only to ${owner}'s official endpoint; ${ownKeyHint(tenantId)}`,
      });
    }
    if (!allowedKeyEnv.includes(variable)) {
      return refuse({
        code: 'api_key_env_not_allowed',
        field: 'api_key_env',
        message: `${variable} is not a variable the operator allows models to name (ARBITER_ALLOWED_KEY_ENV)`,
      });
    }
    return allow({ kind: 'env', variable });
  }

  if (keyed) {
    if (custom) {
      return refuse({
        code: 'deployment_credentials_not_allowed',
        field: 'base_url',
        message: `a ${keyed} model with a base_url must bring its own key, because the deployment's ${keyed} key is sent only to ${keyed}'s official endpoint: ${ownKeyHint(tenantId)}`,
      });
    }
    return allow({ kind: 'deployment', provider: keyed });
  }
  return allow(undefined);
}
