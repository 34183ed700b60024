import type { Benchmark } from '../../contracts/benchmarks/schemas.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { Model } from '../../contracts/models/schemas.js';
import type { ModelClient } from '../ports/model-client.js';
import type { WorkQueue } from '../ports/work-queue.js';
import type { BenchmarkStore } from '../ports/benchmark-store.js';
import type { EvaluationStore } from '../ports/evaluation-store.js';
import type { SpendLedger } from '../ports/spend-ledger.js';
import type { CachedAnswer, ResponseCache } from '../ports/response-cache.js';
import type { Scorer } from './scoring.js';

/** The model clients of one tenant's chunk: the tenant is bound once, so no call can carry another's. */
export interface TenantModelClients {
  clientFor(model: Model): ModelClient;
  /** The response cache of the same tenant, bound the same way; absent: answers are neither read nor kept. */
  cache?: TenantResponseCache;
}

export interface TenantResponseCache {
  get(key: string): Promise<CachedAnswer | undefined>;
  put(key: string, answer: CachedAnswer): Promise<void>;
}

/** Everything the evaluator touches, passed in so tests can run it against the local services. */
export interface EvaluatorDeps {
  evaluations: EvaluationStore;
  benchmarks: BenchmarkStore;
  queue: WorkQueue;
  /** A client that calls `model` for `tenantId`, with that tenant's credentials. */
  clientFor(model: Model, tenantId: string): ModelClient;
  scorerFor(evaluation: Evaluation, benchmark: Benchmark): Scorer;
  /**
   * The budgets' spend ledger. Needed only by evaluations with `budget_usd`: a chunk of one refuses to
   * run without it rather than spend unmetered.
   */
  spend?: SpendLedger;
  /** The response cache (docs/reliability.md "Response cache"); absent: every call goes to the model. */
  cache?: ResponseCache;
}
