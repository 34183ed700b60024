/** One finished evaluation's spend and tokens, by model and by judge. */
export interface UsageLine {
  evaluation_id: string;
  cost_usd: number;
  models: Record<string, UsageAmount>;
  judges: Record<string, UsageAmount>;
}

export interface UsageAmount {
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
}

/** A month's counters: evaluations by how they moved, and the spend recorded in it. */
export interface UsageTotals {
  created: number;
  completed: number;
  failed: number;
  cancelled: number;
  spend_usd: number;
}

/** The active-evaluation markers of a tenant, and the guard version they were read under. */
export interface ActiveSnapshot {
  /** Evaluations holding a marker: pending or running, unless a marker leaked (see `release`). */
  evaluationIds: string[];
  /** Passed back to `create`: it commits only if no other create under the quota committed since. */
  guardVersion: number;
}

/** Raised by a create under the active-evaluation quota when another create committed first: read again. */
export class ActiveEvaluationsChangedError extends Error {}

/** What the quotas count: active markers and monthly usage of a tenant. */
export interface TenantUsageStore {
  activeSnapshot(tenantId: string): Promise<ActiveSnapshot>;
  /** Drops an evaluation's marker; nothing when it has none. */
  releaseActive(tenantId: string, evaluationId: string): Promise<void>;
  /** The month's counts and spend (reads the month's rows). */
  monthTotals(tenantId: string, month: string): Promise<UsageTotals>;
  /** The month's recorded spend alone, in one read: what the monthly-spend quota checks at every create. */
  monthSpend(tenantId: string, month: string): Promise<number>;
  monthLines(tenantId: string, month: string): Promise<UsageLine[]>;
}
