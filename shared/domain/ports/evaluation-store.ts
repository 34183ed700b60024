import type { EvaluationResults, ItemResult } from '../../contracts/evaluations/result-types.js';
import type {
  CreateEvaluationResponse,
  Evaluation,
  EvaluationError,
  EvaluationPlan,
} from '../../contracts/evaluations/schemas.js';
import type { EvaluationStatus } from '../../contracts/evaluations/status.js';
import type { Page } from '../../contracts/pagination.js';

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

/** What one chunk adds to its evaluation's counters. */
export interface ChunkTally {
  outcome: 'done' | 'cancelled' | 'dead_lettered';
  completed_items: number;
  failed_items: number;
  models: Record<string, { scored: number; failed: number }>;
}

export interface EvaluationFilter {
  status?: EvaluationStatus;
  benchmark_id?: string;
  model_id?: string;
}

/** One page of an evaluation's per-item results, optionally only failed answers or one model's. */
export interface ResultsPageRequest {
  limit: number;
  cursor?: string;
  failedOnly?: boolean;
  modelId?: string;
}

/** A message the evaluator could not use, kept for operators to read. */
export interface DeadLetterLogEntry {
  message_id: string;
  body: string;
  reason: string;
  reason_code?: string;
  /** `evaluator`: sent there at once as unreadable; `redrive`: moved there by SQS after failed receives. */
  source?: 'evaluator' | 'redrive';
  evaluation_id?: string;
  tenant_id?: string;
}

/** Evaluations, their per-item results and chunk progress, as the API and the evaluator use them. */
export interface EvaluationStore {
  /**
   * Writes a new evaluation, its idempotency record when given, and the benchmark version it pins, all
   * or nothing.
   */
  create(evaluation: Evaluation, idempotency?: IdempotentCreate, options?: { alreadyPinned?: boolean }): Promise<CreateOutcome>;
  /** Whether an evaluation of the benchmark is pending or running. */
  hasActiveEvaluation(tenantId: string, benchmarkId: string): Promise<boolean>;
  get(tenantId: string, evaluationId: string): Promise<Evaluation | undefined>;
  /** As `get`, but reads every write that finished before it. */
  getConsistent(tenantId: string, evaluationId: string): Promise<Evaluation | undefined>;
  list(tenantId: string, page: { limit: number; cursor?: string; filter?: EvaluationFilter }): Promise<Page<Evaluation>>;
  /** Marks an evaluation that could not be queued as failed and forgets its idempotency record. */
  failToQueue(evaluation: Evaluation, error: EvaluationError, idempotencyKey?: string): Promise<void>;
  /** pending → running with its chunk plan; undefined when it was not pending (a redelivered start). */
  markRunning(tenantId: string, evaluationId: string, plan: EvaluationPlan): Promise<Evaluation | undefined>;
  /** The one transition to a final state with results; false when another finalizer wrote first. */
  finish(
    tenantId: string,
    evaluationId: string,
    from: EvaluationStatus,
    to: EvaluationStatus,
    results: EvaluationResults,
    error?: EvaluationError,
  ): Promise<boolean>;
  /** Fails an unfinished evaluation with its reason; false when it had already finished. */
  fail(tenantId: string, evaluationId: string, error: EvaluationError): Promise<boolean>;
  /** pending/running → cancelled; the record as it now is, or undefined when it had already finished. */
  cancel(tenantId: string, evaluationId: string): Promise<Evaluation | undefined>;
  /** Stored results of the positions [first, first + count), by position. */
  getResults(tenantId: string, evaluationId: string, first: number, count: number): Promise<Map<number, ItemResult>>;
  /** Writes per-item results; rewriting one (a redelivered chunk) replaces it. */
  putResults(tenantId: string, evaluationId: string, results: readonly ItemResult[]): Promise<void>;
  /** Every stored result, page by page, in item order, reading every write that finished before. */
  allResults(tenantId: string, evaluationId: string): AsyncGenerator<ItemResult[]>;
  listResults(tenantId: string, evaluationId: string, page: ResultsPageRequest): Promise<Page<ItemResult>>;
  /** A `listResults` cursor that continues right after the result at `position`. */
  resultCursorAfter(tenantId: string, evaluationId: string, position: number): string;
  /** Counts a finished chunk exactly once; false for a duplicate of a chunk already counted. */
  recordChunk(tenantId: string, evaluationId: string, chunk: number, tally: ChunkTally): Promise<boolean>;
  /** Chunks already counted. */
  doneChunks(tenantId: string, evaluationId: string): Promise<Set<number>>;
  /** Unfinished evaluations whose last progress is older than `before`, oldest first, across tenants. */
  listStalled(before: string, limit: number): Promise<Evaluation[]>;
  /** Counts a re-drive and restarts the stall clock; false when the evaluation finished meanwhile. */
  recordRedrive(tenantId: string, evaluationId: string): Promise<boolean>;
  recordDeadLetter(entry: DeadLetterLogEntry): Promise<void>;
}
