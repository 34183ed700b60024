import { createHash } from 'node:crypto';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Model } from '../../contracts/models/schemas.js';

/**
 * One limiter per tenant and model configuration per container: a model's `max_concurrency` bounds its
 * calls from this evaluator instance, across the chunks it runs. (p-limit: tiny, maintained, and exactly
 * this job.)
 *
 * Keyed by the tenant and the whole model as the evaluation resolved it (provider, provider model id,
 * base URL, parameters, credentials, `max_concurrency`, timeout…), not by `model_id`: model ids are the
 * tenant's own names, so two tenants' `gpt-4o` may be different servers, and one that hangs must not
 * hold the other's slots. A configuration that differs in anything, `max_concurrency` included, gets a
 * limiter of its own, so a limiter is never replaced under the calls it is bounding. A limiter is
 * dropped once nothing uses it, so the map holds only configurations with calls queued or in flight.
 */
interface Entry {
  limit: LimitFunction;
  /** Calls queued or running in this limiter. */
  users: number;
}

const limiters = new Map<string, Entry>();

/** A value's JSON with object keys sorted at every level: the same configuration always reads the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The limiter's key: the tenant and a digest of the model's canonical form (a digest keeps keys short). */
export function limiterKey(tenantId: string, model: Model): string {
  return createHash('sha256')
    .update(canonicalJson([tenantId, model]))
    .digest('hex');
}

/** Runs `call` under the limiter of this tenant's model configuration. */
export async function withModelSlot<T>(tenantId: string, model: Model, call: () => Promise<T>): Promise<T> {
  const key = limiterKey(tenantId, model);
  let entry = limiters.get(key);
  if (!entry) {
    entry = { limit: pLimit(model.max_concurrency), users: 0 };
    limiters.set(key, entry);
  }
  entry.users += 1;
  try {
    return await entry.limit(call);
  } finally {
    entry.users -= 1;
    if (entry.users === 0 && limiters.get(key) === entry) limiters.delete(key);
  }
}

/** How many limiters are held (for tests: idle ones are dropped). */
export function heldLimiters(): number {
  return limiters.size;
}
