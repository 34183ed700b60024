import { randomUUID } from 'node:crypto';
import type { Model } from '../../contracts/models/schemas.js';
import { fullJitterDelayMs } from '../../platform/backoff.js';
import { logger } from '../../platform/logger.js';
import { MetricName } from '../../platform/metric-names.js';
import { countMetric } from '../../platform/metrics.js';
import { ProviderError, type GenerateRequest, type GenerateResult, type ModelClient } from '../ports/model-client.js';
import type { HeldSlot, LimiterStore, ProviderLimits } from '../ports/provider-limits.js';
import { limiterKey } from './concurrency.js';

/**
 * A model's limits across every evaluator instance (docs/reliability.md, "Provider limits"): each
 * provider attempt, retries included, first counts itself in the model's per-minute window (when it has
 * `requests_per_minute`), then takes one of `max_concurrency` leased slots in DynamoDB, and gives it back
 * when the attempt ends. The adaptive limit lowers the slots that may be taken: halved by a 429, raised
 * by one per success (AIMD), stored where every instance reads it.
 *
 * This is the second tier. The first is the per-container limiter of concurrency.ts around each whole
 * call, so one container never has more than `max_concurrency` attempts asking DynamoDB for slots.
 */

/** Extra lease beyond the attempt's own timeout: a holder is never taken over while its call can still answer. */
export const LEASE_GRACE_MS = 5_000;
/**
 * Longest lease before grace: a killed instance's slot returns within this (plus grace), however long
 * the model's timeout. Calls that run longer keep their lease by renewing it (one write per third).
 */
export const MAX_LEASE_BASE_MS = 10_000;
/** Leases are renewed after this fraction of their length, so a renewal that is late still lands in time. */
export const RENEW_FRACTION = 1 / 3;
/** Polling for a slot: full-jitter backoff from this window, doubling to the cap. */
export const POLL_BASE_MS = 20;
export const POLL_CAP_MS = 1_000;
/** Never poll sooner than this after a refusal: full jitter alone can draw 0 ms. */
export const POLL_FLOOR_MS = 5;
/** A provider's Retry-After blocks every instance for at most this long. */
export const MAX_BLOCK_MS = 60_000;
/** A handover needs a read of the limit at most this old: how soon a decrease made elsewhere stops them. */
export const HANDOVER_FRESH_MS = 1_000;
/** Waiters released by a block's end or a window's turn spread over this much, so they do not arrive as one burst. */
export const RELEASE_SPREAD_MS = 250;
const WINDOW_MS = 60_000;

/** The limit in force: the stored adaptive limit, or `max` before any 429 lowered it; always 1..max. */
export function effectiveLimit(stored: number | undefined, max: number): number {
  return Math.min(max, Math.max(1, stored ?? max));
}

/** Multiplicative decrease: half, rounded down, never below one (a limit of 0 would stop the model for good). */
export function decreasedLimit(limit: number): number {
  return Math.max(1, Math.floor(limit / 2));
}

/** Additive increase: one more, up to `max`. */
export function increasedLimit(limit: number, max: number): number {
  return Math.min(max, limit + 1);
}

/** How long a slot's lease runs for a model: tied to its timeout, capped so a crashed holder's slot returns soon. */
export function leaseMsFor(model: Pick<Model, 'timeout_ms'>): number {
  return Math.min(model.timeout_ms, MAX_LEASE_BASE_MS) + LEASE_GRACE_MS;
}

/**
 * Which slot to try, or undefined when the limiter is full. Slots are counted as held while their lease
 * runs, whatever their index: after a decrease, slots above the new limit still held keep new calls
 * waiting until enough of them end. A free slot is drawn at random among those below the limit, so
 * instances racing for slots mostly try different ones.
 */
export function chooseSlot(limit: number, held: readonly HeldSlot[], now: number, random: () => number = Math.random): number | undefined {
  const live = new Set(held.filter((slot) => slot.leaseUntil >= now).map((slot) => slot.slot));
  if (live.size >= limit) return undefined;
  const free: number[] = [];
  for (let slot = 0; slot < limit; slot++) if (!live.has(slot)) free.push(slot);
  return free.length === 0 ? undefined : free[Math.floor(random() * free.length)];
}

export interface SharedLimiterOptions {
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

interface Held {
  slot: number;
  token: string;
  /** The stored adaptive limit when the slot was taken: what a 429 of this attempt reports against. */
  seen: number | undefined;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Bookkeeping that must not fail a call: a write lost here costs a lease's length of capacity at worst. */
function quietly(what: string, write: Promise<unknown>): Promise<void> {
  return write.then(
    () => undefined,
    (error: unknown) => logger.warn(`provider limiter: could not ${what}`, { error: error as Error }),
  );
}

/**
 * The deployment-wide limiter of one evaluator instance. When one of its attempts ends and another of
 * its attempts is waiting on the same limiter, the slot is handed over in one write (a token swap)
 * instead of a release, a read and a take: the slot is never free in between, and the waiter needs no
 * poll. Slots freed elsewhere are found by polling with jittered backoff.
 */
export class SharedProviderLimiter {
  private readonly limits: ProviderLimits;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly waiters = new Map<string, (() => void)[]>();
  /** Slots handed over to this instance's next attempt on a limiter, not yet picked up. */
  private readonly spares = new Map<string, Held[]>();
  /** Slots handed over in a row, per limiter. */
  private readonly handoffs = new Map<string, number>();
  /** The adaptive limit this instance last read, per limiter, and when. */
  private readonly known = new Map<string, { limit: number | undefined; at: number }>();

  constructor(limits: ProviderLimits, options: SharedLimiterOptions = {}) {
    this.limits = limits;
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
  }

  /**
   * `client` with every attempt under `tenantId`'s limits for `model`: wrap the provider client with this,
   * and the retry layer around it, so each retry waits for its own slot under the limit as it is then.
   */
  guard(client: ModelClient, tenantId: string, model: Model): ModelClient {
    const key = limiterKey(tenantId, model);
    const store = this.limits.forLimiter(tenantId, key);
    return { generate: (request) => this.attempt(client, store, key, model, request) };
  }

  private async attempt(client: ModelClient, store: LimiterStore, key: string, model: Model, request: GenerateRequest): Promise<GenerateResult> {
    const { signal } = request;
    const started = Date.now();
    let waited = false;
    if (model.requests_per_minute !== undefined) waited = await this.countRequest(store, model.requests_per_minute, signal);
    const { held, waited: waitedForSlot } = await this.acquire(store, key, model, signal);
    if (waited || waitedForSlot) {
      countMetric(MetricName.ProviderLimitWaits);
      logger.debug('provider call waited for a shared limit', { model_id: model.model_id, wait_ms: Date.now() - started });
    }
    const leaseMs = leaseMsFor(model);
    const renewal = setInterval(() => void quietly('renew a slot lease', store.renew(held.slot, held.token, leaseMs)), leaseMs * RENEW_FRACTION);
    renewal.unref();
    let throttled = false;
    try {
      const result = await client.generate(request);
      const { max_concurrency: max } = model;
      if (effectiveLimit(held.seen, max) < max) await quietly('raise the limit', store.raise(max));
      return result;
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'rate_limited') {
        throttled = true;
        await this.throttled(store, key, held, model, error.retryAfterMs);
      }
      throw error;
    } finally {
      clearInterval(renewal);
      // After a 429 the slot is released, not handed over: the lowered limit must get its say.
      if (throttled || !(await this.handOver(store, key, model, held))) {
        await quietly('release a slot', store.release(held.slot, held.token));
        this.wakeAfterRelease(key);
      }
    }
  }

  /** Multiplicative decrease, once per limit seen, and the provider's Retry-After shared with every instance. */
  private async throttled(store: LimiterStore, key: string, held: Held, model: Model, retryAfterMs: number | undefined): Promise<void> {
    const current = effectiveLimit(held.seen, model.max_concurrency);
    const next = decreasedLimit(current);
    if (next < current && (await store.lower(held.seen, next).catch(() => false))) {
      this.known.set(key, { limit: next, at: Date.now() });
      countMetric(MetricName.ProviderLimitDecreases);
      logger.info('provider answered 429: shared concurrency limit halved', { model_id: model.model_id, limit: next, was: current });
    }
    if (retryAfterMs !== undefined && retryAfterMs > 0) {
      await quietly('share a Retry-After', store.blockUntil(Date.now() + Math.min(retryAfterMs, MAX_BLOCK_MS)));
    }
  }

  private async acquire(store: LimiterStore, key: string, model: Model, signal?: AbortSignal): Promise<{ held: Held; waited: boolean }> {
    for (let refusals = 0; ; refusals++) {
      signal?.throwIfAborted();
      const spare = this.spares.get(key)?.shift();
      if (spare) return { held: spare, waited: refusals > 0 };
      const snapshot = await store.read();
      const now = Date.now();
      this.known.set(key, { limit: snapshot.limit, at: now });
      if (snapshot.blockedUntil !== undefined && snapshot.blockedUntil > now) {
        await this.sleep(snapshot.blockedUntil - now + this.random() * RELEASE_SPREAD_MS, signal);
        continue;
      }
      const slot = chooseSlot(effectiveLimit(snapshot.limit, model.max_concurrency), snapshot.held, now, this.random);
      if (slot !== undefined) {
        const token = randomUUID();
        if (await store.take(slot, token, leaseMsFor(model))) return { held: { slot, token, seen: snapshot.limit }, waited: refusals > 0 };
      }
      await this.pause(store, key, refusals, signal);
    }
  }

  /**
   * Jittered backoff, cut short when a slot is handed over or freed by this instance, or the chunk stops.
   * (Listeners rather than `AbortSignal.any`, which would leave one combined signal per pause registered
   * on the chunk's long-lived signal.)
   */
  private async pause(store: LimiterStore, key: string, refusals: number, signal?: AbortSignal): Promise<void> {
    const waitMs = POLL_FLOOR_MS + fullJitterDelayMs(Math.min(refusals, 10), { baseMs: POLL_BASE_MS, capMs: POLL_CAP_MS, random: this.random });
    const cut = new AbortController();
    const wake = () => cut.abort();
    signal?.addEventListener('abort', wake, { once: true });
    this.waiters.set(key, [...(this.waiters.get(key) ?? []), wake]);
    try {
      await this.sleep(waitMs, cut.signal);
    } catch {
      // Woken early, or the chunk stopped: checked below.
    } finally {
      signal?.removeEventListener('abort', wake);
      const left = (this.waiters.get(key) ?? []).filter((waiter) => waiter !== wake);
      if (left.length > 0) this.waiters.set(key, left);
      else this.waiters.delete(key);
    }
    if (signal?.aborted) {
      // A slot handed to this waiter goes to the next one, or back to the limiter.
      if ((this.spares.get(key)?.length ?? 0) > 0) await this.passSpares(store, key);
      signal.throwIfAborted();
    }
  }

  /**
   * Hands `held` to a waiting attempt of this instance, if one waits and the slot is still one it may
   * use: below the limit this instance read within the last HANDOVER_FRESH_MS (so a decrease made
   * elsewhere stops handovers within that time), and not after `max` handovers in a row (then the slot is
   * released and taken again through a read, where another instance's poller can win it).
   */
  private async handOver(store: LimiterStore, key: string, model: Model, held: Held): Promise<boolean> {
    const known = this.known.get(key);
    const streak = this.handoffs.get(key) ?? 0;
    if (!this.waiters.get(key)?.length || !known || Date.now() - known.at > HANDOVER_FRESH_MS) return false;
    if (held.slot >= effectiveLimit(known.limit, model.max_concurrency) || streak >= model.max_concurrency) return false;
    const token = randomUUID();
    if (!(await store.transfer(held.slot, held.token, token, leaseMsFor(model)).catch(() => false))) return false;
    this.handoffs.set(key, streak + 1);
    this.spares.set(key, [...(this.spares.get(key) ?? []), { slot: held.slot, token, seen: known.limit }]);
    await this.passSpares(store, key);
    return true;
  }

  /** Wakes a waiter for each spare slot, or gives the spares back to the limiter when nobody waits any more. */
  private async passSpares(store: LimiterStore, key: string): Promise<void> {
    const queue = this.waiters.get(key) ?? [];
    const spares = this.spares.get(key) ?? [];
    for (let i = 0; i < spares.length && i < queue.length; i++) queue[i]!();
    if (queue.length > 0) return;
    this.spares.delete(key);
    await Promise.all(spares.map((spare) => quietly('release a slot', store.release(spare.slot, spare.token))));
  }

  /**
   * After a release a waiter of this instance tries at once, with a read and a take like anyone: after a
   * streak of handovers, that read is where a poller of another instance can win the slot.
   */
  private wakeAfterRelease(key: string): void {
    this.handoffs.delete(key);
    this.waiters.get(key)?.[0]?.();
  }

  /**
   * Counts the attempt in the current minute's window, waiting for the next window while this one is
   * full. A fixed window: at a window's turn up to twice the limit can start within one minute.
   */
  private async countRequest(store: LimiterStore, perMinute: number, signal?: AbortSignal): Promise<boolean> {
    for (let waited = false; ; waited = true) {
      signal?.throwIfAborted();
      const now = Date.now();
      const windowStart = now - (now % WINDOW_MS);
      if (await store.countRequest(windowStart, perMinute)) return waited;
      await this.sleep(windowStart + WINDOW_MS - now + this.random() * RELEASE_SPREAD_MS, signal);
    }
  }
}
