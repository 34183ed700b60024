/**
 * Registration's half of credential ownership (docs/security.md): the policy's decisions, and
 * that a secret name outside the caller's prefix is refused before Secrets Manager is asked anything, with
 * one answer whether or not such a secret exists. The call path's half is in providers/credentials.test.ts.
 */
import { jest } from '@jest/globals';
import { type DescribeSecretCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Model, RegisterModelRequest } from '#shared/contracts/models/schemas.js';
import { decideCredentials } from '#shared/domain/models/credential-policy.js';
import { registerModel } from '#shared/domain/models/model-service.js';
import { resolveBuiltinModel } from '#shared/domain/models/builtin-models.js';
import { SecretsManagerCredentialCheck } from '#shared/adapters/secrets/credential-check.js';

const request = (overrides: Partial<RegisterModelRequest>): RegisterModelRequest => ({
  model_id: 'team-model',
  provider: 'openai',
  provider_model_id: 'gpt-4o',
  parameters: {},
  max_concurrency: 4,
  timeout_ms: 60_000,
  ...overrides,
});

const asModel = (overrides: Partial<RegisterModelRequest>): Model => ({ ...request(overrides), builtin: false, baseline: false });

describe('decideCredentials', () => {
  const allowed = ['TEAM_KEY'];
  const decide = (overrides: Partial<RegisterModelRequest>) => decideCredentials(asModel(overrides), 'acme', allowed);

  it.each([
    ['a built-in OpenAI model', resolveBuiltinModel('gpt-4o')!, { kind: 'deployment', provider: 'openai' }],
    ['a built-in Anthropic model', resolveBuiltinModel('claude-3-5-haiku-20241022')!, { kind: 'deployment', provider: 'anthropic' }],
    ['a built-in Bedrock model', resolveBuiltinModel('amazon.nova-lite-v1:0')!, undefined],
    ['a baseline', resolveBuiltinModel('baseline:echo')!, undefined],
    ['OpenAI at its official endpoint, no key named', asModel({}), { kind: 'deployment', provider: 'openai' }],
    ['OpenAI at its official endpoint naming OPENAI_API_KEY', asModel({ api_key_env: 'OPENAI_API_KEY' }), { kind: 'deployment', provider: 'openai' }],
    ['a key-less OpenAI-compatible server', asModel({ provider: 'openai_compatible', base_url: 'https://llm.example/v1' }), undefined],
    [
      "a secret under the tenant's prefix",
      asModel({ base_url: 'https://llm.example/v1', api_key_secret: 'arbiter/tenants/acme/llm' }),
      { kind: 'tenant_secret', name: 'arbiter/tenants/acme/llm' },
    ],
    [
      'an allowlisted variable',
      asModel({ provider: 'openai_compatible', base_url: 'https://llm.example/v1', api_key_env: 'TEAM_KEY' }),
      { kind: 'env', variable: 'TEAM_KEY' },
    ],
  ])('%s: allowed', (_label, model, location) => {
    expect(decideCredentials(model, 'acme', allowed)).toEqual({ ok: true, location });
  });

  it.each([
    [
      'openai_compatible naming OPENAI_API_KEY',
      { provider: 'openai_compatible' as const, base_url: 'https://x.example/v1', api_key_env: 'OPENAI_API_KEY' },
      'deployment_credentials_not_allowed',
      'api_key_env',
    ],
    [
      'openai with a base_url naming OPENAI_API_KEY',
      { base_url: 'https://x.example/v1', api_key_env: 'OPENAI_API_KEY' },
      'deployment_credentials_not_allowed',
      'api_key_env',
    ],
    ['openai with a base_url and no key', { base_url: 'https://api.openai.com/v1' }, 'deployment_credentials_not_allowed', 'base_url'],
    [
      'anthropic with a base_url and no key',
      { provider: 'anthropic' as const, base_url: 'https://x.example' },
      'deployment_credentials_not_allowed',
      'base_url',
    ],
    [
      "anthropic naming OpenAI's variable",
      { provider: 'anthropic' as const, api_key_env: 'OPENAI_API_KEY' },
      'deployment_credentials_not_allowed',
      'api_key_env',
    ],
    [
      'a variable not allowlisted',
      { provider: 'openai_compatible' as const, base_url: 'https://x.example/v1', api_key_env: 'HOME' },
      'api_key_env_not_allowed',
      'api_key_env',
    ],
    ["the deployment's secret", { api_key_secret: 'arbiter/deployment/openai' }, 'api_key_secret_not_allowed', 'api_key_secret'],
    ['an old shared name', { api_key_secret: 'arbiter/openai' }, 'api_key_secret_not_allowed', 'api_key_secret'],
    ["another tenant's secret", { api_key_secret: 'arbiter/tenants/bravo/key' }, 'api_key_secret_not_allowed', 'api_key_secret'],
    ['a tenant whose id starts with ours', { api_key_secret: 'arbiter/tenants/acme-eu/key' }, 'api_key_secret_not_allowed', 'api_key_secret'],
    ['the bare prefix', { api_key_secret: 'arbiter/tenants/acme/' }, 'api_key_secret_not_allowed', 'api_key_secret'],
    ['a name outside arbiter/', { api_key_secret: 'prod/db-password' }, 'api_key_secret_not_allowed', 'api_key_secret'],
  ])('%s: refused', (_label, overrides, code, field) => {
    expect(decide(overrides)).toMatchObject({ ok: false, refusal: { code, field } });
  });

  it('never lets the allowlist send a deployment variable to a base_url', () => {
    const model = asModel({ provider: 'openai_compatible', base_url: 'https://x.example/v1', api_key_env: 'OPENAI_API_KEY' });

    expect(decideCredentials(model, 'acme', ['OPENAI_API_KEY'])).toMatchObject({
      ok: false,
      refusal: { code: 'deployment_credentials_not_allowed' },
    });
  });
});

describe('registering a model with a secret', () => {
  /** Secrets that exist in the account, ours and another tenant's. */
  const existing = new Set(['arbiter/tenants/acme/key', 'arbiter/tenants/bravo/key', 'arbiter/deployment/openai']);
  const sent: unknown[] = [];
  const client = {
    send: jest.fn(async (command: DescribeSecretCommand) => {
      sent.push(command);
      if (existing.has(String(command.input.SecretId))) return { Name: command.input.SecretId };
      throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });
    }),
  } as unknown as SecretsManagerClient;
  const check = new SecretsManagerCredentialCheck(client);
  const created: Model[] = [];
  const store = {
    create: async (_tenantId: string, model: Model) => void created.push(model),
    get: async () => undefined,
    list: async () => ({ items: [], next_cursor: null }),
    delete: async () => false,
    setDefaultJudge: async () => undefined,
    clearDefaultJudge: async () => undefined,
  };
  const register = (secret: string) => registerModel(store, check, 'acme', request({ api_key_secret: secret }), []).catch((error: unknown) => error);

  beforeEach(() => {
    sent.length = 0;
    created.length = 0;
  });

  it.each(['arbiter/tenants/bravo/key', 'arbiter/tenants/bravo/nothing-here', 'arbiter/deployment/openai', 'arbiter/openai', 'prod/db-password'])(
    '%s: 422 on api_key_secret without asking Secrets Manager',
    async (secret) => {
      const error = await register(secret);

      expect(error).toMatchObject({ statusCode: 422, code: 'api_key_secret_not_allowed', errors: [{ path: 'api_key_secret' }] });
      expect(sent).toEqual([]);
      expect(created).toEqual([]);
    },
  );

  it('answers an existing and a missing foreign secret identically', async () => {
    const [exists, missing] = [await register('arbiter/tenants/bravo/key'), await register('arbiter/tenants/bravo/nothing-here')] as Error[];

    expect({ ...exists, message: exists!.message }).toEqual({ ...missing, message: missing!.message });
  });

  it("describes a secret under the tenant's own prefix, and says when it does not exist", async () => {
    await expect(register('arbiter/tenants/acme/key')).resolves.toMatchObject({ model_id: 'team-model', api_key_secret: 'arbiter/tenants/acme/key' });
    expect(await register('arbiter/tenants/acme/missing')).toMatchObject({ statusCode: 422, code: 'model_credentials_missing' });

    expect(sent.map((command) => (command as DescribeSecretCommand).input.SecretId)).toEqual([
      'arbiter/tenants/acme/key',
      'arbiter/tenants/acme/missing',
    ]);
  });

  it('never describes a foreign name even when asked directly (an evaluation of a record stored before the rule)', async () => {
    await expect(check.problem(asModel({ api_key_secret: 'arbiter/tenants/bravo/key' }), 'acme')).resolves.toContain('arbiter/tenants/acme/');
    expect(sent).toEqual([]);
  });
});
