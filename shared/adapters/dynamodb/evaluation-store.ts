import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { optionalTableName, tableName } from '../../platform/config.js';
import type { EvaluationResults, ItemResult } from '../../contracts/evaluations/result-types.js';
import type { Evaluation, EvaluationError, EvaluationPlan } from '../../contracts/evaluations/schemas.js';
import type { EvaluationStatus } from '../../contracts/evaluations/status.js';
import type { Page } from '../../contracts/pagination.js';
import { tableDefinitions } from '../../contracts/resources.js';
import type {
  ChunkClaim,
  ChunkLease,
  ChunkTally,
  CreateOptions,
  CreateOutcome,
  DeadLetterLogEntry,
  EvaluationFilter,
  ExpiredLease,
  EvaluationStore,
  IdempotentCreate,
  ResultsPageRequest,
  WindowClaim,
} from '../../domain/ports/evaluation-store.js';
import { claimChunk, listExpiredLeases, markLeaseResent, releaseChunkLease, renewChunkLease } from './chunk-leases.js';
import { doneChunks, recordChunk } from './chunk-markers.js';
import { claimNextChunk, markClaimSent } from './chunk-window.js';
import { recordDeadLetter } from './dead-letter-log.js';
import { createEvaluation, getEvaluation, hasActiveEvaluation, listEvaluations } from './evaluation-records.js';
import { cancel, fail, failToQueue, finish, markRunning } from './evaluation-transitions.js';
import { allResults, allScores, getResults, listResults, putResults, resultCursorAfter } from './result-rows.js';
import type { ScoreRow, ScoreRowShape } from '../../domain/ports/score-rows.js';
import { listRecentlyActive, listStalled, recordRedrive, recordResume } from './stall-index.js';
import type { Table } from './table.js';
import { getIdempotent } from './idempotency-records.js';

/**
 * The evaluations table behind the domain's port: one module per kind of row it holds (records and
 * their transitions, idempotency records, chunk leases and markers, result rows, the stall index, dead
 * letters).
 */
export class DynamoDbEvaluationStore implements EvaluationStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  private readonly benchmarksTableName: string;
  private readonly table: Table;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string; benchmarksTableName?: string } = {}) {
    this.client = options.client ?? documentClient;
    this.tableName = options.tableName ?? tableName(tableDefinitions.evaluations.envVar);
    this.benchmarksTableName = options.benchmarksTableName ?? optionalTableName(tableDefinitions.benchmarks.envVar) ?? '';
    this.table = { client: this.client, tableName: this.tableName };
  }

  create(evaluation: Evaluation, idempotency?: IdempotentCreate, options: CreateOptions = {}): Promise<CreateOutcome> {
    return createEvaluation(this.table, this.benchmarksTableName, evaluation, idempotency, options);
  }

  previousCreate(tenantId: string, key: string): Promise<IdempotentCreate | undefined> {
    return getIdempotent(this.table, tenantId, key);
  }

  hasActiveEvaluation(tenantId: string, benchmarkId: string): Promise<boolean> {
    return hasActiveEvaluation(this.table, tenantId, benchmarkId);
  }

  get(tenantId: string, evaluationId: string): Promise<Evaluation | undefined> {
    return getEvaluation(this.table, tenantId, evaluationId);
  }

  getConsistent(tenantId: string, evaluationId: string): Promise<Evaluation | undefined> {
    return getEvaluation(this.table, tenantId, evaluationId, { consistent: true });
  }

  list(tenantId: string, page: { limit: number; cursor?: string; filter?: EvaluationFilter }): Promise<Page<Evaluation>> {
    return listEvaluations(this.table, tenantId, page);
  }

  failToQueue(evaluation: Evaluation, error: EvaluationError, idempotencyKey?: string): Promise<void> {
    return failToQueue(this.table, evaluation, error, idempotencyKey);
  }

  markRunning(tenantId: string, evaluationId: string, plan: EvaluationPlan, chunksSent?: number): Promise<Evaluation | undefined> {
    return markRunning(this.table, tenantId, evaluationId, plan, chunksSent);
  }

  finish(
    tenantId: string,
    evaluationId: string,
    from: EvaluationStatus,
    to: EvaluationStatus,
    results: EvaluationResults,
    error?: EvaluationError,
  ): Promise<boolean> {
    return finish(this.table, tenantId, evaluationId, from, to, results, error);
  }

  fail(tenantId: string, evaluationId: string, error: EvaluationError): Promise<boolean> {
    return fail(this.table, tenantId, evaluationId, error);
  }

  cancel(tenantId: string, evaluationId: string): Promise<Evaluation | undefined> {
    return cancel(this.table, tenantId, evaluationId);
  }

  getResults(tenantId: string, evaluationId: string, first: number, count: number): Promise<Map<number, ItemResult>> {
    return getResults(this.table, tenantId, evaluationId, first, count);
  }

  claimChunk(tenantId: string, evaluationId: string, lease: ChunkLease, ttlMs: number): Promise<ChunkClaim> {
    return claimChunk(this.table, tenantId, evaluationId, lease, ttlMs);
  }

  renewChunkLease(tenantId: string, evaluationId: string, lease: ChunkLease, ttlMs: number): Promise<boolean> {
    return renewChunkLease(this.table, tenantId, evaluationId, lease, ttlMs);
  }

  releaseChunkLease(tenantId: string, evaluationId: string, lease: ChunkLease): Promise<void> {
    return releaseChunkLease(this.table, tenantId, evaluationId, lease);
  }

  putResults(tenantId: string, evaluationId: string, lease: ChunkLease, results: readonly ItemResult[]): Promise<void> {
    return putResults(this.table, tenantId, evaluationId, lease, results);
  }

  allResults(tenantId: string, evaluationId: string): AsyncGenerator<ItemResult[]> {
    return allResults(this.table, tenantId, evaluationId);
  }

  allScores(tenantId: string, evaluationId: string, shape: ScoreRowShape): AsyncGenerator<ScoreRow[]> {
    return allScores(this.table, tenantId, evaluationId, shape);
  }

  listResults(tenantId: string, evaluationId: string, page: ResultsPageRequest): Promise<Page<ItemResult>> {
    return listResults(this.table, tenantId, evaluationId, page);
  }

  resultCursorAfter(tenantId: string, evaluationId: string, position: number, repeat?: number): string {
    return resultCursorAfter(tenantId, evaluationId, position, repeat);
  }

  recordChunk(tenantId: string, evaluationId: string, lease: ChunkLease, tally: ChunkTally): Promise<boolean> {
    return recordChunk(this.table, tenantId, evaluationId, lease, tally);
  }

  doneChunks(tenantId: string, evaluationId: string): Promise<Set<number>> {
    return doneChunks(this.table, tenantId, evaluationId);
  }

  claimNextChunk(tenantId: string, evaluationId: string, after?: number): Promise<WindowClaim | undefined> {
    return claimNextChunk(this.table, tenantId, evaluationId, after);
  }

  markClaimSent(tenantId: string, evaluationId: string, after: number): Promise<void> {
    return markClaimSent(this.table, tenantId, evaluationId, after);
  }

  listStalled(before: string, limit: number): Promise<Evaluation[]> {
    return listStalled(this.table, before, limit);
  }

  recordRedrive(tenantId: string, evaluationId: string): Promise<boolean> {
    return recordRedrive(this.table, tenantId, evaluationId);
  }

  recordDeadLetter(entry: DeadLetterLogEntry): Promise<void> {
    return recordDeadLetter(this.table, entry);
  }

  recordResume(tenantId: string, evaluationId: string, reason: string): Promise<boolean> {
    return recordResume(this.table, tenantId, evaluationId, reason);
  }

  listRecentlyActive(since: string, limit: number): Promise<Evaluation[]> {
    return listRecentlyActive(this.table, since, limit);
  }

  listExpiredLeases(tenantId: string, evaluationId: string, now: number): Promise<ExpiredLease[]> {
    return listExpiredLeases(this.table, tenantId, evaluationId, now);
  }

  markLeaseResent(tenantId: string, evaluationId: string, lease: ExpiredLease, now: number): Promise<boolean> {
    return markLeaseResent(this.table, tenantId, evaluationId, lease, now);
  }
}
