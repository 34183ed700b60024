import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { resolveBuiltinModel } from '#shared/domain/models/builtin-models.js';
import type { Model } from '#shared/contracts/models/schemas.js';
import {
  EnvironmentApiKeys,
  parseSecret,
  resolveApiKey,
  SecretsManagerApiKeys,
  type ApiKeySource,
} from '#shared/adapters/providers/api-key-sources.js';
import { TenantSecretsClients, type AssumeRoleRequest } from '#shared/adapters/secrets/tenant-secrets.js';
import { startWireServer, type WireServer } from '../../support/provider-wire/wire-server.js';

const registered = (overrides: Partial<Model>): Model => ({
  model_id: 'my-model',
  provider: 'openai_compatible',
  provider_model_id: 'llama3.1:8b',
  base_url: 'http://127.0.0.1:11434/v1',
  parameters: {},
  max_concurrency: 4,
  timeout_ms: 60_000,
  builtin: false,
  baseline: false,
  ...overrides,
});

const gpt = resolveBuiltinModel('gpt-4o-mini')!;
const claude = resolveBuiltinModel('claude-3-5-haiku-20241022')!;
/** Registered at OpenAI's official endpoint (no base_url), with no key of its own. */
const officialOpenAi = registered({ provider: 'openai', provider_model_id: 'gpt-4o', base_url: undefined });

describe('EnvironmentApiKeys', () => {
  const keyFor = (model: Model, env: NodeJS.ProcessEnv, allowed: string[] = [], tenantId = 'acme') =>
    resolveApiKey(model, tenantId, new EnvironmentApiKeys(env), allowed);

  it("reads the deployment's variable for a built-in model and for its provider's official endpoint", async () => {
    await expect(keyFor(gpt, { OPENAI_API_KEY: ' sk-local ' })).resolves.toBe('sk-local');
    await expect(keyFor(officialOpenAi, { OPENAI_API_KEY: 'sk-local' })).resolves.toBe('sk-local');
    await expect(
      keyFor(registered({ provider: 'anthropic', base_url: undefined, api_key_env: 'ANTHROPIC_API_KEY' }), { ANTHROPIC_API_KEY: 'sk-ant' }),
    ).resolves.toBe('sk-ant');
  });

  it('ignores the key locations an older built-in snapshot carries', async () => {
    const snapshot = { ...gpt, api_key_env: 'SOMETHING_ELSE', api_key_secret: 'arbiter/openai' };

    await expect(keyFor(snapshot, { OPENAI_API_KEY: 'sk-local', SOMETHING_ELSE: 'sk-other' })).resolves.toBe('sk-local');
  });

  it('says which variable to set when it is missing', async () => {
    await expect(keyFor(claude, {})).rejects.toMatchObject({
      code: 'credentials_missing',
      retryable: false,
      message: expect.stringContaining('ANTHROPIC_API_KEY'),
    });
  });

  it('cannot read a model that keeps its key only in Secrets Manager', async () => {
    await expect(keyFor(registered({ api_key_secret: 'arbiter/tenants/acme/vllm' }), {})).rejects.toMatchObject({
      code: 'credentials_missing',
      message: expect.stringContaining('api_key_env'),
    });
  });

  it('has no key for an OpenAI-compatible model that names none', async () => {
    await expect(keyFor(registered({}), { OPENAI_API_KEY: 'sk-deployment' })).resolves.toBeUndefined();
  });

  it('reads a variable the operator allowlisted, and refuses one it did not, even when it is set', async () => {
    const env = { TEAM_KEY: 'sk-team', AWS_SECRET_ACCESS_KEY: 'aws-secret' };

    await expect(keyFor(registered({ api_key_env: 'TEAM_KEY' }), env, ['TEAM_KEY'])).resolves.toBe('sk-team');
    await expect(keyFor(registered({ api_key_env: 'AWS_SECRET_ACCESS_KEY' }), env, ['TEAM_KEY'])).rejects.toMatchObject({
      code: 'credentials_missing',
      message: expect.stringContaining('ARBITER_ALLOWED_KEY_ENV'),
    });
  });

  // Stored records the API would refuse today: the call path must refuse them as well.
  it.each([
    ['an OpenAI-compatible server naming OPENAI_API_KEY', registered({ api_key_env: 'OPENAI_API_KEY' })],
    ['provider openai with a base_url and no key', registered({ provider: 'openai' })],
    [
      'provider anthropic with a base_url naming its own deployment variable',
      registered({ provider: 'anthropic', api_key_env: 'ANTHROPIC_API_KEY' }),
    ],
    [
      "provider anthropic at its official endpoint naming OpenAI's variable",
      registered({ provider: 'anthropic', base_url: undefined, api_key_env: 'OPENAI_API_KEY' }),
    ],
    ['a built-in entry with a base_url', { ...claude, base_url: 'http://127.0.0.1:9/' }],
  ])('never hands out the deployment key for %s, even with the deployment variables allowlisted by mistake', async (_label, model) => {
    const env = { OPENAI_API_KEY: 'sk-deployment', ANTHROPIC_API_KEY: 'sk-ant-deployment' };

    const error = await keyFor(model, env, ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY']).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'credentials_missing', retryable: false, message: expect.stringContaining('not allowed') });
    expect((error as Error).message).not.toContain('sk-');
  });
});

describe('SecretsManagerApiKeys', () => {
  let server: WireServer;
  let client: SecretsManagerClient;

  const secretValue = (SecretString: string, Name = 'arbiter/deployment/openai') => ({
    body: {
      ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${Name}-a1b2c3`,
      Name,
      VersionId: 'v1',
      SecretString,
      CreatedDate: 1.523477145713e9,
    },
  });
  const wireClient = (credentials: SecretsManagerClientConfig['credentials']) =>
    new SecretsManagerClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });

  beforeEach(async () => {
    server = await startWireServer();
    client = wireClient({ accessKeyId: 'AKIDEVALUATOR', secretAccessKey: 'secret' });
  });
  afterEach(async () => {
    client.destroy();
    await server.stop();
  });

  const keyFor = (model: Model, keys: ApiKeySource, tenantId = 'acme') => resolveApiKey(model, tenantId, keys, []);

  it("reads the deployment's secret for a built-in model with the function's own role", async () => {
    server.reply(secretValue('sk-from-secrets-manager'));

    await expect(keyFor(gpt, new SecretsManagerApiKeys({ client }))).resolves.toBe('sk-from-secrets-manager');

    const [sent] = server.requests;
    expect(sent?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(sent?.json).toEqual({ SecretId: 'arbiter/deployment/openai' });
    expect(sent?.headers.authorization).toContain('Credential=AKIDEVALUATOR/');
  });

  it('reads the api_key field of a JSON secret', async () => {
    server.reply(secretValue('{"api_key": "sk-in-json"}'));

    await expect(keyFor(gpt, new SecretsManagerApiKeys({ client }))).resolves.toBe('sk-in-json');
  });

  it('reads each secret once per TTL, even for many concurrent calls', async () => {
    server.reply(secretValue('sk-first'), secretValue('sk-rotated'));
    let now = 1_000_000;
    const keys = new SecretsManagerApiKeys({ client, ttlMs: 300_000, now: () => now });

    const first = await Promise.all(Array.from({ length: 50 }, () => keyFor(gpt, keys)));
    now += 299_999;
    const cached = await keyFor(gpt, keys);
    now += 1;
    const reread = await keyFor(gpt, keys);

    expect(new Set(first)).toEqual(new Set(['sk-first']));
    expect(cached).toBe('sk-first');
    expect(reread).toBe('sk-rotated');
    expect(server.requests).toHaveLength(2);
  });

  it('does not cache a failed read', async () => {
    server.reply({ status: 500, body: { __type: 'InternalServiceError', message: 'try again' } }, secretValue('sk-second-try'));
    const keys = new SecretsManagerApiKeys({ client });

    await expect(keyFor(gpt, keys)).rejects.toMatchObject({ code: 'server_error', retryable: true });
    await expect(keyFor(gpt, keys)).resolves.toBe('sk-second-try');
  });

  it.each([
    ['ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 'does not exist'],
    ['AccessDeniedException', 'User is not authorized to perform: secretsmanager:GetSecretValue', 'IAM policy'],
  ])('turns %s into credentials_missing', async (type, message, hint) => {
    server.reply({ status: 400, body: { __type: type, message } });

    const error = keyFor(gpt, new SecretsManagerApiKeys({ client }));

    await expect(error).rejects.toMatchObject({ code: 'credentials_missing', retryable: false, message: expect.stringContaining(hint) });
  });

  it('does not read environment variables in a deployment', async () => {
    const error = resolveApiKey(registered({ api_key_env: 'VLLM_KEY' }), 'acme', new SecretsManagerApiKeys({ client }), ['VLLM_KEY']);

    await expect(error).rejects.toMatchObject({ code: 'credentials_missing', message: expect.stringContaining('api_key_secret') });
  });

  it("fails closed on a tenant's secret when no tenant-scoped session can be opened, asking nothing of Secrets Manager", async () => {
    const error = keyFor(registered({ api_key_secret: 'arbiter/tenants/acme/vllm' }), new SecretsManagerApiKeys({ client }));

    await expect(error).rejects.toMatchObject({ code: 'credentials_missing', message: expect.stringContaining('role session scoped to the tenant') });
    expect(server.requests).toHaveLength(0);
  });

  describe("a tenant's secret, read through a role session tagged with the tenant", () => {
    const roleArn = 'arn:aws:iam::123456789012:role/Arbiter-dev-TenantSecretsReader';
    let assumed: AssumeRoleRequest[];
    let tenantSecrets: TenantSecretsClients;
    const clients: SecretsManagerClient[] = [];

    beforeEach(() => {
      assumed = [];
      tenantSecrets = new TenantSecretsClients({
        roleArn,
        assumeRole: async (request) => {
          assumed.push(request);
          const tenant = request.Tags[0]!.Value.toUpperCase();
          return {
            AccessKeyId: `ASIA${tenant}`,
            SecretAccessKey: 'session-secret',
            SessionToken: `token-${tenant}`,
            Expiration: new Date(Date.now() + 900_000),
          };
        },
        createClient: (credentials) => {
          const tenantClient = wireClient(credentials);
          clients.push(tenantClient);
          return tenantClient;
        },
      });
    });
    afterEach(() => {
      for (const tenantClient of clients.splice(0)) tenantClient.destroy();
    });

    it('assumes the reader role with tenant=<tenant_id>, then reads the named secret with those session credentials', async () => {
      server.reply(secretValue('sk-acme', 'arbiter/tenants/acme/vllm'));
      const keys = new SecretsManagerApiKeys({ client, tenantSecrets });

      await expect(keyFor(registered({ api_key_secret: 'arbiter/tenants/acme/vllm' }), keys)).resolves.toBe('sk-acme');

      expect(assumed).toEqual([
        { RoleArn: roleArn, RoleSessionName: 'arbiter-acme', Tags: [{ Key: 'tenant', Value: 'acme' }], DurationSeconds: 900 },
      ]);
      expect(server.requests).toHaveLength(1);
      const [sent] = server.requests;
      expect(sent?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
      expect(sent?.json).toEqual({ SecretId: 'arbiter/tenants/acme/vllm' });
      expect(sent?.headers.authorization).toContain('Credential=ASIAACME/');
      expect(sent?.headers['x-amz-security-token']).toBe('token-ACME');
    });

    it("gives each tenant its own session and cache, and reuses a tenant's session until it expires", async () => {
      server.reply(
        secretValue('sk-acme', 'arbiter/tenants/acme/key'),
        secretValue('sk-acme-again', 'arbiter/tenants/acme/key'),
        secretValue('sk-bravo', 'arbiter/tenants/bravo/key'),
      );
      let now = 0;
      const keys = new SecretsManagerApiKeys({ client, tenantSecrets, ttlMs: 10, now: () => now });

      await expect(keyFor(registered({ api_key_secret: 'arbiter/tenants/acme/key' }), keys, 'acme')).resolves.toBe('sk-acme');
      now += 10;
      await expect(keyFor(registered({ api_key_secret: 'arbiter/tenants/acme/key' }), keys, 'acme')).resolves.toBe('sk-acme-again');
      await expect(keyFor(registered({ api_key_secret: 'arbiter/tenants/bravo/key' }), keys, 'bravo')).resolves.toBe('sk-bravo');

      expect(assumed.map((request) => request.Tags)).toEqual([[{ Key: 'tenant', Value: 'acme' }], [{ Key: 'tenant', Value: 'bravo' }]]);
      expect(server.requests.map((sent) => sent.headers['x-amz-security-token'])).toEqual(['token-ACME', 'token-ACME', 'token-BRAVO']);
    });

    it.each(['arbiter/tenants/bravo/key', 'arbiter/tenants/acme-eu/key', 'arbiter/deployment/openai', 'arbiter/openai'])(
      'refuses %s for tenant acme before any session or read',
      async (name) => {
        const keys = new SecretsManagerApiKeys({ client, tenantSecrets });

        await expect(keyFor(registered({ api_key_secret: name }), keys, 'acme')).rejects.toMatchObject({
          code: 'credentials_missing',
          message: expect.stringContaining('arbiter/tenants/acme/'),
        });
        expect(assumed).toEqual([]);
        expect(server.requests).toHaveLength(0);
      },
    );
  });
});

describe('parseSecret', () => {
  it.each([
    ['sk-plain', 'sk-plain'],
    ['  sk-padded\n', 'sk-padded'],
    ['{"api_key":"sk-json","org":"x"}', 'sk-json'],
  ])('reads %j', (secret, key) => {
    expect(parseSecret('arbiter/x', secret)).toBe(key);
  });

  it.each([undefined, '', '{"key":"sk"}', '{"api_key": 42}', '{not json'])('rejects %j', (secret) => {
    expect(() => parseSecret('arbiter/x', secret)).toThrow(expect.objectContaining({ code: 'credentials_missing' }));
  });
});
