/**
 * Where provider API keys come from: environment variables on the local stack, Secrets Manager in a
 * deployment. Which key a call may use is decided by the domain's credential policy on every call
 * (`resolveApiKey`), whatever the stored model record says; keys never leave this module except in the
 * request header that needs them.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { deploymentKeys } from '../../contracts/models/credential-names.js';
import type { Model } from '../../contracts/models/schemas.js';
import { decideCredentials, type KeyLocation } from '../../domain/models/credential-policy.js';
import { ProviderError } from '../../domain/ports/model-client.js';
import { serviceConfig } from '../../platform/config.js';
import { assumeRoleWithSts, TenantSecretsClients } from '../secrets/tenant-secrets.js';

export interface ApiKeySource {
  /** The key at `location`, read for `tenantId`; throws `credentials_missing` when that place holds none. */
  read(location: KeyLocation, tenantId: string, model: Model): Promise<string>;
}

const missing = (message: string) => new ProviderError('credentials_missing', message);

/** The local stack (`ARBITER_CREDENTIALS=env`): read per call, so a key exported after start-up is seen. */
export class EnvironmentApiKeys implements ApiKeySource {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async read(location: KeyLocation, _tenantId: string, model: Model): Promise<string> {
    switch (location.kind) {
      case 'deployment': {
        const variable = deploymentKeys[location.provider].env;
        const key = this.env[variable]?.trim();
        if (!key)
          throw missing(
            `${model.model_id} uses the deployment's ${location.provider} key, which belongs in the environment variable ${variable}, not set where Arbiter runs`,
          );
        return key;
      }
      case 'env': {
        const key = this.env[location.variable]?.trim();
        if (!key)
          throw missing(
            `the ${model.provider} API key for ${model.model_id} belongs in the environment variable ${location.variable}, which is not set where Arbiter runs`,
          );
        return key;
      }
      case 'tenant_secret':
        throw missing(
          `${model.model_id} keeps its key in the Secrets Manager secret ${location.name}, which the local stack does not read; register the model with api_key_env instead`,
        );
    }
  }
}

export interface SecretsManagerApiKeysOptions {
  /** Reads the deployment's secrets, with the function's own role. */
  client?: SecretsManagerClient;
  /** Reads a tenant's secrets, as that tenant; without it no tenant secret can be read. */
  tenantSecrets?: TenantSecretsClients;
  /** How long a key is reused before it is read again, so a rotated key is picked up without a redeploy. */
  ttlMs?: number;
  now?: () => number;
}

export const SECRET_CACHE_TTL_MS = 5 * 60_000;

/** A deployment: keys live in Secrets Manager, read once per container and TTL and shared by concurrent calls. */
export class SecretsManagerApiKeys implements ApiKeySource {
  private readonly client: SecretsManagerClient;
  private readonly tenantSecrets: TenantSecretsClients | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /**
   * Holds the pending read too, so 200 concurrent calls on a cold container make one GetSecretValue. Keyed
   * by reader and name: a tenant's read is never answered from another reader's cache.
   */
  private readonly cache = new Map<string, { expiresAt: number; key: Promise<string> }>();

  constructor(options: SecretsManagerApiKeysOptions = {}) {
    this.client = options.client ?? new SecretsManagerClient({});
    this.tenantSecrets = options.tenantSecrets;
    this.ttlMs = options.ttlMs ?? SECRET_CACHE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  async read(location: KeyLocation, tenantId: string, model: Model): Promise<string> {
    switch (location.kind) {
      case 'deployment':
        return this.cached('deployment', deploymentKeys[location.provider].secret, () => this.client);
      case 'tenant_secret': {
        const tenantSecrets = this.tenantSecrets;
        if (!tenantSecrets) {
          throw missing(
            `${model.model_id} keeps its key in ${location.name}; tenant secrets are read only through a role session scoped to the tenant, which this evaluator cannot open`,
          );
        }
        return this.cached(`tenant:${tenantId}`, location.name, () => tenantSecrets.clientFor(tenantId));
      }
      case 'env':
        throw missing(
          `${model.model_id} names the environment variable ${location.variable}, which only the local stack reads; store the key in Secrets Manager under arbiter/tenants/<tenant_id>/ and register the model with api_key_secret`,
        );
    }
  }

  private cached(reader: string, secretId: string, client: () => SecretsManagerClient): Promise<string> {
    const cacheKey = `${reader}\u0000${secretId}`;
    const now = this.now();
    const hit = this.cache.get(cacheKey);
    if (hit && hit.expiresAt > now) return hit.key;
    const key = this.fetchSecret(client(), secretId);
    this.cache.set(cacheKey, { expiresAt: now + this.ttlMs, key });
    // A failed read is not cached: the next call tries again.
    key.catch(() => {
      if (this.cache.get(cacheKey)?.key === key) this.cache.delete(cacheKey);
    });
    return key;
  }

  private async fetchSecret(client: SecretsManagerClient, secretId: string): Promise<string> {
    let secret: string | undefined;
    try {
      ({ SecretString: secret } = await client.send(new GetSecretValueCommand({ SecretId: secretId })));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'ResourceNotFoundException') throw missing(`the Secrets Manager secret ${secretId} does not exist`);
      if (name === 'AccessDeniedException' || name === 'DecryptionFailure') {
        throw missing(
          `Arbiter may not read the Secrets Manager secret ${secretId} (${name}); check the evaluator's IAM policy and the secret's KMS key`,
        );
      }
      throw new ProviderError('server_error', `could not read the Secrets Manager secret ${secretId}: ${(error as Error).message}`, { cause: error });
    }
    return parseSecret(secretId, secret);
  }
}

/** A secret holds the bare key, or JSON `{ "api_key": "…" }` (the console's key/value form). */
export function parseSecret(secretId: string, secret: string | undefined): string {
  const text = secret?.trim() ?? '';
  if (text.startsWith('{')) {
    let apiKey: unknown;
    try {
      apiKey = (JSON.parse(text) as { api_key?: unknown }).api_key;
    } catch {
      throw missing(`the Secrets Manager secret ${secretId} starts like JSON but is not valid JSON`);
    }
    if (typeof apiKey === 'string' && apiKey.trim()) return apiKey.trim();
    throw missing(`the Secrets Manager secret ${secretId} is JSON without an "api_key" string`);
  }
  if (!text) throw missing(`the Secrets Manager secret ${secretId} holds no text value`);
  return text;
}

/**
 * The model's key for a call made for `tenantId`, or undefined when the model is called without one. The
 * credential policy is applied here, on every call, whatever registration accepted when the record was
 * stored: a refused model fails its item with `credentials_missing`, and nothing is read or sent.
 */
export async function resolveApiKey(
  model: Model,
  tenantId: string,
  source: ApiKeySource,
  allowedKeyEnv: readonly string[] = serviceConfig.allowedKeyEnv,
): Promise<string | undefined> {
  const decision = decideCredentials(model, tenantId, allowedKeyEnv);
  if (!decision.ok) throw missing(`the credentials of ${model.model_id} are not allowed: ${decision.refusal.field} ${decision.refusal.message}`);
  if (!decision.location) return undefined;
  return source.read(decision.location, tenantId, model);
}

let fromEnvironment: ApiKeySource | undefined;

/**
 * `ARBITER_CREDENTIALS=env` on the local stack, Secrets Manager elsewhere; one instance, so one cache, per
 * container. No `tenantSecrets` yet: opening the tenant's role session needs an STS client, and
 * `@aws-sdk/client-sts` is not a dependency of this build, so tenant secrets fail closed
 * (`credentials_missing`) rather than being read with the evaluator's own role
 * (docs/security.md, "Not done yet").
 */
/** A deployment's key source: tenant secrets through the reader role when the stack names it. */
export function secretsManagerApiKeys(roleArn: string | undefined): SecretsManagerApiKeys {
  const tenantSecrets = roleArn ? new TenantSecretsClients({ roleArn, assumeRole: assumeRoleWithSts() }) : undefined;
  return new SecretsManagerApiKeys(tenantSecrets ? { tenantSecrets } : {});
}

export function apiKeySourceFromEnvironment(): ApiKeySource {
  fromEnvironment ??= serviceConfig.credentials === 'env' ? new EnvironmentApiKeys() : secretsManagerApiKeys(serviceConfig.tenantSecretsRoleArn);
  return fromEnvironment;
}
