/**
 * `GET /api/v3/usage` on the local stack after real evaluations on the fake model server: the month's
 * spend and tokens by model equal the sums of the evaluations' own results, counts follow what happened,
 * quotas show where the tenant stands, and a tenant sees only its own usage. Also the tenant's default
 * budget, given to an evaluation whose request names none.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { scopes } from '#shared/contracts/auth/scopes.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { setTenantSettings } from '#shared/domain/tenants/tenant-admin.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { DynamoDbTenantSettingsStore } from '#shared/adapters/dynamodb/tenant-settings-store.js';
import { evaluationKeys } from '#shared/adapters/dynamodb/keys.js';
import { localDocumentClient } from '../../local/seed.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { api, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let keys: DynamoDbApiKeyStore;
let settings: DynamoDbTenantSettingsStore;
let fake: FakeModelServer;

interface Tenant {
  id: string;
  key: string;
  benchmarkId: string;
}

async function tenant(id: string): Promise<Tenant> {
  const { key } = await keys.issue({ tenantId: id, scopes: [...scopes] });
  const benchmark = await client.request('POST', '/api/v3/benchmarks', {
    apiKey: key,
    body: {
      name: `${id} sums`,
      task_type: 'exact_answer',
      default_metrics: ['exact_match'],
      items: Array.from({ length: 4 }, (_, i) => ({ input: `${i} + 2`, expected: String(i + 2) })),
    },
  });
  expect(benchmark.status).toBe(201);
  for (const [modelId, price] of [
    ['p1', 1_000],
    ['p2', 3_000],
  ] as const) {
    const model = await client.request('POST', '/api/v3/models', {
      apiKey: key,
      body: {
        model_id: modelId,
        provider: 'openai_compatible',
        provider_model_id: 'fake-1',
        base_url: fake.url,
        timeout_ms: 10_000,
        max_concurrency: 4,
        pricing: { input_per_million: price, output_per_million: price * 2 },
      },
    });
    expect(model.status).toBe(201);
  }
  return { id, key, benchmarkId: benchmark.json.benchmark_id };
}

async function runToEnd(who: Tenant, body: Record<string, unknown>) {
  const created = await client.request('POST', '/api/v3/evaluations', { apiKey: who.key, body: { benchmark_id: who.benchmarkId, ...body } });
  expect(created.status).toBe(202);
  const id = created.json.evaluation_id as string;
  await waitFor(
    async () => {
      const status = (await client.request('GET', `/api/v3/evaluations/${id}/status`, { apiKey: who.key })).json.status;
      return ['completed', 'failed', 'cancelled'].includes(status) || undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, description: `evaluation ${id} to finish` },
  );
  return (await client.request('GET', `/api/v3/evaluations/${id}`, { apiKey: who.key })).json;
}

let a: Tenant;
let b: Tenant;
const ran: any[] = [];

beforeAll(async () => {
  fake = await startFakeModelServer({ seed: 11 });
  stack = await startTestStack();
  client = api(stack);
  documents = localDocumentClient(stack.env);
  keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
  settings = new DynamoDbTenantSettingsStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
  a = await tenant('usage-a');
  b = await tenant('usage-b');
  ran.push(await runToEnd(a, { model_id: 'p1', model_id_2: 'p2' }));
  ran.push(await runToEnd(a, { model_id: 'p1' }));
  ran.push(await runToEnd(a, { model_id: 'baseline:reference' }));
}, 240_000);

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
  await fake?.stop();
});

const usageOf = async (who: Tenant, query = '') => client.request('GET', `/api/v3/usage${query}`, { apiKey: who.key });

describe('GET /api/v3/usage', () => {
  it("adds up to the evaluations' own results, by model, with tokens and counts", async () => {
    for (const evaluation of ran) expect(evaluation.status).toBe('completed');
    const expected = new Map<string, { cost_usd: number; input_tokens: number; output_tokens: number; evaluations: number }>();
    for (const evaluation of ran) {
      for (const model of evaluation.results.models) {
        const sum = expected.get(model.model_id) ?? { cost_usd: 0, input_tokens: 0, output_tokens: 0, evaluations: 0 };
        sum.cost_usd += model.cost_usd ?? 0;
        sum.input_tokens += model.usage.input_tokens;
        sum.output_tokens += model.usage.output_tokens;
        sum.evaluations += 1;
        expected.set(model.model_id, sum);
      }
    }

    const shown = await usageOf(a);

    expect(shown.status).toBe(200);
    const byModel = Object.fromEntries(shown.json.by_model.map((row: any) => [row.model_id, row]));
    expect(Object.keys(byModel).sort()).toEqual([...expected.keys()].sort());
    for (const [modelId, sum] of expected) {
      expect(byModel[modelId].cost_usd).toBeCloseTo(sum.cost_usd, 6);
      expect(byModel[modelId]).toMatchObject({ input_tokens: sum.input_tokens, output_tokens: sum.output_tokens, evaluations: sum.evaluations });
    }
    const total = [...expected.values()].reduce((all, sum) => all + sum.cost_usd, 0);
    expect(total).toBeGreaterThan(0);
    expect(shown.json.spend_usd).toBeCloseTo(total, 6);
    expect(shown.json.tokens).toEqual({
      input_tokens: [...expected.values()].reduce((all, sum) => all + sum.input_tokens, 0),
      output_tokens: [...expected.values()].reduce((all, sum) => all + sum.output_tokens, 0),
    });
    expect(shown.json.evaluations).toEqual({ created: 3, completed: 3, failed: 0, cancelled: 0, active: 0 });
    expect(shown.json.month).toBe(new Date().toISOString().slice(0, 7));
    // Nothing set: every quota unlimited, the spend the monthly quota would check shown all the same.
    expect(shown.json.quotas.active_evaluations).toEqual({ limit: null, current: 0 });
    expect(shown.json.quotas.monthly_spend_usd.limit).toBeNull();
    expect(shown.json.quotas.monthly_spend_usd.current).toBeCloseTo(total, 6);
    expect(shown.json.default_budget_usd).toBeNull();
  });

  it("shows only the calling tenant's usage", async () => {
    const before = (await usageOf(a)).json;
    const own = await runToEnd(b, { model_id: 'p2' });
    expect(own.status).toBe('completed');

    const seenByB = (await usageOf(b)).json;
    expect(seenByB.by_model.map((row: any) => row.model_id)).toEqual(['p2']);
    expect(seenByB.spend_usd).toBeCloseTo(own.results.models[0].cost_usd, 6);
    expect(seenByB.evaluations).toMatchObject({ created: 1, completed: 1 });
    // A's usage did not move with B's evaluation, and B saw none of A's.
    expect((await usageOf(a)).json).toEqual(before);
  });

  it('shows the quotas the operator set, with where the tenant stands', async () => {
    await setTenantSettings(settings, b.id, {
      active_evaluations: 4,
      items_per_evaluation: 100,
      monthly_spend_usd: 50,
      requests_per_minute: 1000,
      default_budget_usd: 1.5,
    });

    const shown = (await usageOf(b)).json;

    expect(shown.quotas).toMatchObject({
      active_evaluations: { limit: 4, current: 0 },
      items_per_evaluation: { limit: 100, current: null },
      monthly_spend_usd: { limit: 50 },
      requests_per_minute: { limit: 1000, current: expect.any(Number) },
    });
    expect(shown.quotas.requests_per_minute.current).toBeGreaterThanOrEqual(1);
    expect(shown.default_budget_usd).toBe(1.5);
    // A's view is untouched by B's settings.
    expect((await usageOf(a)).json.quotas.active_evaluations.limit).toBeNull();
  });

  it('answers another month, and refuses a malformed one with the field at fault', async () => {
    const past = await usageOf(a, '?month=2020-01');
    expect(past.status).toBe(200);
    expect(past.json).toMatchObject({ month: '2020-01', spend_usd: 0, by_model: [], by_judge: [], evaluations: { created: 0, completed: 0 } });
    expect(past.json.quotas.monthly_spend_usd.current).toBeNull();

    for (const month of ['2026-13', '26-01', 'now']) {
      const refused = await usageOf(a, `?month=${month}`);
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ code: 'validation_error', errors: [expect.objectContaining({ path: 'month' })] });
    }
  });

  it('needs the usage:read scope', async () => {
    const { key } = await keys.issue({ tenantId: a.id, scopes: ['evaluations:read'] });
    const refused = await client.request('GET', '/api/v3/usage', { apiKey: key });
    expect(refused.status).toBe(403);
  });
});

describe("the tenant's default budget", () => {
  it('is given to an evaluation whose request names no budget', async () => {
    await setTenantSettings(settings, a.id, { default_budget_usd: 2.25 });
    const created = await client.request('POST', '/api/v3/evaluations', {
      apiKey: a.key,
      body: { model_id: 'baseline:reference', benchmark_id: a.benchmarkId },
    });
    expect(created.status).toBe(202);
    const { Item } = await documents.send(
      new GetCommand({ TableName: stack.env[tableDefinitions.evaluations.envVar], Key: evaluationKeys.record(a.id, created.json.evaluation_id) }),
    );
    expect(Item?.budget_usd).toBe(2.25);
  });
});
