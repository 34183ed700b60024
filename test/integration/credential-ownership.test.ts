/**
 * Credentials belong to someone (DESIGN.md §8, docs/security.md): the deployment's provider
 * keys go only to their provider's official endpoint, a tenant names only its own secrets and the
 * variables the operator allowlists, and the built-in catalogue names no secret or variable. Each test
 * is an attack a tenant holding a `models:write` key could try through the public API; the fake model
 * server records the key-carrying headers of every request, so "the deployment's key never reached the
 * tenant's server" is checked where it matters, not inferred.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Model } from '#shared/contracts/models/schemas.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbModelStore } from '#shared/adapters/dynamodb/model-store.js';
import { localDocumentClient } from '../../local/seed.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { api, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

const deploymentOpenAiKey = 'sk-deployment-openai-7d3e1a';
const deploymentAnthropicKey = 'sk-ant-deployment-2b9c44';
const tenantKey = 'sk-tenant-own-key-51f0';

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let fake: FakeModelServer;

async function modelRowCount(): Promise<number> {
  const result = await documents.send(
    new ScanCommand({ TableName: stack.env[tableDefinitions.models.envVar], Select: 'COUNT', ConsistentRead: true }),
  );
  return result.Count ?? 0;
}

beforeAll(async () => {
  fake = await startFakeModelServer({ seed: 3 });
  stack = await startTestStack({
    env: {
      OPENAI_API_KEY: deploymentOpenAiKey,
      ANTHROPIC_API_KEY: deploymentAnthropicKey,
      TENANT_TEAM_KEY: tenantKey,
      // The operator allowlists the tenant's variable, and (wrongly) the deployment's own: the rule that
      // the deployment's variables never serve a custom base_url must hold regardless.
      ARBITER_ALLOWED_KEY_ENV: 'TENANT_TEAM_KEY,OPENAI_API_KEY',
    },
  });
  client = api(stack);
  documents = localDocumentClient(stack.env);
});

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
  await fake?.stop();
});

const onFake = (modelId: string, extra: Record<string, unknown>) => ({
  model_id: modelId,
  provider: 'openai_compatible',
  provider_model_id: 'fake',
  base_url: fake.url,
  timeout_ms: 2000,
  ...extra,
});

async function runToEnd(body: unknown): Promise<{ evaluation: any; rows: any[] }> {
  const created = await client.request('POST', '/api/v3/evaluations', { body });
  expect(created.status).toBe(202);
  const id = created.json.evaluation_id as string;
  await waitFor(
    async () => {
      const status = await client.request('GET', `/api/v3/evaluations/${id}/status`);
      return ['completed', 'failed', 'cancelled'].includes(status.json.status) ? true : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200, description: `evaluation ${id} to finish` },
  );
  const evaluation = (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
  const rows = (await client.request('GET', `/api/v3/evaluations/${id}/results?limit=100`)).json.items as any[];
  return { evaluation, rows };
}

const sawDeploymentKey = () =>
  fake.credentialHeaders().filter((headers) => [deploymentOpenAiKey, deploymentAnthropicKey].some((key) => JSON.stringify(headers).includes(key)));

describe("registration refuses the deployment's keys for a custom base_url", () => {
  const refusals: [string, () => Record<string, unknown>, string, string][] = [
    [
      'openai_compatible naming OPENAI_API_KEY',
      () => onFake('steal-env', { api_key_env: 'OPENAI_API_KEY' }),
      'deployment_credentials_not_allowed',
      'api_key_env',
    ],
    [
      'openai_compatible naming ANTHROPIC_API_KEY',
      () => onFake('steal-anthropic', { api_key_env: 'ANTHROPIC_API_KEY' }),
      'deployment_credentials_not_allowed',
      'api_key_env',
    ],
    [
      'provider openai with a base_url and no key of its own',
      () => ({ ...onFake('steal-implicit', {}), provider: 'openai' }),
      'deployment_credentials_not_allowed',
      'base_url',
    ],
    [
      'provider anthropic with a base_url and no key of its own',
      () => ({ ...onFake('steal-claude', {}), provider: 'anthropic' }),
      'deployment_credentials_not_allowed',
      'base_url',
    ],
    [
      "provider anthropic at its official endpoint naming OpenAI's deployment variable",
      () => ({ model_id: 'cross-provider', provider: 'anthropic', provider_model_id: 'claude-3-5-haiku-20241022', api_key_env: 'OPENAI_API_KEY' }),
      'deployment_credentials_not_allowed',
      'api_key_env',
    ],
    [
      'a variable the operator did not allowlist',
      () => onFake('steal-aws', { api_key_env: 'AWS_SECRET_ACCESS_KEY' }),
      'api_key_env_not_allowed',
      'api_key_env',
    ],
  ];

  it.each(refusals)('%s: 422, nothing written', async (_label, body, code, field) => {
    const before = await modelRowCount();
    const response = await client.request('POST', '/api/v3/models', { body: body() });
    expect(response.status).toBe(422);
    expect(response.json).toMatchObject({ code, errors: [{ path: field }] });
    expect(response.text).not.toContain(deploymentOpenAiKey);
    expect(await modelRowCount()).toBe(before);
  });

  it('accepts the deployment variable of the same provider at its official endpoint, and a tenant key the operator allowlisted', async () => {
    const official = await client.request('POST', '/api/v3/models', {
      body: { model_id: 'team-gpt', provider: 'openai', provider_model_id: 'gpt-4o-mini', api_key_env: 'OPENAI_API_KEY' },
    });
    expect(official.status).toBe(201);
    const implicit = await client.request('POST', '/api/v3/models', {
      body: { model_id: 'team-gpt-default-key', provider: 'openai', provider_model_id: 'gpt-4o-mini' },
    });
    expect(implicit.status).toBe(201);
    const own = await client.request('POST', '/api/v3/models', { body: onFake('own-key', { api_key_env: 'TENANT_TEAM_KEY' }) });
    expect(own.status).toBe(201);
  });
});

describe("a tenant names only secrets under its own prefix, and learns nothing about anyone else's", () => {
  const foreign = [
    'arbiter/openai',
    'arbiter/deployment/openai',
    'arbiter/tenants/other-team/openai',
    'arbiter/tenants/devx/openai',
    'arbiter/tenants/dev',
    'prod/db-password',
  ];

  it.each(foreign)('%s: 422 on api_key_secret, nothing written', async (secret) => {
    const before = await modelRowCount();
    const response = await client.request('POST', '/api/v3/models', {
      body: { model_id: 'foreign-secret', provider: 'openai', provider_model_id: 'gpt-4o', api_key_secret: secret },
    });
    expect(response.status).toBe(422);
    expect(response.json).toMatchObject({ code: 'api_key_secret_not_allowed', errors: [{ path: 'api_key_secret' }] });
    expect(await modelRowCount()).toBe(before);
  });

  it('answers every foreign name with the same body, so none can be told apart', async () => {
    const bodies = new Set<string>();
    for (const secret of foreign) {
      const response = await client.request('POST', '/api/v3/models', {
        body: { model_id: 'foreign-secret', provider: 'openai', provider_model_id: 'gpt-4o', api_key_secret: secret },
      });
      bodies.add(response.text);
    }
    expect(bodies.size).toBe(1);
    expect([...bodies][0]).toContain('arbiter/tenants/dev/');
  });
});

describe('the built-in catalogue names no secret and no variable', () => {
  it('GET /models?source=builtin, ?source=all and GET /models/{id} of built-ins', async () => {
    const listed = await client.request('GET', '/api/v3/models?source=builtin');
    expect(listed.status).toBe(200);
    const all = await client.request('GET', '/api/v3/models?source=all&limit=100');
    const single = await Promise.all(['gpt-4o', 'claude-3-5-haiku-20241022'].map((id) => client.request('GET', `/api/v3/models/${id}`)));
    const builtins = [...listed.json.items, ...all.json.items.filter((model: Model) => model.builtin), ...single.map((response) => response.json)];
    expect(builtins.length).toBeGreaterThan(20);
    for (const model of builtins) {
      expect(model).not.toHaveProperty('api_key_secret');
      expect(model).not.toHaveProperty('api_key_env');
    }
    // Anywhere in an entry, not only in the two fields: the tenant's own registrations may name theirs.
    expect(JSON.stringify(builtins)).not.toMatch(/OPENAI_API_KEY|ANTHROPIC_API_KEY|arbiter\//);
  });
});

describe('the call path refuses again: records stored before the rule never get the deployment key', () => {
  it("fails the items of smuggled models with credentials_missing and the fake server never sees the deployment's key", async () => {
    const models = new DynamoDbModelStore({ client: documents, tableName: stack.env[tableDefinitions.models.envVar] });
    const stored = (modelId: string, extra: Partial<Model>): Model => ({
      model_id: modelId,
      provider: 'openai_compatible',
      provider_model_id: 'fake',
      base_url: fake.url,
      parameters: {},
      max_concurrency: 4,
      timeout_ms: 2000,
      builtin: false,
      baseline: false,
      created_at: new Date().toISOString(),
      ...extra,
    });
    // What registration accepted before the rule, written as the model store writes a registration.
    await models.create('dev', stored('old-env', { api_key_env: 'OPENAI_API_KEY' }));
    await models.create('dev', stored('old-implicit', { provider: 'openai' }));
    await models.create('dev', stored('old-builtin-shape', { provider: 'anthropic', builtin: true }));
    await models.create('dev', stored('old-aws', { api_key_env: 'AWS_SECRET_ACCESS_KEY' }));
    const requestsBefore = fake.stats().requests;

    const first = await runToEnd({ model_id: 'old-env', model_id_2: 'old-aws', benchmark_id: stack.sampleBenchmarkId });
    const second = await runToEnd({ model_id: 'old-implicit', model_id_2: 'old-builtin-shape', benchmark_id: stack.sampleBenchmarkId });
    // The judge path too: the candidate answers, the smuggled judge must not be called with the key.
    const judged = await runToEnd({
      model_id: 'baseline:reference',
      benchmark_id: stack.sampleBenchmarkId,
      custom_metrics: ['exact_match', { name: 'judged', type: 'llm_judge', rubric: 'Is it right?', judge_model_id: 'old-env' }],
    });

    for (const [{ rows }, ids] of [
      [first, ['old-env', 'old-aws']],
      [second, ['old-implicit', 'old-builtin-shape']],
    ] as const) {
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        for (const id of ids) expect(row.outputs[id]).toMatchObject({ status: 'failed', error: { code: 'credentials_missing' } });
      }
    }
    expect(judged.rows.length).toBeGreaterThan(0);
    for (const row of judged.rows) {
      expect(row.outputs['baseline:reference'].judgements.judged).toMatchObject({ score: null, error: { code: 'credentials_missing' } });
    }
    expect(JSON.stringify([first, second, judged])).not.toContain(deploymentOpenAiKey);
    expect(sawDeploymentKey()).toEqual([]);
    // Refused before any request: nothing reached the tenant's server at all.
    expect(fake.stats().requests).toBe(requestsBefore);
  });

  it("sends a tenant's own allowlisted key to its base_url", async () => {
    const { rows } = await runToEnd({ model_id: 'own-key', benchmark_id: stack.sampleBenchmarkId });
    expect(rows.every((row) => row.outputs['own-key'].status === 'scored')).toBe(true);
    expect(fake.credentialHeaders()).toContainEqual({ authorization: `Bearer ${tenantKey}` });
    expect(sawDeploymentKey()).toEqual([]);
  });
});
