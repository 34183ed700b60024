import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { resolveBuiltinModel } from '#shared/domain/models/builtin-models.js';
import type { Model } from '#shared/contracts/models/schemas.js';
import { EnvironmentApiKeys, parseSecret, resolveApiKey, SecretsManagerApiKeys } from '#shared/adapters/providers/api-key-sources.js';
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

describe('EnvironmentApiKeys', () => {
  it("reads the built-in model's variable", async () => {
    const keys = new EnvironmentApiKeys({ OPENAI_API_KEY: ' sk-local ' });

    await expect(keys.apiKey(gpt)).resolves.toBe('sk-local');
  });

  it('says which variable to set when it is missing', async () => {
    const keys = new EnvironmentApiKeys({});

    await expect(keys.apiKey(claude)).rejects.toMatchObject({ code: 'credentials_missing', retryable: false, message: expect.stringContaining('ANTHROPIC_API_KEY') });
  });

  it('cannot read a model that keeps its key only in Secrets Manager', async () => {
    const keys = new EnvironmentApiKeys({});

    await expect(keys.apiKey(registered({ api_key_secret: 'arbiter/vllm' }))).rejects.toMatchObject({ code: 'credentials_missing', message: expect.stringContaining('api_key_env') });
  });

  it('has no key for a model that names none', async () => {
    await expect(new EnvironmentApiKeys({}).apiKey(registered({}))).resolves.toBeUndefined();
  });
});

describe('SecretsManagerApiKeys', () => {
  let server: WireServer;
  let client: SecretsManagerClient;

  const secretValue = (SecretString: string) => ({
    body: { ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:arbiter/openai-a1b2c3', Name: 'arbiter/openai', VersionId: 'v1', SecretString, CreatedDate: 1.523477145713e9 },
  });

  beforeEach(async () => {
    server = await startWireServer();
    client = new SecretsManagerClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
  });
  afterEach(async () => {
    client.destroy();
    await server.stop();
  });

  it('reads the secret the model names with GetSecretValue', async () => {
    server.reply(secretValue('sk-from-secrets-manager'));
    const keys = new SecretsManagerApiKeys({ client });

    await expect(keys.apiKey(gpt)).resolves.toBe('sk-from-secrets-manager');

    const [sent] = server.requests;
    expect(sent?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(sent?.json).toEqual({ SecretId: 'arbiter/openai' });
  });

  it('reads the api_key field of a JSON secret', async () => {
    server.reply(secretValue('{"api_key": "sk-in-json"}'));

    await expect(new SecretsManagerApiKeys({ client }).apiKey(gpt)).resolves.toBe('sk-in-json');
  });

  it('reads each secret once per TTL, even for many concurrent calls', async () => {
    server.reply(secretValue('sk-first'), secretValue('sk-rotated'));
    let now = 1_000_000;
    const keys = new SecretsManagerApiKeys({ client, ttlMs: 300_000, now: () => now });

    const first = await Promise.all(Array.from({ length: 50 }, () => keys.apiKey(gpt)));
    now += 299_999;
    const cached = await keys.apiKey(gpt);
    now += 1;
    const reread = await keys.apiKey(gpt);

    expect(new Set(first)).toEqual(new Set(['sk-first']));
    expect(cached).toBe('sk-first');
    expect(reread).toBe('sk-rotated');
    expect(server.requests).toHaveLength(2);
  });

  it('does not cache a failed read', async () => {
    server.reply({ status: 500, body: { __type: 'InternalServiceError', message: 'try again' } }, secretValue('sk-second-try'));
    const keys = new SecretsManagerApiKeys({ client });

    await expect(keys.apiKey(gpt)).rejects.toMatchObject({ code: 'server_error', retryable: true });
    await expect(keys.apiKey(gpt)).resolves.toBe('sk-second-try');
  });

  it.each([
    ['ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 'does not exist'],
    ['AccessDeniedException', 'User is not authorized to perform: secretsmanager:GetSecretValue', 'IAM policy'],
  ])('turns %s into credentials_missing', async (type, message, hint) => {
    server.reply({ status: 400, body: { __type: type, message } });

    const error = new SecretsManagerApiKeys({ client }).apiKey(gpt);

    await expect(error).rejects.toMatchObject({ code: 'credentials_missing', retryable: false, message: expect.stringContaining(hint) });
  });

  it('does not read environment variables in a deployment', async () => {
    await expect(new SecretsManagerApiKeys({ client }).apiKey(registered({ api_key_env: 'VLLM_KEY' }))).rejects.toMatchObject({ code: 'credentials_missing', message: expect.stringContaining('api_key_secret') });
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

describe('resolveApiKey', () => {
  it('demands a key for OpenAI and Anthropic and says where it should be', async () => {
    const none = { apiKey: async () => undefined };

    await expect(resolveApiKey(registered({ provider: 'openai' }), none)).rejects.toMatchObject({
      code: 'credentials_missing',
      message: expect.stringMatching(/api_key_secret.*api_key_env/),
    });
    await expect(resolveApiKey(registered({ provider: 'anthropic' }), none)).rejects.toMatchObject({ code: 'credentials_missing' });
  });

  it('lets an OpenAI-compatible server go without a key', async () => {
    await expect(resolveApiKey(registered({}), { apiKey: async () => undefined })).resolves.toBeUndefined();
  });
});
