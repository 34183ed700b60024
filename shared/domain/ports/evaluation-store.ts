import type { EvaluationResults, ItemResult } from '../../contracts/evaluations/result-types.js';
import type { CreateEvaluationResponse, Evaluation, EvaluationError, EvaluationPlan } from '../../contracts/evaluations/schemas.js';
import type { EvaluationStatus } from '../../contracts/evaluations/status.js';
import type { Page } from '../../contracts/pagination.js';
import type { ScoreRow, ScoreRowShape } from './score-rows.js';

/** A remembered response to a create request that carried an `Idempotency-Key`. */
export interface IdempotentCreate {
  key: string;
  /** Digest of the request body: the same key with another body is a client error, not a replay. */
  fingerprint: string;
  response: CreateEvaluationResponse;
}

export type CreateOutcome = { created: true } | { created: false; previous: IdempotentCreate };

export interface CreateOptions {
  /** The benchmark version read was already pinned, so no pin needs writing. */
  alreadyPinned?: boolean;
  /**
   * Under the active-evaluation quota: the guard version the count was read under. The create commits only
   * if it still holds, else throws ActiveEvaluationsChangedError (ports/tenant-usage.ts).
   */
  activeGuardVersion?: number;
}

/** Raised when the benchmark changed between reading it and pinning its version: read it again. */
export class BenchmarkVersionChangedError extends Error {}

/**
 * One delivery's exclusive right to write a chunk's results and count it, taken before its first model
 * call. SQS may deliver a chunk twice at once; only the holder writes, so the rows a chunk is counted with
 * are the rows that stay.
 */
export interface ChunkLease {
  chunk: number;
  /** Random per claim, chosen by the claimer: a write carrying another claim's token is refused. */
  token: string;
}

/** A claim's answer: the lease is taken, or why not (the chunk is counted, or another delivery holds it). */
export type ChunkClaim = 'leased' | 'counted' | 'busy';

/**
 * Raised by a write whose lease is no longer held (it expired and another delivery took it): nothing was
 * written, and the delivery must stop; its message is retried and finds the chunk held or counted.
 */
export class ChunkLeaseLostError extends Error {
  constructor(chunk: number) {
    super(`Chunk ${chunk}'s lease was taken over by another delivery; this delivery wrote nothing more`);
    this.name = 'ChunkLeaseLostError';
  }
}

/** A chunk lease that ran out before its chunk was counted: its holder is presumed dead. */
export interface ExpiredLease {
  chunk: number;
  token: string;
  /** Epoch milliseconds the lease ran until; with the token, which expiry this is. */
  leaseUntil: number;
}

/** A chunk claimed for sending (chunk-window.ts has the arithmetic). */
export interface WindowClaim {
  chunk: number;
  /** This call made the claim; otherwise an earlier delivery of the counted chunk did. */
  made: boolean;
  /** When the claim was made, in milliseconds since the epoch. */
  claimedAt: number;
  /** Its claimer recorded the message sent. */
  sent: boolean;
}

/**
 * The key of one sample of one item in maps of a chunk's results: repeats are at most MAX_REPEATS (20), so
 * 32 samples per position never collide, and an unrepeated item's key is its position × 32.
 */
export function sampleKey(position: number, repeat = 0): number {
  return position * 32 + repeat;
}

/** What one chunk adds to its evaluation's counters. */
export interface ChunkTally {
  outcome: 'done' | 'cancelled' | 'dead_lettered';
  completed_items: number;
  failed_items: number;
  models: Record<string, { scored: number; failed: number }>;
  /** Answers of the chunk taken from the response cache, and what they would have cost. */
  cache_hits: number;
  cache_saved_usd: number;
  /** Samples the chunk had beyond (or short of) items × the evaluation's repeats: items with their own `metadata.repeats`. */
  sample_adjustment?: number;
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
  create(evaluation: Evaluation, idempotency?: IdempotentCreate, options?: CreateOptions): Promise<CreateOutcome>;
  /** The remembered create of an `Idempotency-Key`, if any: a retry answers it even where a quota now refuses. */
  previousCreate(tenantId: string, key: string): Promise<IdempotentCreate | undefined>;
  /** Whether an evaluation of the benchmark is pending or running. */
  hasActiveEvaluation(tenantId: string, benchmarkId: string): Promise<boolean>;
  get(tenantId: string, evaluationId: string): Promise<Evaluation | undefined>;
  /** As `get`, but reads every write that finished before it. */
  getConsistent(tenantId: string, evaluationId: string): Promise<Evaluation | undefined>;
  list(tenantId: string, page: { limit: number; cursor?: string; filter?: EvaluationFilter }): Promise<Page<Evaluation>>;
  /** Marks an evaluation that could not be queued as failed and forgets its idempotency record. */
  failToQueue(evaluation: Evaluation, error: EvaluationError, idempotencyKey?: string): Promise<void>;
  /**
   * pending → running with its chunk plan, `chunksSent` of them claimed for the start to send (unset:
   * all); undefined when it was not pending (a redelivered start).
   */
  markRunning(tenantId: string, evaluationId: string, plan: EvaluationPlan, chunksSent?: number): Promise<Evaluation | undefined>;
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
  /** Stored results (every sample) of the positions [first, first + count), by `sampleKey`. */
  getResults(tenantId: string, evaluationId: string, first: number, count: number): Promise<Map<number, ItemResult>>;
  /**
   * Takes the lease on its chunk for `ttlMs` unless the chunk is counted or another delivery holds an
   * unexpired lease on it.
   */
  claimChunk(tenantId: string, evaluationId: string, lease: ChunkLease, ttlMs: number): Promise<ChunkClaim>;
  /** Extends a held lease by `ttlMs` from now; false when it is no longer held. */
  renewChunkLease(tenantId: string, evaluationId: string, lease: ChunkLease, ttlMs: number): Promise<boolean>;
  /** Gives a held lease up, so a redelivery need not wait for it to expire; nothing when it is not held. */
  releaseChunkLease(tenantId: string, evaluationId: string, lease: ChunkLease): Promise<void>;
  /**
   * Writes per-item results of the lease's chunk, each only while the lease is held (so never once the
   * chunk is counted); rewriting one (a resumed chunk) replaces it. Throws ChunkLeaseLostError otherwise.
   */
  putResults(tenantId: string, evaluationId: string, lease: ChunkLease, results: readonly ItemResult[]): Promise<void>;
  /** Every stored result, page by page, in item order, reading every write that finished before. */
  allResults(tenantId: string, evaluationId: string): AsyncGenerator<ItemResult[]>;
  /**
   * Every stored result like `allResults`, but only the fields the statistics read (see score-rows.ts)
   * of the answers, judgements and pairwise verdicts `shape` names: what finalize streams.
   */
  allScores(tenantId: string, evaluationId: string, shape: ScoreRowShape): AsyncGenerator<ScoreRow[]>;
  listResults(tenantId: string, evaluationId: string, page: ResultsPageRequest): Promise<Page<ItemResult>>;
  /** A `listResults` cursor that continues right after the result (sample `repeat`, default 0) at `position`. */
  resultCursorAfter(tenantId: string, evaluationId: string, position: number, repeat?: number): string;
  /**
   * Counts the lease's chunk exactly once and ends the lease; false when the chunk was already counted.
   * Throws ChunkLeaseLostError when the lease is no longer held and the chunk is not counted.
   */
  recordChunk(tenantId: string, evaluationId: string, lease: ChunkLease, tally: ChunkTally): Promise<boolean>;
  /** Chunks already counted. */
  doneChunks(tenantId: string, evaluationId: string): Promise<Set<number>>;
  /**
   * Claims the next unsent chunk of a running evaluation while its window has room (fewer than the plan's
   * `chunk_window` claimed and not counted), for the caller to send; undefined when there is nothing to
   * claim (window full, plan exhausted, evaluation not running, or started before the window). With
   * `after`, a counted chunk, the claim is that chunk's own: made at most once, and answered again, with
   * `made: false`, on every later call with the same `after`.
   */
  claimNextChunk(tenantId: string, evaluationId: string, after?: number): Promise<WindowClaim | undefined>;
  /** Records that the chunk `after` claimed was sent, so its later deliveries do not send it again. */
  markClaimSent(tenantId: string, evaluationId: string, after: number): Promise<void>;
  /** Unfinished evaluations whose last progress is older than `before`, oldest first, across tenants. */
  listStalled(before: string, limit: number): Promise<Evaluation[]>;
  /** Counts a re-drive and restarts the stall clock; false when the evaluation finished meanwhile. */
  recordRedrive(tenantId: string, evaluationId: string): Promise<boolean>;
  recordDeadLetter(entry: DeadLetterLogEntry): Promise<void>;
  /** Counts a resume (lost messages sent again after a restart) and restarts the stall clock, without counting a re-drive. */
  recordResume(tenantId: string, evaluationId: string, reason: string): Promise<boolean>;
  /** Unfinished evaluations with progress at or after `since`, latest first, across tenants. */
  listRecentlyActive(since: string, limit: number): Promise<Evaluation[]>;
  /** The evaluation's leases that expired before their chunk was counted and were not re-sent since. */
  listExpiredLeases(tenantId: string, evaluationId: string, now: number): Promise<ExpiredLease[]>;
  /** Marks an expired lease as re-sent; false when it changed meanwhile (claimed again, counted, re-sent). */
  markLeaseResent(tenantId: string, evaluationId: string, lease: ExpiredLease, now: number): Promise<boolean>;
}
