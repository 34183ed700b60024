import type { CreateEvaluationResponse, Evaluation, EvaluationError } from '../../contracts/evaluations/schemas.js';

/** A remembered response to a create request that carried an `Idempotency-Key`. */
export interface IdempotentCreate {
  key: string;
  /** Digest of the request body: the same key with another body is a client error, not a replay. */
  fingerprint: string;
  response: CreateEvaluationResponse;
}

export type CreateOutcome = { created: true } | { created: false; previous: IdempotentCreate };

/** Raised when the benchmark changed between reading it and pinning its version: read it again. */
export class BenchmarkVersionChangedError extends Error {}

export interface EvaluationStore {
  /**
   * Writes a new evaluation, its idempotency record when given, and the benchmark version it pins, all
   * or nothing.
   */
  create(evaluation: Evaluation, idempotency?: IdempotentCreate, options?: { alreadyPinned?: boolean }): Promise<CreateOutcome>;
  /** Whether an evaluation of the benchmark is pending or running. */
  hasActiveEvaluation(tenantId: string, benchmarkId: string): Promise<boolean>;
  get(tenantId: string, evaluationId: string): Promise<Evaluation | undefined>;
  /** Marks an evaluation that could not be queued as failed and forgets its idempotency record. */
  failToQueue(evaluation: Evaluation, error: EvaluationError, idempotencyKey?: string): Promise<void>;
}
