import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { localDocumentClient } from '../../local/seed.js';
import { api, startTestStack, type TestStack } from './support/local-stack.js';

const providerKeyValue = 'sk-test-do-not-leak-4f1c9e';

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;

async function modelRowCount(): Promise<number> {
  const result = await documents.send(
    new ScanCommand({ TableName: stack.env[tableDefinitions.models.envVar], Select: 'COUNT', ConsistentRead: true }),
  );
  return result.Count ?? 0;
}

beforeAll(async () => {
  stack = await startTestStack({ env: { TEST_PROVIDER_KEY: providerKeyValue, ARBITER_ALLOWED_KEY_ENV: 'TEST_PROVIDER_KEY,NOT_SET_ANYWHERE' } });
  client = api(stack);
  documents = localDocumentClient(stack.env);
});

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
});

const compatible = (modelId: string) => ({
  model_id: modelId,
  provider: 'openai_compatible',
  provider_model_id: 'llama3.1:8b',
  base_url: 'http://127.0.0.1:11434/v1',
  parameters: { temperature: 0, max_tokens: 256, stop_sequences: ['\n\n'], seed: 7 },
  max_concurrency: 8,
  pricing: { input_per_million: 0, output_per_million: 0 },
});

describe('registering and reading models', () => {
  it('registers an OpenAI-compatible model and reads it back with defaults filled in', async () => {
    const response = await client.request('POST', '/api/v3/models', { body: compatible('local-llama') });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      model_id: 'local-llama',
      provider: 'openai_compatible',
      timeout_ms: 60_000,
      max_concurrency: 8,
      builtin: false,
      baseline: false,
    });
    expect(response.headers.get('location')).toBe('/api/v3/models/local-llama');
    const read = await client.request('GET', '/api/v3/models/local-llama');
    expect(read.json).toEqual(response.json);
  });

  it('stores where a key lives, never the key', async () => {
    const response = await client.request('POST', '/api/v3/models', {
      body: { model_id: 'my-gpt', provider: 'openai', provider_model_id: 'gpt-4o-mini', api_key_env: 'TEST_PROVIDER_KEY' },
    });
    expect(response.status).toBe(201);
    expect(response.json.api_key_env).toBe('TEST_PROVIDER_KEY');
    expect(response.text).not.toContain(providerKeyValue);
    const rows = await documents.send(new ScanCommand({ TableName: stack.env[tableDefinitions.models.envVar], ConsistentRead: true }));
    expect(JSON.stringify(rows.Items)).not.toContain(providerKeyValue);
  });

  it('answers 422 for a model whose key is not configured, writing nothing', async () => {
    const before = await modelRowCount();
    const response = await client.request('POST', '/api/v3/models', {
      body: { model_id: 'no-key', provider: 'anthropic', provider_model_id: 'claude-3-haiku-20240307', api_key_env: 'NOT_SET_ANYWHERE' },
    });
    expect(response.status).toBe(422);
    expect(response.json).toMatchObject({ code: 'model_credentials_missing', errors: [{ path: 'api_key_env' }] });
    expect(response.json.message).toContain('NOT_SET_ANYWHERE');
    expect(await modelRowCount()).toBe(before);
  });

  it('resolves built-in ids without registration, marked as such', async () => {
    const claude = await client.request('GET', '/api/v3/models/claude-3-sonnet-20240229');
    expect(claude.status).toBe(200);
    expect(claude.json).toMatchObject({ provider: 'anthropic', builtin: true, pricing: { input_per_million: 3, output_per_million: 15 } });
    const bedrock = await client.request('GET', '/api/v3/models/us.anthropic.claude-3-5-sonnet-20241022-v2:0');
    expect(bedrock.json).toMatchObject({ provider: 'bedrock', builtin: true });
    const echo = await client.request('GET', '/api/v3/models/baseline:echo');
    expect(echo.json).toMatchObject({ provider: 'baseline', baseline: true, builtin: true });
    expect((await client.request('GET', '/api/v3/models/not-a-model')).status).toBe(404);
  });

  it('lists registered models first, then the catalogue on the last page', async () => {
    const registered = await client.request('GET', '/api/v3/models?source=registered');
    expect(registered.json.items.every((m: { builtin: boolean }) => !m.builtin)).toBe(true);
    const all = await client.request('GET', '/api/v3/models?limit=100');
    const ids = all.json.items.map((m: { model_id: string }) => m.model_id);
    expect(ids).toEqual(expect.arrayContaining(['local-llama', 'gpt-4', 'claude-3-sonnet-20240229', 'baseline:reference']));
    expect(all.json.next_cursor).toBeNull();
  });

  it('deletes a registered model, refuses built-in and unknown ones', async () => {
    await client.request('POST', '/api/v3/models', { body: compatible('short-lived') });
    expect((await client.request('DELETE', '/api/v3/models/short-lived')).status).toBe(204);
    expect((await client.request('GET', '/api/v3/models/short-lived')).status).toBe(404);
    expect((await client.request('DELETE', '/api/v3/models/short-lived')).status).toBe(404);
    const builtin = await client.request('DELETE', '/api/v3/models/gpt-4');
    expect(builtin.status).toBe(409);
    expect(builtin.json.code).toBe('builtin_model');
  });

  it('answers 409 for a model id already registered', async () => {
    await client.request('POST', '/api/v3/models', { body: compatible('twice') });
    const again = await client.request('POST', '/api/v3/models', { body: compatible('twice') });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('model_exists');
  });
});

describe('evaluations and models', () => {
  it('answers 422 naming the unknown model and how to register it', async () => {
    const response = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'gpt-4', model_id_2: 'mystery-model', benchmark_id: stack.sampleBenchmarkId },
    });
    expect(response.status).toBe(422);
    expect(response.json).toMatchObject({ code: 'unknown_model', errors: [{ path: 'model_id_2' }] });
    expect(response.json.message).toContain('POST /api/v3/models');
  });

  it('accepts a registered model and a baseline', async () => {
    const response = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'local-llama', model_id_2: 'baseline:reference', benchmark_id: stack.sampleBenchmarkId },
    });
    expect(response.status).toBe(202);
  });
});

describe('default judge', () => {
  it("uses the tenant's default judge for judged metrics that name none, until that model is deleted", async () => {
    const registered = await client.request('POST', '/api/v3/models', { body: { ...compatible('house-judge'), default_judge: true } });
    expect(registered.status).toBe(201);
    expect(registered.json.default_judge).toBe(true);

    const judged = await client.request('POST', '/api/v3/evaluations', {
      body: {
        model_id: 'baseline:reference',
        benchmark_id: stack.sampleBenchmarkId,
        custom_metrics: ['exact_match', 'relevance', { name: 'tone', type: 'llm_judge', rubric: 'Is it polite?', judge_model_id: 'local-llama' }],
      },
    });
    expect(judged.status).toBe(202);
    const evaluation = (await client.request('GET', `/api/v3/evaluations/${judged.json.evaluation_id}`)).json;
    // The tenant default for the metric that names no judge; the metric's own choice wins over it.
    expect(evaluation.judges).toEqual({ relevance: 'house-judge', tone: 'local-llama' });

    expect((await client.request('DELETE', '/api/v3/models/house-judge')).status).toBe(204);
    const after = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'baseline:reference', benchmark_id: stack.sampleBenchmarkId, custom_metrics: ['relevance'] },
    });
    expect(after.status).toBe(202);
    const next = (await client.request('GET', `/api/v3/evaluations/${after.json.evaluation_id}`)).json;
    expect(next.judges.relevance).not.toBe('house-judge');
  });
});

describe('tenant isolation', () => {
  it("answers 404 for another tenant's registered model", async () => {
    const keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
    const { key } = await keys.issue({ tenantId: 'neighbour', scopes: ['models:read', 'models:write', 'evaluations:write'] });
    expect((await client.request('GET', '/api/v3/models/local-llama', { apiKey: key })).status).toBe(404);
    expect((await client.request('DELETE', '/api/v3/models/local-llama', { apiKey: key })).status).toBe(404);
    const listed = await client.request('GET', '/api/v3/models?source=registered', { apiKey: key });
    expect(listed.json.items).toEqual([]);
  });
});

describe('bad input: 4xx with code and message, and nothing written', () => {
  const valid = () => compatible(`m-${Math.random().toString(36).slice(2, 8)}`);
  const cases: [string, () => unknown, number, string][] = [
    ['no provider', () => ({ ...valid(), provider: undefined }), 400, 'validation_error'],
    ['an unknown provider', () => ({ ...valid(), provider: 'skynet' }), 400, 'validation_error'],
    ['a model id with a slash', () => ({ ...valid(), model_id: 'a/b' }), 400, 'validation_error'],
    ['a baseline: id', () => ({ ...valid(), model_id: 'baseline:mine' }), 400, 'validation_error'],
    ['openai_compatible without base_url', () => ({ ...valid(), base_url: undefined }), 400, 'validation_error'],
    ['a base_url that is not http', () => ({ ...valid(), base_url: 'ftp://example.com' }), 400, 'validation_error'],
    ['temperature 3', () => ({ ...valid(), parameters: { temperature: 3 } }), 400, 'validation_error'],
    ['max_tokens 0.5', () => ({ ...valid(), parameters: { max_tokens: 0.5 } }), 400, 'validation_error'],
    ['an unknown parameter', () => ({ ...valid(), parameters: { frequency: 1 } }), 400, 'validation_error'],
    ['both key locations', () => ({ ...valid(), api_key_env: 'A', api_key_secret: 'arbiter/a' }), 400, 'validation_error'],
    ['a secret outside the tenant prefix', () => ({ ...valid(), api_key_secret: 'prod/db-password' }), 422, 'api_key_secret_not_allowed'],
    [
      'a secret ARN',
      () => ({ ...valid(), api_key_secret: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:arbiter/tenants/dev/x' }),
      400,
      'validation_error',
    ],
    ['a Bedrock model with a key', () => ({ ...valid(), provider: 'bedrock', api_key_env: 'A' }), 400, 'validation_error'],
    ['an unknown baseline', () => ({ ...valid(), provider: 'baseline', provider_model_id: 'oracle' }), 400, 'validation_error'],
    ['max_concurrency 0', () => ({ ...valid(), max_concurrency: 0 }), 400, 'validation_error'],
    ['timeout_ms of one hour', () => ({ ...valid(), timeout_ms: 3_600_000 }), 400, 'validation_error'],
    ['negative pricing', () => ({ ...valid(), pricing: { input_per_million: -1, output_per_million: 0 } }), 400, 'validation_error'],
    [
      'a secret locally',
      () => ({ ...valid(), provider: 'openai', base_url: undefined, api_key_secret: 'arbiter/tenants/dev/openai' }),
      422,
      'model_credentials_missing',
    ],
    ['an openai model with a base_url and no key', () => ({ ...valid(), provider: 'openai' }), 422, 'deployment_credentials_not_allowed'],
  ];

  it.each(cases)('%s', async (_label, makeBody, status, code) => {
    const before = await modelRowCount();
    const response = await client.request('POST', '/api/v3/models', { body: makeBody() });
    expect(response.status).toBe(status);
    expect(response.json).toMatchObject({ code, message: expect.any(String) });
    expect(await modelRowCount()).toBe(before);
  });
});
