/**
 * Where provider API keys come from: environment variables on the local stack, Secrets Manager in a
 * deployment. A model names its key's location (`api_key_env` / `api_key_secret`); keys never leave this
 * module except in the request header that needs them.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Model } from '../../contracts/models/schemas.js';
import { ProviderError } from '../../domain/ports/model-client.js';
import { serviceConfig } from '../../platform/config.js';

export interface ApiKeySource {
  /**
   * The model's key; undefined when the model names no key at all. Throws `credentials_missing` when the
   * model names a place that holds no usable key.
   */
  apiKey(model: Model): Promise<string | undefined>;
}

const missing = (message: string) => new ProviderError('credentials_missing', message);

/** The local stack (`ARBITER_CREDENTIALS=env`): read per call, so a key exported after start-up is seen. */
export class EnvironmentApiKeys implements ApiKeySource {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async apiKey(model: Model): Promise<string | undefined> {
    if (model.api_key_env) {
      const key = this.env[model.api_key_env]?.trim();
      if (!key) throw missing(`the ${model.provider} API key for ${model.model_id} belongs in the environment variable ${model.api_key_env}, which is not set where Arbiter runs`);
      return key;
    }
    if (model.api_key_secret) {
      throw missing(`${model.model_id} keeps its key in the Secrets Manager secret ${model.api_key_secret}, which the local stack does not read; register the model with api_key_env instead`);
    }
    return undefined;
  }
}

export interface SecretsManagerApiKeysOptions {
  client?: SecretsManagerClient;
  /** How long a key is reused before it is read again, so a rotated key is picked up without a redeploy. */
  ttlMs?: number;
  now?: () => number;
}

export const SECRET_CACHE_TTL_MS = 5 * 60_000;

/** A deployment: keys live in Secrets Manager, read once per container and TTL and shared by concurrent calls. */
export class SecretsManagerApiKeys implements ApiKeySource {
  private readonly client: SecretsManagerClient;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** Holds the pending read too, so 200 concurrent calls on a cold container make one GetSecretValue. */
  private readonly cache = new Map<string, { expiresAt: number; key: Promise<string> }>();

  constructor(options: SecretsManagerApiKeysOptions = {}) {
    this.client = options.client ?? new SecretsManagerClient({});
    this.ttlMs = options.ttlMs ?? SECRET_CACHE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  async apiKey(model: Model): Promise<string | undefined> {
    if (model.api_key_secret) return this.cached(model.api_key_secret);
    if (model.api_key_env) {
      throw missing(`${model.model_id} names the environment variable ${model.api_key_env}, which only the local stack reads; store the key in Secrets Manager under arbiter/ and register the model with api_key_secret`);
    }
    return undefined;
  }

  private cached(secretId: string): Promise<string> {
    const now = this.now();
    const hit = this.cache.get(secretId);
    if (hit && hit.expiresAt > now) return hit.key;
    const key = this.read(secretId);
    this.cache.set(secretId, { expiresAt: now + this.ttlMs, key });
    // A failed read is not cached: the next call tries again.
    key.catch(() => {
      if (this.cache.get(secretId)?.key === key) this.cache.delete(secretId);
    });
    return key;
  }

  private async read(secretId: string): Promise<string> {
    let secret: string | undefined;
    try {
      ({ SecretString: secret } = await this.client.send(new GetSecretValueCommand({ SecretId: secretId })));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'ResourceNotFoundException') throw missing(`the Secrets Manager secret ${secretId} does not exist`);
      if (name === 'AccessDeniedException' || name === 'DecryptionFailure') {
        throw missing(`Arbiter may not read the Secrets Manager secret ${secretId} (${name}); check the evaluator's IAM policy and the secret's KMS key`);
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

/** Providers that refuse calls without a key; an OpenAI-compatible server may need none. */
export function requiresApiKey(model: Model): boolean {
  return model.provider === 'openai' || model.provider === 'anthropic';
}

/** The model's key, or `credentials_missing` saying where it should be when the provider needs one. */
export async function resolveApiKey(model: Model, source: ApiKeySource): Promise<string | undefined> {
  const key = await source.apiKey(model);
  if (key === undefined && requiresApiKey(model)) {
    throw missing(`${model.model_id} needs a ${model.provider} API key: register it with api_key_secret (a Secrets Manager secret under arbiter/) or, on the local stack, api_key_env`);
  }
  return key;
}

let fromEnvironment: ApiKeySource | undefined;

/** `ARBITER_CREDENTIALS=env` on the local stack, Secrets Manager elsewhere; one instance, so one cache, per container. */
export function apiKeySourceFromEnvironment(): ApiKeySource {
  fromEnvironment ??= serviceConfig.credentials === 'env' ? new EnvironmentApiKeys() : new SecretsManagerApiKeys();
  return fromEnvironment;
}
