/**
 * The arithmetic of the deployment-wide provider limits (docs/reliability.md, "Provider limits"): AIMD's
 * halving and adding, the limit in force, the lease length, which slot a caller tries, and how the
 * limiter reacts to a 429 — against an in-memory store, so each decision can be seen. The same limiter
 * against DynamoDB Local, with two instances and a real model server, is test/integration/provider-limits.test.ts.
 */
import type { Model } from '#shared/contracts/models/schemas.js';
import {
  chooseSlot,
  decreasedLimit,
  effectiveLimit,
  increasedLimit,
  LEASE_GRACE_MS,
  leaseMsFor,
  MAX_LEASE_BASE_MS,
  SharedProviderLimiter,
} from '#shared/domain/evaluator/shared-limits.js';
import { ProviderError, type GenerateRequest, type ModelClient } from '#shared/domain/ports/model-client.js';
import type { LimiterSnapshot, LimiterStore, ProviderLimits } from '#shared/domain/ports/provider-limits.js';

describe('AIMD arithmetic', () => {
  it('halves on a 429, rounding down, and never below one', () => {
    expect([8, 7, 4, 3, 2, 1].map(decreasedLimit)).toEqual([4, 3, 2, 1, 1, 1]);
  });

  it('adds one per success up to max_concurrency, never past it', () => {
    expect(increasedLimit(1, 8)).toBe(2);
    expect(increasedLimit(7, 8)).toBe(8);
    expect(increasedLimit(8, 8)).toBe(8);
  });

  it('reads an unset limit as max_concurrency, and clamps a stored one into 1..max', () => {
    expect(effectiveLimit(undefined, 8)).toBe(8);
    expect(effectiveLimit(3, 8)).toBe(3);
    expect(effectiveLimit(12, 8)).toBe(8);
    expect(effectiveLimit(0, 8)).toBe(1);
  });

  it('ties the lease to the model timeout, capped so a crashed holder returns its slot soon', () => {
    expect(leaseMsFor({ timeout_ms: 2_000 })).toBe(2_000 + LEASE_GRACE_MS);
    expect(leaseMsFor({ timeout_ms: 600_000 })).toBe(MAX_LEASE_BASE_MS + LEASE_GRACE_MS);
  });
});

describe('slot choice', () => {
  const now = 1_000_000;
  const live = (slot: number) => ({ slot, leaseUntil: now + 10_000 });
  const expired = (slot: number) => ({ slot, leaseUntil: now - 1 });

  it('takes a free slot below the limit', () => {
    expect(chooseSlot(4, [live(0), live(1), live(3)], now, () => 0)).toBe(2);
  });

  it('answers none while as many slots as the limit are held', () => {
    expect(chooseSlot(2, [live(0), live(1)], now)).toBeUndefined();
  });

  it('counts a slot whose lease ran out as free: a killed holder leaks nothing', () => {
    expect(chooseSlot(2, [live(0), expired(1)], now, () => 0)).toBe(1);
  });

  it('after a decrease, slots still held above the new limit keep new calls waiting', () => {
    // Limit lowered from 8 to 2 while slots 5 and 6 are still in flight: 2 held, nothing may start.
    expect(chooseSlot(2, [live(5), live(6)], now)).toBeUndefined();
    // One of them ends: one call may start, and only in a slot below the new limit.
    const picks = new Set([0, 0.49, 0.5, 0.99].map((r) => chooseSlot(2, [live(5)], now, () => r)));
    expect(picks).toEqual(new Set([0, 1]));
  });

  it('spreads racing callers over the free slots', () => {
    const picks = new Set([0, 0.3, 0.6, 0.9].map((r) => chooseSlot(8, [live(0), live(1), live(2), live(3)], now, () => r)));
    expect(picks).toEqual(new Set([4, 5, 6, 7]));
  });
});

/** The store's semantics in memory: conditional takes and releases, the limit lowered only from the value seen. */
function memoryLimits() {
  const slots = new Map<number, { token: string; leaseUntil: number }>();
  const state: { limit?: number; blockedUntil?: number } = {};
  const writes: string[] = [];
  const store: LimiterStore = {
    async read(): Promise<LimiterSnapshot> {
      return { ...state, held: [...slots].map(([slot, held]) => ({ slot, leaseUntil: held.leaseUntil })) };
    },
    async take(slot, token, leaseMs) {
      writes.push('take');
      const held = slots.get(slot);
      if (held && held.leaseUntil >= Date.now()) return false;
      slots.set(slot, { token, leaseUntil: Date.now() + leaseMs });
      return true;
    },
    async renew(slot, token, leaseMs) {
      const held = slots.get(slot);
      if (held?.token !== token) return false;
      held.leaseUntil = Date.now() + leaseMs;
      return true;
    },
    async transfer(slot, fromToken, toToken, leaseMs) {
      writes.push('transfer');
      const held = slots.get(slot);
      if (held?.token !== fromToken) return false;
      slots.set(slot, { token: toToken, leaseUntil: Date.now() + leaseMs });
      return true;
    },
    async release(slot, token) {
      writes.push('release');
      if (slots.get(slot)?.token === token) slots.delete(slot);
    },
    async lower(seen, next) {
      writes.push('lower');
      if (state.limit !== seen) return false;
      state.limit = next;
      return true;
    },
    async raise(max) {
      writes.push('raise');
      if (state.limit !== undefined && state.limit < max) state.limit += 1;
    },
    async blockUntil(until) {
      writes.push('block');
      state.blockedUntil = Math.max(state.blockedUntil ?? 0, until);
    },
    async countRequest() {
      return true;
    },
  };
  const limits: ProviderLimits = { forLimiter: () => store };
  return { limits, state, slots, writes };
}

const model: Model = {
  model_id: 'gpt-4o',
  provider: 'openai_compatible',
  provider_model_id: 'gpt-4o',
  base_url: 'http://models.invalid/v1',
  parameters: {},
  max_concurrency: 8,
  timeout_ms: 10_000,
  builtin: false,
  baseline: false,
};
const request: GenerateRequest = { prompt: 'hi', parameters: {}, timeoutMs: 10_000 };
const ok = { text: 'ok', finish_reason: 'stop' as const, usage: { input_tokens: 1, output_tokens: 1 }, latency_ms: 1, attempts: 1 };

describe('the shared limiter around a provider attempt', () => {
  it('halves the limit once for the 429s of calls admitted under one limit, and shares Retry-After', async () => {
    const { limits, state, slots } = memoryLimits();
    // Each caller draws another slot, so all four are admitted under the first limit, as racing callers are.
    let draws = 0;
    const limiter = new SharedProviderLimiter(limits, { random: () => (draws++ % 8) / 8 });
    const throttled: ModelClient = {
      generate: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new ProviderError('rate_limited', 'slow down', { status: 429, retryAfterMs: 1_500 });
      },
    };
    const client = limiter.guard(throttled, 'tenant-a', model);
    const before = Date.now();

    const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => client.generate(request)));

    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    // Four 429s, all against the limit of 8: one halving, not 8 → 4 → 2 → 1 → 1.
    expect(state.limit).toBe(4);
    expect(state.blockedUntil).toBeGreaterThanOrEqual(before + 1_500);
    expect(slots.size).toBe(0);
  });

  it('adds one back per success while below max_concurrency, and writes nothing extra at max', async () => {
    const { limits, state, writes } = memoryLimits();
    state.limit = 2;
    const client = new SharedProviderLimiter(limits).guard({ generate: async () => ok }, 'tenant-a', model);

    for (let call = 0; call < 10; call++) await client.generate(request);

    expect(state.limit).toBe(8);
    // 6 raises took it from 2 to 8; the calls after that cost a take and a release only.
    expect(writes.filter((write) => write === 'raise')).toHaveLength(6);
    expect(writes.filter((write) => write === 'take')).toHaveLength(10);
  });

  it("hands a finished attempt's slot to a waiting one of the same instance in one write, with no poll", async () => {
    const { limits, writes, slots } = memoryLimits();
    // Polls that would take 5 s: only a handover can make the second call start sooner.
    const slowPolls = (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, 5_000);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
    const slow: ModelClient = { generate: () => new Promise((resolve) => setTimeout(() => resolve(ok), 100)) };
    const client = new SharedProviderLimiter(limits, { sleep: slowPolls }).guard(slow, 'tenant-a', { ...model, max_concurrency: 1 });
    const started = Date.now();

    await Promise.all([client.generate(request), client.generate(request)]);

    expect(Date.now() - started).toBeLessThan(2_000);
    // The second call's take was refused (the slot was held); it then got the slot by the transfer, and
    // the one release is the second call's own.
    expect(writes).toEqual(['take', 'take', 'transfer', 'release']);
    expect(slots.size).toBe(0);
  });

  it('waits for a slot instead of exceeding the limit, and gives up when the chunk stops', async () => {
    const { limits, state } = memoryLimits();
    state.limit = 1;
    const release: (() => void)[] = [];
    const held: ModelClient = { generate: () => new Promise((resolve) => release.push(() => resolve(ok))) };
    const client = new SharedProviderLimiter(limits).guard(held, 'tenant-a', model);
    const first = client.generate(request);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stop = new AbortController();

    const second = client.generate({ ...request, signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(release).toHaveLength(1);
    stop.abort(new Error('chunk stopped'));

    await expect(second).rejects.toThrow('chunk stopped');
    release[0]!();
    await expect(first).resolves.toMatchObject({ text: 'ok' });
  });
});
