/**
 * The shared state behind a model's deployment-wide limits: leased concurrency slots, the adaptive
 * (AIMD) limit with its Retry-After block, and per-minute request windows. Every evaluator instance reads
 * and writes the same state, so `max_concurrency` and `requests_per_minute` hold across all of them.
 *
 * A store is bound to one tenant's limiter when it is handed out (`forLimiter`), so a chunk's calls can
 * only ever touch their own tenant's limiters.
 */

/** One held slot as stored: which slot, and until when its lease runs. */
export interface HeldSlot {
  slot: number;
  /** Epoch ms; past it the slot counts as free (its holder crashed or stalled). */
  leaseUntil: number;
}

export interface LimiterSnapshot {
  /** The adaptive limit (1..max_concurrency); undefined until a 429 first lowered it. */
  limit?: number;
  /** Epoch ms before which no call may start: a provider's Retry-After, shared. */
  blockedUntil?: number;
  held: HeldSlot[];
}

export interface LimiterStore {
  /** The limiter's state and its held slots, read consistently in one request. */
  read(): Promise<LimiterSnapshot>;
  /** Takes `slot` for `token` if it is free or its lease ran out; false when another holder has it. */
  take(slot: number, token: string, leaseMs: number): Promise<boolean>;
  /** Extends a held lease; false when the lease ran out and another holder took the slot over. */
  renew(slot: number, token: string, leaseMs: number): Promise<boolean>;
  /**
   * Hands a held slot to a new holder in one write: the token changes and the lease starts again, so the
   * slot is never free in between. False when the lease was taken over meanwhile.
   */
  transfer(slot: number, fromToken: string, toToken: string, leaseMs: number): Promise<boolean>;
  /** Gives the slot up; a slot another holder has taken over since is left alone. */
  release(slot: number, token: string): Promise<void>;
  /**
   * Sets the adaptive limit to `next` only if it still reads `seen` (undefined: never set), so that the
   * 429s of calls admitted under one limit lower it once, not once each. False when it had moved on.
   */
  lower(seen: number | undefined, next: number): Promise<boolean>;
  /** Adds one to the adaptive limit while it is below `max`. */
  raise(max: number): Promise<void>;
  /** Moves the shared block forward to `until` (never back). */
  blockUntil(until: number): Promise<void>;
  /** Counts one request in the window starting at `windowStart`; false when `limit` were already counted. */
  countRequest(windowStart: number, limit: number): Promise<boolean>;
}

export interface ProviderLimits {
  /** The shared state of tenant `tenantId`'s limiter `key` (a digest of the model's configuration). */
  forLimiter(tenantId: string, key: string): LimiterStore;
}
