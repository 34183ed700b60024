/**
 * The response cache (docs/reliability.md "Response cache") on the local stack's own processes, against
 * the fake model server, which counts every request it is sent. An unchanged re-run with `cache: "use"`
 * sends it nothing and shows what was saved; `refresh` calls again; `off` neither reads nor writes; a
 * changed generation parameter misses; another tenant, with an identical model and benchmark, misses;
 * a failed call is never kept. Entries carry the operator's TTL, and one past its time is not read.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { scopes } from '#shared/contracts/auth/scopes.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { responseCacheKeys } from '#shared/adapters/dynamodb/keys.js';
import { DynamoDbResponseCache } from '#shared/adapters/dynamodb/response-cache.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { localDocumentClient } from '../../local/seed.js';
import { api, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

const ITEMS = 12;
const TTL_SECONDS = 3600;
const FAILING_MARKER = 'REFUSE-THIS';
const pricing = { input_per_million: 1_000, output_per_million: 2_000 };

let stack: TestStack;
let fake: FakeModelServer;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;

interface Tenant {
  key: string;
  benchmarkId: string;
}
let tenantA: Tenant;
let tenantB: Tenant;

async function tenant(id: string, name: string, failingItem: boolean): Promise<Tenant> {
  const { key } = await new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] }).issue({
    tenantId: id,
    scopes: [...scopes],
  });
  for (const [modelId, parameters] of [
    ['cached', { temperature: 0 }],
    ['cached-warmer', { temperature: 0.5 }],
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
        pricing,
        parameters,
      },
    });
    expect(model.status).toBe(201);
  }
  return { key, benchmarkId: await benchmark(key, name, failingItem) };
}

async function benchmark(key: string, name: string, failingItem = false, first = 0): Promise<string> {
  const items = Array.from({ length: ITEMS }, (_, i) => ({ input: `${first + i} + 7`, expected: String(first + i + 7) }));
  if (failingItem) items[0] = { input: `${FAILING_MARKER} 1 + 1`, expected: '2' };
  const created = await client.request('POST', '/api/v3/benchmarks', {
    apiKey: key,
    body: { name, task_type: 'exact_answer', default_metrics: ['exact_match'], items },
  });
  expect(created.status).toBe(201);
  return created.json.benchmark_id;
}

async function allRows(who: Tenant, id: string): Promise<any[]> {
  const rows: any[] = [];
  let cursor: string | null = null;
  do {
    const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: any = (await client.request('GET', `/api/v3/evaluations/${id}/results?limit=100${after}`, { apiKey: who.key })).json;
    rows.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return rows;
}

/** Runs an evaluation to its end; `calls` are the requests the fake model server received meanwhile. */
async function run(who: Tenant, body: Record<string, unknown>) {
  const before = fake.stats().requests;
  const created = await client.request('POST', '/api/v3/evaluations', { apiKey: who.key, body: { benchmark_id: who.benchmarkId, ...body } });
  expect(created.status).toBe(202);
  const id = created.json.evaluation_id as string;
  const status = await waitFor(
    async () => {
      const current = await client.request('GET', `/api/v3/evaluations/${id}/status`, { apiKey: who.key });
      return ['completed', 'failed', 'cancelled'].includes(current.json.status) ? current.json : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250, description: `evaluation ${id} to finish` },
  );
  const evaluation = (await client.request('GET', `/api/v3/evaluations/${id}`, { apiKey: who.key })).json;
  return { id, status, evaluation, rows: await allRows(who, id), calls: fake.stats().requests - before };
}

const outputsOf = (rows: any[], modelId = 'cached') => rows.map((row) => row.outputs[modelId]);
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

beforeAll(async () => {
  fake = await startFakeModelServer({ promptFaults: [{ marker: FAILING_MARKER, fault: 'bad_request' }] });
  stack = await startTestStack({
    env: { ARBITER_CHUNK_SIZE: '5', ARBITER_CACHE_TTL_SECONDS: String(TTL_SECONDS), ARBITER_RESPONSE_CACHE: 'on' },
  });
  client = api(stack);
  documents = localDocumentClient(stack.env);
  tenantA = await tenant('cache-a', 'Sums', true);
  tenantB = await tenant('cache-b', 'Sums', true);
});

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
  await fake?.stop();
});

describe('the response cache across re-runs of one evaluation', () => {
  let first: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    // No `cache` field: the default, `use`, which also fills the cache.
    first = await run(tenantA, { model_id: 'cached' });
  });

  it('calls the model for every item the first time, keeps only the answers, and says nothing was cached', async () => {
    expect(first.status).toMatchObject({ status: 'completed', cache_mode: 'use', cache_hits: 0, cache_saved_usd: 0 });
    // The refused item is not retried (400), so every item costs one call.
    expect(first.calls).toBe(ITEMS);
    expect(outputsOf(first.rows).filter((output) => output.status === 'failed')).toHaveLength(1);
    expect(outputsOf(first.rows).some((output) => output.cached)).toBe(false);
  });

  it('answers an unchanged re-run from the cache: no model call, the same answers and scores, hits and saved cost shown, nothing spent', async () => {
    const second = await run(tenantA, { model_id: 'cached', cache: 'use' });
    // Only the item whose call failed is called again: an error is never kept.
    expect(second.calls).toBe(1);
    const before = outputsOf(first.rows);
    const after = outputsOf(second.rows);
    const scored = before.filter((output) => output.status === 'scored');
    const savedExpected = sum(scored.map((output) => output.cost_usd));
    expect(savedExpected).toBeGreaterThan(0);

    expect(second.status).toMatchObject({ status: 'completed', cache_mode: 'use', cache_hits: ITEMS - 1 });
    expect(second.status.cache_saved_usd).toBeCloseTo(savedExpected, 9);
    after.forEach((output, index) => {
      const original = before[index];
      if (original.status === 'failed') {
        expect(output).toMatchObject({ status: 'failed', error: { code: 'bad_request' } });
        expect(output.cached).toBeUndefined();
        return;
      }
      expect(output).toMatchObject({
        status: 'scored',
        cached: true,
        output: original.output,
        scores: original.scores,
        usage: { input_tokens: 0, output_tokens: 0 },
        cached_usage: original.usage,
        cost_usd: 0,
        latency_ms: original.latency_ms,
      });
      expect(output.cache_saved_usd).toBeCloseTo(original.cost_usd, 12);
    });
    // Counted as no spend: the model's cost and tokens are those of the one call made.
    const model = second.evaluation.results.models[0];
    expect(model.metrics.exact_match.mean).toBe(first.evaluation.results.models[0].metrics.exact_match.mean);
    expect(model.cost_usd).toBe(0);
    expect(model.usage).toEqual({ input_tokens: 0, output_tokens: 0 });
  });

  it('calls every item again with refresh, and rewrites the entries it finds', async () => {
    const refreshed = await run(tenantA, { model_id: 'cached', cache: 'refresh' });
    expect(refreshed.calls).toBe(ITEMS);
    expect(refreshed.status).toMatchObject({ cache_mode: 'refresh', cache_hits: 0, cache_saved_usd: 0 });
    expect(outputsOf(refreshed.rows).some((output) => output.cached)).toBe(false);
    // What refresh wrote serves the next `use` run.
    expect((await run(tenantA, { model_id: 'cached' })).calls).toBe(1);
  });

  it('neither reads nor writes with off', async () => {
    const read = await run(tenantA, { model_id: 'cached', cache: 'off' });
    expect(read.calls).toBe(ITEMS);
    expect(read.status).toMatchObject({ cache_mode: 'off', cache_hits: 0 });

    // Prompts never asked before: off must leave nothing behind for them.
    const fresh: Tenant = { ...tenantA, benchmarkId: await benchmark(tenantA.key, 'Fresh sums', false, 50) };
    const off = await run(fresh, { model_id: 'cached', cache: 'off' });
    expect(off.calls).toBe(ITEMS);
    const after = await run(fresh, { model_id: 'cached', cache: 'use' });
    expect(after.calls).toBe(ITEMS);
    expect(after.status.cache_hits).toBe(0);
  });

  it('misses when a generation parameter changes', async () => {
    const warmer = await run(tenantA, { model_id: 'cached-warmer' });
    expect(warmer.calls).toBe(ITEMS);
    expect(warmer.status.cache_hits).toBe(0);
  });

  it("never answers one tenant from another's entries, for an identical model and benchmark", async () => {
    const theirs = await run(tenantB, { model_id: 'cached' });
    expect(theirs.calls).toBe(ITEMS);
    expect(theirs.status).toMatchObject({ cache_hits: 0, cache_saved_usd: 0 });
    expect(outputsOf(theirs.rows).some((output) => output.cached)).toBe(false);
  });
});

describe('entries expire', () => {
  it("carry the operator's TTL in the table's TTL attribute, and one past its time is not read", async () => {
    const tableName = stack.env[tableDefinitions.evaluations.envVar];
    const answer = { output: '2', usage: { input_tokens: 3, output_tokens: 1 }, finish_reason: 'stop' as const, latency_ms: 5 };
    let now = Date.parse('2026-01-01T00:00:00Z');
    const cache = new DynamoDbResponseCache({ client: documents, tableName, ttlSeconds: TTL_SECONDS, now: () => now });
    await cache.put('cache-ttl', 'hash-1', answer);
    const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: responseCacheKeys.entry('cache-ttl', 'hash-1') }));
    expect(Item?.expires_at).toBe(now / 1000 + TTL_SECONDS);
    expect(await cache.get('cache-ttl', 'hash-1')).toEqual(answer);
    // DynamoDB deletes expired items only eventually: the read itself refuses them.
    now += TTL_SECONDS * 1000;
    expect(await cache.get('cache-ttl', 'hash-1')).toBeUndefined();
    expect(await cache.get('cache-other', 'hash-1')).toBeUndefined();
  });
});
