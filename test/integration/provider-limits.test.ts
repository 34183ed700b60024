/**
 * Deployment-wide provider limits against DynamoDB Local (docs/reliability.md, "Provider limits"): two
 * limiter instances, as two evaluator instances hold, each with its own DynamoDB client and its own
 * in-process state, call one loopback fake model server through the real OpenAI adapter and retry layer.
 * The fake counts the calls it is answering at once, which is what the provider would see.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbProviderLimits } from '#shared/adapters/dynamodb/provider-limits.js';
import { OpenAiChatClient } from '#shared/adapters/providers/openai-chat.js';
import { withRetries } from '#shared/adapters/providers/retry.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import type { Model } from '#shared/contracts/models/schemas.js';
import { limiterKey } from '#shared/domain/evaluator/concurrency.js';
import { leaseMsFor, SharedProviderLimiter } from '#shared/domain/evaluator/shared-limits.js';
import { ProviderError, type GenerateRequest, type ModelClient } from '#shared/domain/ports/model-client.js';
import { localDocumentClient } from '../../local/seed.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { startTestStack, stackStartTimeoutMs, type TestStack } from './support/local-stack.js';

let stack: TestStack;
const documents: DynamoDBDocumentClient[] = [];
let fake: FakeModelServer | undefined;

beforeAll(async () => {
  stack = await startTestStack();
}, stackStartTimeoutMs);

afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

afterAll(async () => {
  for (const client of documents) client.destroy();
  await stack?.stop();
});

/** One evaluator instance's limiter: its own DynamoDB client, waiters and wake-ups. */
function instance(): DynamoDbProviderLimits {
  const client = localDocumentClient(stack.env);
  documents.push(client);
  return new DynamoDbProviderLimits({ client, tableName: stack.env[tableDefinitions.evaluations.envVar] });
}

let models = 0;
/** A configuration of its own per test, so no test sees another's limiter state. */
function model(overrides: Partial<Model>): Model {
  models += 1;
  return {
    model_id: `fake-${models}`,
    provider: 'openai_compatible',
    provider_model_id: 'fake',
    // The RPM test calls no server: any loopback URL names the configuration.
    base_url: fake?.url ?? 'http://127.0.0.1:9/v1',
    parameters: {},
    max_concurrency: 4,
    timeout_ms: 10_000,
    builtin: false,
    baseline: false,
    ...overrides,
  };
}

/** What evaluator-deps.ts builds: the retry layer around the shared limiter around the provider adapter. */
function clientOf(limits: DynamoDbProviderLimits, tenantId: string, m: Model, maxAttempts = 5): ModelClient {
  const provider = new OpenAiChatClient({ model: m.provider_model_id, baseUrl: m.base_url! });
  return withRetries(new SharedProviderLimiter(limits).guard(provider, tenantId, m), { maxAttempts, baseDelayMs: 20, maxDelayMs: 200 });
}

const request = (prompt: string, signal?: AbortSignal): GenerateRequest => ({
  prompt,
  parameters: {},
  timeoutMs: 10_000,
  ...(signal ? { signal } : {}),
});

const slowTest = 90_000;

describe('deployment-wide provider limits', () => {
  it(
    'two instances together never exceed max_concurrency at the model server',
    async () => {
      fake = await startFakeModelServer({ latencyMs: 50 });
      const m = model({ max_concurrency: 4 });
      const first = clientOf(instance(), 'tenant-a', m);
      const second = clientOf(instance(), 'tenant-a', m);

      // 30 calls from each at once, with no per-container tier in front: the shared slots alone bound them.
      const results = await Promise.all([
        ...Array.from({ length: 30 }, (_, i) => first.generate(request(`What is ${i} + 1?`))),
        ...Array.from({ length: 30 }, (_, i) => second.generate(request(`What is ${i} + 2?`))),
      ]);

      expect(results).toHaveLength(60);
      expect(fake.stats().maxInFlight).toBeLessThanOrEqual(4);
      // It did run calls side by side: a limiter that serialised everything would pass the bound too.
      expect(fake.stats().maxInFlight).toBeGreaterThanOrEqual(2);
    },
    slowTest,
  );

  it(
    "a killed holder's lease is reclaimed once its TTL has run out",
    async () => {
      fake = await startFakeModelServer({ latencyMs: 10 });
      const m = model({ max_concurrency: 1, timeout_ms: 1_000 });
      const limits = instance();
      // What an instance killed mid-call leaves behind: a slot taken and never released or renewed.
      const taken = await limits.forLimiter('tenant-a', limiterKey('tenant-a', m)).take(0, 'killed-instance', leaseMsFor(m));
      expect(taken).toBe(true);
      const started = Date.now();

      const result = await clientOf(instance(), 'tenant-a', m).generate(request('What is 2 + 2?'));

      expect(result.text).toBe('4');
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(leaseMsFor(m) - 1_000);
      expect(waited).toBeLessThan(leaseMsFor(m) + 10_000);
    },
    slowTest,
  );

  it(
    '429s halve the shared limit for every instance, Retry-After holds them all, and successes grow it back',
    async () => {
      fake = await startFakeModelServer({ latencyMs: 20, rates: { rateLimit: 1 } });
      const m = model({ max_concurrency: 8 });
      const a = instance();
      const b = instance();
      const stateOf = () => b.forLimiter('tenant-a', limiterKey('tenant-a', m)).read();
      const noRetries = clientOf(a, 'tenant-a', m, 1);

      // One 429 after another: each is seen against the limit the one before left, so each halves it.
      for (let call = 0; call < 4; call++) {
        await expect(noRetries.generate(request(`What is ${call} + 3?`))).rejects.toMatchObject({ code: 'rate_limited' });
      }
      expect((await stateOf()).limit).toBe(1);

      // A Retry-After from the provider holds the other instance's next call too.
      fake.setOptions({ retryAfterSeconds: 2 });
      await expect(noRetries.generate(request('What is 9 + 9?'))).rejects.toBeInstanceOf(ProviderError);
      fake.setOptions({ rates: {} });
      const held = Date.now();
      await clientOf(b, 'tenant-a', m).generate(request('What is 1 + 1?'));
      expect(Date.now() - held).toBeGreaterThanOrEqual(1_500);

      // Instance b starts from the lowered limit (2: its call above added one): with one more allowed per
      // success, 6 calls at once never run more than 4 side by side (2 done, limit 4, 4 left), not 6.
      expect(fake.stats().maxInFlight).toBeLessThanOrEqual(1);
      expect((await stateOf()).limit).toBe(2);
      const client = clientOf(b, 'tenant-a', m);
      await Promise.all(Array.from({ length: 6 }, (_, i) => client.generate(request(`What is ${i} + 5?`))));
      expect(fake.stats().maxInFlight).toBeLessThanOrEqual(4);

      // Additive increase: back at max_concurrency after enough successes, and never past it.
      for (let call = 0; call < 8; call++) await client.generate(request(`What is ${call} + 7?`));
      expect((await stateOf()).limit).toBe(8);
    },
    slowTest,
  );

  it(
    "tenants' limiters are independent: tenant A's saturated model does not block tenant B's same-named model",
    async () => {
      fake = await startFakeModelServer({ latencyMs: 10 });
      const m = model({ max_concurrency: 2, timeout_ms: 60_000 });
      const limits = instance();
      const tenantA = limits.forLimiter('tenant-a', limiterKey('tenant-a', m));
      // Tenant A's two slots are held (by calls that hang at its provider, say) for the whole test.
      expect(await tenantA.take(0, 'hung-1', 120_000)).toBe(true);
      expect(await tenantA.take(1, 'hung-2', 120_000)).toBe(true);

      const started = Date.now();
      const theirs = await clientOf(instance(), 'tenant-b', m).generate(request('What is 3 + 3?'));
      expect(theirs.text).toBe('6');
      expect(Date.now() - started).toBeLessThan(5_000);

      // Tenant A's own next call does wait: it stops only because its chunk gives up.
      const stop = AbortSignal.timeout(1_500);
      const stopped = await clientOf(instance(), 'tenant-a', m)
        .generate(request('What is 4 + 4?', stop))
        .catch((error: unknown) => error);
      expect((stopped as Error).name).toBe('TimeoutError');
      expect(fake.stats().requests).toBe(1);
    },
    slowTest,
  );

  it('counts requests per minute across instances and refuses the one past the limit until the next window', async () => {
    const m = { ...model({}), requests_per_minute: 3 };
    const key = limiterKey('tenant-a', m);
    const a = instance().forLimiter('tenant-a', key);
    const b = instance().forLimiter('tenant-a', key);
    const window = 60_000 * Math.floor(Date.now() / 60_000);

    const counted = [await a.countRequest(window, 3), await b.countRequest(window, 3), await a.countRequest(window, 3)];

    expect(counted).toEqual([true, true, true]);
    expect(await b.countRequest(window, 3)).toBe(false);
    expect(await b.countRequest(window + 60_000, 3)).toBe(true);
  });
});
