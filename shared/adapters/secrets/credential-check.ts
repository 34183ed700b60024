import { DescribeSecretCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { tenantSecretPrefix } from '../../contracts/models/credential-names.js';
import type { Model } from '../../contracts/models/schemas.js';
import type { CredentialCheck } from '../../domain/ports/credential-check.js';
import { serviceConfig } from '../../platform/config.js';

/**
 * The local stack: provider keys come from environment variables. A model that names no key of its own
 * uses the deployment's (built-ins, and OpenAI or Anthropic at their official endpoint): like a built-in,
 * a missing deployment key fails its items with `credentials_missing` rather than its registration.
 */
export class EnvironmentCredentialCheck implements CredentialCheck {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async problem(model: Model): Promise<string | undefined> {
    if (model.api_key_env) {
      return this.env[model.api_key_env] ? undefined : `the environment variable ${model.api_key_env} is not set where Arbiter runs`;
    }
    if (model.api_key_secret) {
      return `Secrets Manager is not available on the local stack; register the model with api_key_env instead of api_key_secret`;
    }
    return undefined;
  }
}

/**
 * A deployment: a tenant's provider keys live in Secrets Manager under `arbiter/tenants/<tenant_id>/`.
 * Only such a name is ever described (registration refuses any other before this runs; the check holds
 * the line too, for evaluations of records stored before the rule), so DescribeSecret's answer never
 * tells a tenant whether someone else's secret exists. The functions' IAM grant is `arbiter/tenants/*`.
 */
export class SecretsManagerCredentialCheck implements CredentialCheck {
  constructor(private readonly client = new SecretsManagerClient({})) {}

  async problem(model: Model, tenantId: string): Promise<string | undefined> {
    if (model.api_key_secret) {
      const prefix = tenantSecretPrefix(tenantId);
      if (!model.api_key_secret.startsWith(prefix)) return `api_key_secret must name a secret under ${prefix}, your tenant's prefix`;
      try {
        await this.client.send(new DescribeSecretCommand({ SecretId: model.api_key_secret }));
        return undefined;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return `the secret ${model.api_key_secret} does not exist in Secrets Manager`;
        throw error;
      }
    }
    if (model.api_key_env) return 'api_key_env works only on the local stack; in the cloud, store the key in Secrets Manager and use api_key_secret';
    return undefined;
  }
}

/** `ARBITER_CREDENTIALS=env` on the local stack; Secrets Manager everywhere else. */
export function credentialCheckFromEnvironment(): CredentialCheck {
  return serviceConfig.credentials === 'env' ? new EnvironmentCredentialCheck() : new SecretsManagerCredentialCheck();
}
