/**
 * Tenant quotas on the local stack, over HTTP, through the operator's own command where it sets them:
 * each quota refuses with 429 `quota_exceeded` (its name, limit and where the tenant stands, and
 * `Retry-After` where waiting helps), the active-evaluation quota holds under concurrent creates, and no
 * way an evaluation ends (completed, failed, cancelled pending or running, not queued, failed by the
 * reconciler, a marker left behind) keeps its slot. The admin command refuses unknown tenants and bad
 * values and then writes nothing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { scopes } from '#shared/contracts/auth/scopes.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { createEvaluation } from '#shared/domain/evaluations/create-evaluation.js';
import { setTenantSettings } from '#shared/domain/tenants/tenant-admin.js';
import { EnvironmentCredentialCheck } from '#shared/adapters/secrets/credential-check.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { DynamoDbModelStore } from '#shared/adapters/dynamodb/model-store.js';
import { DynamoDbTenantSettingsStore } from '#shared/adapters/dynamodb/tenant-settings-store.js';
import { DynamoDbTenantUsageStore } from '#shared/adapters/dynamodb/tenant-usage-records.js';
import { tenantSettingsKeys, tenantUsageKeys } from '#shared/adapters/dynamodb/keys.js';
import type { WorkQueue } from '#shared/domain/ports/work-queue.js';
import { localDocumentClient } from '../../local/seed.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { api, startTestStack, waitFor, type ApiResponse, type TestStack } from './support/local-stack.js';

const run = promisify(execFile);

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let keys: DynamoDbApiKeyStore;
let settings: DynamoDbTenantSettingsStore;
let evaluations: DynamoDbEvaluationStore;
let usage: DynamoDbTenantUsageStore;
/** Answers after seconds: an evaluation on it stays running for as long as a test needs it active. */
let slow: FakeModelServer;

beforeAll(async () => {
  slow = await startFakeModelServer({ seed: 3, latencyMs: 3_000 });
  stack = await startTestStack();
  client = api(stack);
  documents = localDocumentClient(stack.env);
  keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
  settings = new DynamoDbTenantSettingsStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
  evaluations = new DynamoDbEvaluationStore({
    client: documents,
    tableName: stack.env[tableDefinitions.evaluations.envVar],
    benchmarksTableName: stack.env[tableDefinitions.benchmarks.envVar],
  });
  usage = new DynamoDbTenantUsageStore({ client: documents, tableName: stack.env[tableDefinitions.evaluations.envVar]! });
}, 120_000);

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
  await slow?.stop();
});

interface Tenant {
  id: string;
  key: string;
  benchmarkId: string;
}

/** A tenant with a key, a benchmark of `items` items and the slow model registered as `slow`. */
async function tenant(id: string, items = 3): Promise<Tenant> {
  const { key } = await keys.issue({ tenantId: id, scopes: [...scopes] });
  const benchmark = await client.request('POST', '/api/v3/benchmarks', {
    apiKey: key,
    body: {
      name: `${id} sums`,
      task_type: 'exact_answer',
      default_metrics: ['exact_match'],
      items: Array.from({ length: items }, (_, i) => ({ input: `${i} + 1`, expected: String(i + 1) })),
    },
  });
  expect(benchmark.status).toBe(201);
  const model = await client.request('POST', '/api/v3/models', {
    apiKey: key,
    body: {
      model_id: 'slow',
      provider: 'openai_compatible',
      provider_model_id: 'fake-1',
      base_url: slow.url,
      timeout_ms: 30_000,
      max_concurrency: 1,
    },
  });
  expect(model.status).toBe(201);
  return { id, key, benchmarkId: benchmark.json.benchmark_id };
}

const create = (who: Tenant, modelId = 'baseline:reference') =>
  client.request('POST', '/api/v3/evaluations', { apiKey: who.key, body: { model_id: modelId, benchmark_id: who.benchmarkId } });

async function finished(who: Tenant, id: string): Promise<string> {
  return waitFor(
    async () => {
      const status = (await client.request('GET', `/api/v3/evaluations/${id}/status`, { apiKey: who.key })).json.status as string;
      return ['completed', 'failed', 'cancelled'].includes(status) ? status : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, description: `evaluation ${id} to finish` },
  );
}

async function activeMarkers(tenantId: string): Promise<string[]> {
  return (await usage.activeSnapshot(tenantId)).evaluationIds.sort();
}

function expectQuotaExceeded(response: ApiResponse, quota: string, limit: number, current?: number) {
  expect(response.status).toBe(429);
  expect(response.json).toMatchObject({ code: 'quota_exceeded', quota, limit, message: expect.any(String) });
  if (current !== undefined) expect(response.json.current).toBe(current);
}

/** Held-back creates: the evaluation stays pending, as when the start message waits in the queue. */
function domainDeps(queue: WorkQueue) {
  return {
    evaluations,
    benchmarks: new DynamoDbBenchmarkStore({ client: documents, tableName: stack.env[tableDefinitions.benchmarks.envVar] }),
    models: new DynamoDbModelStore({ client: documents, tableName: stack.env[tableDefinitions.models.envVar] }),
    credentials: new EnvironmentCredentialCheck({}),
    queue,
    quotas: { settings, usage, evaluations },
  };
}
const heldQueue: WorkQueue = { send: async () => undefined, sendAll: async () => undefined };

describe('the operator sets quotas with `npm run admin`', () => {
  const admin = async (...args: string[]) => {
    const command = ['--import', 'tsx', 'scripts/admin.ts', 'quota', ...args, '--data-dir', stack.dataDir];
    try {
      const done = await run(process.execPath, command, { cwd: process.cwd(), timeout: 60_000 });
      return { code: 0, stdout: done.stdout, stderr: done.stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };
  const settingsItem = async (tenantId: string) =>
    (await documents.send(new GetCommand({ TableName: stack.env[tableDefinitions.apiKeys.envVar], Key: tenantSettingsKeys.record(tenantId) }))).Item;

  it('sets, shows and clears the quotas of a known tenant', async () => {
    await keys.issue({ tenantId: 'admin-known', scopes: ['evaluations:read'] });
    const set = await admin('set', 'admin-known', '--active-evaluations', '5', '--monthly-spend-usd', '12.5', '--default-budget-usd', '2');
    expect(set).toMatchObject({ code: 0 });
    expect(set.stdout).toMatch(/active_evaluations\s+5/);
    expect(await settings.get('admin-known')).toEqual({ quotas: { active_evaluations: 5, monthly_spend_usd: 12.5 }, default_budget_usd: 2 });

    const cleared = await admin('clear', 'admin-known', 'monthly_spend_usd');
    expect(cleared.code).toBe(0);
    expect(cleared.stdout).toMatch(/monthly_spend_usd\s+unlimited/);
    const shown = await admin('show', 'admin-known');
    expect(shown.stdout).toMatch(/active_evaluations\s+5/);
    expect(shown.stdout).toMatch(/default_budget_usd\s+2/);
  });

  it('refuses a tenant no key was ever issued for, and writes nothing', async () => {
    const refused = await admin('set', 'nobody-here', '--active-evaluations', '5');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('no tenant nobody-here');
    expect(refused.stderr).toContain('no API key was ever issued');
    expect(await settingsItem('nobody-here')).toBeUndefined();
    expect((await admin('clear', 'nobody-here', 'active_evaluations')).code).toBe(1);
    expect(await settingsItem('nobody-here')).toBeUndefined();
  });

  it.each([
    [['--active-evaluations', '0'], 'active_evaluations: must be at least 1'],
    [['--requests-per-minute', '2.5'], 'requests_per_minute: must be a whole number'],
    [['--monthly-spend-usd=-1'], 'monthly_spend_usd: must be greater than 0'],
    [['--items-per-evaluation', 'lots'], 'items_per_evaluation'],
    [['--default-budget-usd', '0'], 'default_budget_usd: must be greater than 0'],
    [[], 'Nothing to set'],
  ])('refuses %j with the field at fault, and writes nothing', async (flags, message) => {
    await keys.issue({ tenantId: 'admin-values', scopes: ['evaluations:read'] });
    const refused = await admin('set', 'admin-values', ...flags);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(message);
    expect(await settingsItem('admin-values')).toBeUndefined();
  });

  it('refuses to clear a setting that does not exist', async () => {
    await keys.issue({ tenantId: 'admin-clear', scopes: ['evaluations:read'] });
    const refused = await admin('clear', 'admin-clear', 'max_fun');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Unknown setting');
    expect(await settingsItem('admin-clear')).toBeUndefined();
  });
});

describe('active evaluations', () => {
  it('N parallel creates against a limit of K create exactly K; the rest answer 429 and write nothing', async () => {
    const burst = await tenant('burst');
    await setTenantSettings(settings, burst.id, { active_evaluations: 3 });

    const answers = await Promise.all(Array.from({ length: 10 }, () => create(burst, 'slow')));

    const accepted = answers.filter((answer) => answer.status === 202);
    const refused = answers.filter((answer) => answer.status !== 202);
    expect(accepted).toHaveLength(3);
    expect(refused).toHaveLength(7);
    for (const answer of refused) {
      expectQuotaExceeded(answer, 'active_evaluations', 3, 3);
      // When a slot frees depends on how long the running ones take: no Retry-After promises a time.
      expect(answer.headers.get('retry-after')).toBeNull();
    }
    const listed = await client.request('GET', '/api/v3/evaluations?limit=50', { apiKey: burst.key });
    expect(listed.json.items.map((item: { evaluation_id: string }) => item.evaluation_id).sort()).toEqual(
      accepted.map((answer) => answer.json.evaluation_id).sort(),
    );
    expect(await activeMarkers(burst.id)).toEqual(accepted.map((answer) => answer.json.evaluation_id).sort());

    // Cancelling one (running or still pending) frees its slot at once.
    const [first, ...others] = accepted.map((answer) => answer.json.evaluation_id as string);
    expect((await client.request('POST', `/api/v3/evaluations/${first}/cancel`, { apiKey: burst.key })).status).toBe(202);
    const next = await create(burst, 'slow');
    expect(next.status).toBe(202);
    expectQuotaExceeded(await create(burst, 'slow'), 'active_evaluations', 3, 3);

    for (const id of [...others, next.json.evaluation_id]) {
      expect((await client.request('POST', `/api/v3/evaluations/${id}/cancel`, { apiKey: burst.key })).status).toBe(202);
    }
    expect(await activeMarkers(burst.id)).toEqual([]);
    const shown = await client.request('GET', '/api/v3/usage', { apiKey: burst.key });
    expect(shown.json.evaluations).toMatchObject({ created: 4, cancelled: 4, active: 0 });
    expect(shown.json.quotas.active_evaluations).toEqual({ limit: 3, current: 0 });
  }, 120_000);

  it('replays a retried create of the evaluation that filled the quota instead of refusing it', async () => {
    const retrier = await tenant('retrier');
    await setTenantSettings(settings, retrier.id, { active_evaluations: 1 });
    const request = {
      apiKey: retrier.key,
      headers: { 'idempotency-key': 'create-once' },
      body: { model_id: 'slow', benchmark_id: retrier.benchmarkId },
    };

    const first = await client.request('POST', '/api/v3/evaluations', request);
    const retried = await client.request('POST', '/api/v3/evaluations', request);

    expect(first.status).toBe(202);
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.json.evaluation_id).toBe(first.json.evaluation_id);
    expectQuotaExceeded(await create(retrier, 'slow'), 'active_evaluations', 1, 1);
    expect((await client.request('POST', `/api/v3/evaluations/${first.json.evaluation_id}/cancel`, { apiKey: retrier.key })).status).toBe(202);
  });

  it('frees the slot of every way an evaluation ends', async () => {
    const serial = await tenant('serial');
    await setTenantSettings(settings, serial.id, { active_evaluations: 1 });

    // Completed.
    const completed = await create(serial);
    expect(completed.status).toBe(202);
    expect(await finished(serial, completed.json.evaluation_id)).toBe('completed');
    expect(await activeMarkers(serial.id)).toEqual([]);

    // Failed by the evaluator (a model that can answer nothing: no provider key here).
    const failing = await create(serial, 'claude-3-sonnet-20240229');
    expect(failing.status).toBe(202);
    expect(await finished(serial, failing.json.evaluation_id)).toBe('failed');
    expect(await activeMarkers(serial.id)).toEqual([]);

    // Cancelled while pending (its start message held back), and the quota held meanwhile.
    const pending = await createEvaluation(domainDeps(heldQueue), serial.id, { model_id: 'baseline:reference', benchmark_id: serial.benchmarkId });
    expectQuotaExceeded(await create(serial), 'active_evaluations', 1, 1);
    expect((await client.request('POST', `/api/v3/evaluations/${pending.response.evaluation_id}/cancel`, { apiKey: serial.key })).status).toBe(202);
    expect(await activeMarkers(serial.id)).toEqual([]);

    // Never queued: the create answers 503 and the evaluation is failed with its slot.
    const unqueued = createEvaluation(
      domainDeps({
        send: async () => {
          throw new Error('queue down');
        },
        sendAll: async () => undefined,
      }),
      serial.id,
      { model_id: 'baseline:reference', benchmark_id: serial.benchmarkId },
    );
    await expect(unqueued).rejects.toMatchObject({ statusCode: 503 });
    expect(await activeMarkers(serial.id)).toEqual([]);

    // Failed by the reconciler (a stall verdict), through the store call it makes.
    const stalled = await createEvaluation(domainDeps(heldQueue), serial.id, { model_id: 'baseline:reference', benchmark_id: serial.benchmarkId });
    expect(await evaluations.fail(serial.id, stalled.response.evaluation_id, { code: 'stalled', message: 'no progress' })).toBe(true);
    expect(await activeMarkers(serial.id)).toEqual([]);

    // And the slot is usable: a last evaluation runs to the end.
    const last = await create(serial);
    expect(last.status).toBe(202);
    expect(await finished(serial, last.json.evaluation_id)).toBe('completed');
    const shown = await client.request('GET', '/api/v3/usage', { apiKey: serial.key });
    expect(shown.json.evaluations).toEqual({ created: 6, completed: 2, failed: 3, cancelled: 1, active: 0 });
  }, 180_000);

  it('heals a marker left behind by an evaluation that finished (a crash between two writes)', async () => {
    const healed = await tenant('healed');
    const done = await create(healed);
    expect(await finished(healed, done.json.evaluation_id)).toBe('completed');
    await setTenantSettings(settings, healed.id, { active_evaluations: 1 });
    await documents.send(
      new PutCommand({
        TableName: stack.env[tableDefinitions.evaluations.envVar],
        Item: { ...tenantUsageKeys.activeMarker(healed.id, done.json.evaluation_id), evaluation_id: done.json.evaluation_id },
      }),
    );
    expect(await activeMarkers(healed.id)).toEqual([done.json.evaluation_id]);

    const next = await create(healed);
    expect(next.status).toBe(202);
    expect(await activeMarkers(healed.id)).not.toContain(done.json.evaluation_id);
  }, 120_000);
});

describe('items per evaluation', () => {
  it('refuses a benchmark larger than the quota, naming it, with no Retry-After, and writes nothing', async () => {
    const big = await tenant('big-bench', 4);
    await setTenantSettings(settings, big.id, { items_per_evaluation: 3 });

    const refused = await create(big);

    expectQuotaExceeded(refused, 'items_per_evaluation', 3, 4);
    expect(refused.json.errors).toEqual([{ path: 'benchmark_id', message: expect.stringContaining('3') }]);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect((await client.request('GET', '/api/v3/evaluations', { apiKey: big.key })).json.items).toEqual([]);
    expect(await activeMarkers(big.id)).toEqual([]);
  });
});

describe('monthly spend', () => {
  it("refuses creates once this month's spend reaches the limit, with Retry-After to the month's end", async () => {
    const spender = await tenant('spender');
    // Priced, on the fake server: every evaluation costs something.
    const priced = await client.request('POST', '/api/v3/models', {
      apiKey: spender.key,
      body: {
        model_id: 'priced',
        provider: 'openai_compatible',
        provider_model_id: 'fake-1',
        base_url: slow.url,
        timeout_ms: 30_000,
        max_concurrency: 4,
        pricing: { input_per_million: 1_000, output_per_million: 2_000 },
      },
    });
    expect(priced.status).toBe(201);
    const first = await create(spender, 'priced');
    expect(await finished(spender, first.json.evaluation_id)).toBe('completed');
    const evaluation = await client.request('GET', `/api/v3/evaluations/${first.json.evaluation_id}`, { apiKey: spender.key });
    const cost = evaluation.json.results.models[0].cost_usd;
    expect(cost).toBeGreaterThan(0);

    await setTenantSettings(settings, spender.id, { monthly_spend_usd: cost / 2 });
    const refused = await create(spender, 'priced');

    expectQuotaExceeded(refused, 'monthly_spend_usd', cost / 2);
    expect(refused.json.current).toBeCloseTo(cost, 6);
    const now = new Date();
    const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Math.abs(retryAfter - (monthEnd - Date.now()) / 1000)).toBeLessThan(30);

    // A higher limit lets creates through again.
    await setTenantSettings(settings, spender.id, { monthly_spend_usd: cost * 10 });
    expect((await create(spender)).status).toBe(202);
  }, 120_000);
});

describe('requests per minute', () => {
  it('answers 429 with Retry-After to the next minute beyond the limit; other tenants and health are not counted', async () => {
    const chatty = await tenant('chatty');
    const quiet = await tenant('quiet');
    await setTenantSettings(settings, chatty.id, { requests_per_minute: 3 });
    // Start early in a minute, so that all the requests below fall in one window.
    await waitFor(() => new Date().getUTCSeconds() < 40 || undefined, { timeoutMs: 25_000, intervalMs: 250 });

    const answers: ApiResponse[] = [];
    for (let i = 0; i < 5; i += 1) answers.push(await client.request('GET', '/api/v3/benchmarks', { apiKey: chatty.key }));

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429, 429]);
    expectQuotaExceeded(answers[3]!, 'requests_per_minute', 3, 3);
    const retryAfter = Number(answers[3]!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await client.request('GET', '/api/v3/benchmarks', { apiKey: quiet.key })).status).toBe(200);
    expect((await client.request('GET', '/api/v3/health', { apiKey: null })).status).toBe(200);

    // The next window counts afresh.
    await waitFor(async () => ((await client.request('GET', '/api/v3/benchmarks', { apiKey: chatty.key })).status === 200 ? true : undefined), {
      timeoutMs: 70_000,
      intervalMs: 2_000,
      description: 'the next minute to let a request through',
    });
  }, 120_000);
});
