import { DescribeSecretCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Model } from '../../contracts/models/schemas.js';
import type { CredentialCheck } from '../../domain/ports/credential-check.js';
import { serviceConfig } from '../../platform/config.js';

const needsKey = (model: Model) => model.provider === 'openai' || model.provider === 'anthropic';

/** The local stack: provider keys come from environment variables. */
export class EnvironmentCredentialCheck implements CredentialCheck {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async problem(model: Model): Promise<string | undefined> {
    if (model.api_key_env) {
      return this.env[model.api_key_env] ? undefined : `the environment variable ${model.api_key_env} is not set where Arbiter runs`;
    }
    if (model.api_key_secret) {
      return `Secrets Manager is not available on the local stack; register the model with api_key_env instead of api_key_secret`;
    }
    return needsKey(model) ? `a ${model.provider} model needs api_key_secret (cloud) or api_key_env (local)` : undefined;
  }
}

/** A deployment: provider keys live in Secrets Manager, under `arbiter/`. */
export class SecretsManagerCredentialCheck implements CredentialCheck {
  constructor(private readonly client = new SecretsManagerClient({})) {}

  async problem(model: Model): Promise<string | undefined> {
    if (model.api_key_secret) {
      try {
        await this.client.send(new DescribeSecretCommand({ SecretId: model.api_key_secret }));
        return undefined;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return `the secret ${model.api_key_secret} does not exist in Secrets Manager`;
        throw error;
      }
    }
    if (model.api_key_env) return 'api_key_env works only on the local stack; in the cloud, store the key in Secrets Manager and use api_key_secret';
    return needsKey(model) ? `a ${model.provider} model needs api_key_secret` : undefined;
  }
}

/** `ARBITER_CREDENTIALS=env` on the local stack; Secrets Manager everywhere else. */
export function credentialCheckFromEnvironment(): CredentialCheck {
  return serviceConfig.credentials === 'env' ? new EnvironmentCredentialCheck() : new SecretsManagerCredentialCheck();
}
