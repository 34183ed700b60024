import type { FinishReason, TokenUsage } from './model-client.js';

/** A candidate's answer as the response cache keeps it: the bounded answer that was stored and scored. */
export interface CachedAnswer {
  output: string;
  truncated?: true;
  notes?: string[];
  usage: TokenUsage;
  finish_reason: FinishReason;
  /** The latency of the call that produced it. */
  latency_ms: number;
}

/**
 * The response cache (docs/reliability.md "Response cache"). Every read and write names the tenant, and
 * the adapter keeps each tenant's entries under that tenant's own key prefix, so one tenant's key can
 * never find another's answer, even for an identical call.
 */
export interface ResponseCache {
  /** The answer stored under `key` for `tenantId`, unless it is absent or past its time. */
  get(tenantId: string, key: string): Promise<CachedAnswer | undefined>;
  /** Stores (or replaces) the answer; it expires after the operator's TTL. */
  put(tenantId: string, key: string, answer: CachedAnswer): Promise<void>;
}
