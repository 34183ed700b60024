import type { EvaluationResults } from '../../contracts/evaluations/result-types.js';
import type { Evaluation, EvaluationError, EvaluationPlan } from '../../contracts/evaluations/schemas.js';
import type { EvaluationStatus } from '../../contracts/evaluations/status.js';
import { isoNow } from '../../platform/time.js';
import { updateIf } from './conditional-writes.js';
import { allOf, type Condition } from './conditions.js';
import { getEvaluation, toEvaluation } from './evaluation-records.js';
import { idempotencyDelete } from './idempotency-records.js';
import { evaluationKeys } from './keys.js';
import type { Table } from './table.js';
import { finalWrites } from './tenant-usage-records.js';
import { webhookOutboxWrite } from './webhook-store.js';

/** The usage rows of a final state, and its webhook announcement, in the transaction that writes it. */
function finalStateWrites(table: Table, tenantId: string, evaluationId: string, final: Parameters<typeof finalWrites>[3]) {
  return [...finalWrites(table, tenantId, evaluationId, final), ...webhookOutboxWrite(table.tableName, tenantId, evaluationId, final)];
}

const status = { '#status': 'status' };

/**
 * Still pending. A redelivered start message finds the evaluation running and plans nothing twice; a
 * create whose message could not be queued fails only a record that nobody has started since.
 */
const isPending: Condition = { expression: '#status = :pending', names: status, values: { ':pending': 'pending' } };

/**
 * Not finished yet. A cancel, a stall verdict or a failed start that comes after the finalizer wrote
 * leaves the final state and its results as they are.
 */
const isUnfinished: Condition = {
  expression: '#status IN (:pending, :running)',
  names: status,
  values: { ':pending': 'pending', ':running': 'running' },
};

/** Still in the status the finalizer read: of two finalizers racing (a duplicated last chunk), one writes. */
const isStill = (from: EvaluationStatus): Condition => ({ expression: '#status = :from', names: status, values: { ':from': from } });

/** No results yet: whichever finalizer writes them, they are written once. */
const hasNoResults: Condition = { expression: 'attribute_not_exists(results)' };

/**
 * pending → running with its chunk plan and the first `chunksSent` chunks claimed (the start sends them);
 * undefined when it was not pending (a redelivered start).
 */
export async function markRunning(
  table: Table,
  tenantId: string,
  evaluationId: string,
  plan: EvaluationPlan,
  chunksSent = plan.chunk_count,
): Promise<Evaluation | undefined> {
  const now = isoNow();
  const applied = await updateIf(
    table.client,
    {
      TableName: table.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      UpdateExpression:
        'SET #status = :running, #plan = :plan, chunks_done = :zero, chunks_sent = :sent, started_at = :now, updated_at = :now, gsi3sk = :now',
      ExpressionAttributeNames: { '#status': 'status', '#plan': 'plan' },
      ExpressionAttributeValues: { ':running': 'running', ':plan': plan, ':zero': 0, ':sent': chunksSent, ':now': now },
      ReturnValues: 'ALL_NEW',
    },
    isPending,
  );
  return applied && toEvaluation(applied);
}

/** The one transition to a final state with results; false when another finalizer wrote first. */
export async function finish(
  table: Table,
  tenantId: string,
  evaluationId: string,
  from: EvaluationStatus,
  to: EvaluationStatus,
  results: EvaluationResults,
  error?: EvaluationError,
): Promise<boolean> {
  const now = isoNow();
  const applied = await updateIf(
    table.client,
    {
      TableName: table.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      UpdateExpression: `SET #status = :to, results = :results, updated_at = :now, completed_at = :now${error ? ', #error = :error' : ''} REMOVE gsi3pk, gsi3sk`,
      ExpressionAttributeNames: { '#status': 'status', ...(error ? { '#error': 'error' } : {}) },
      ExpressionAttributeValues: { ':to': to, ':results': results, ':now': now, ...(error ? { ':error': error } : {}) },
    },
    allOf(isStill(from), hasNoResults),
    finalStateWrites(table, tenantId, evaluationId, { status: to, firstFinal: from === 'pending' || from === 'running', results, at: now }),
  );
  return applied !== undefined;
}

/** Fails an unfinished evaluation with its reason; false when it had already finished. */
export async function fail(table: Table, tenantId: string, evaluationId: string, error: EvaluationError): Promise<boolean> {
  const now = isoNow();
  const applied = await updateIf(
    table.client,
    {
      TableName: table.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      UpdateExpression: 'SET #status = :failed, #error = :error, updated_at = :now, completed_at = :now REMOVE gsi3pk, gsi3sk',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: { ':failed': 'failed', ':error': error, ':now': now },
    },
    isUnfinished,
    finalStateWrites(table, tenantId, evaluationId, { status: 'failed', firstFinal: true, at: now }),
  );
  return applied !== undefined;
}

/** pending/running → cancelled; the record as it now is, or undefined when it had already finished. */
export async function cancel(table: Table, tenantId: string, evaluationId: string): Promise<Evaluation | undefined> {
  const now = isoNow();
  const applied = await updateIf(
    table.client,
    {
      TableName: table.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      UpdateExpression: 'SET #status = :cancelled, cancelled_at = :now, updated_at = :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':cancelled': 'cancelled', ':now': now },
    },
    isUnfinished,
    finalStateWrites(table, tenantId, evaluationId, { status: 'cancelled', firstFinal: true, at: now }),
  );
  // A transaction returns no attributes: the record is read back, consistently, as it now is.
  return applied && getEvaluation(table, tenantId, evaluationId, { consistent: true });
}

/**
 * pending → failed for an evaluation whose start message could not be queued, and forgets its
 * idempotency record in the same transaction, so that a retry of the request creates it afresh. An
 * evaluation no longer pending was started after all: it and its idempotency record stay as they are,
 * and the create fails as an internal error rather than claiming that nothing ran.
 */
export async function failToQueue(table: Table, evaluation: Evaluation, error: EvaluationError, idempotencyKey?: string): Promise<void> {
  const now = isoNow();
  const applied = await updateIf(
    table.client,
    {
      TableName: table.tableName,
      Key: evaluationKeys.record(evaluation.tenant_id, evaluation.evaluation_id),
      UpdateExpression: 'SET #status = :failed, #error = :error, updated_at = :now, completed_at = :now REMOVE gsi3pk, gsi3sk',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: { ':failed': 'failed', ':error': error, ':now': now },
    },
    isPending,
    [
      ...(idempotencyKey ? [idempotencyDelete(table, evaluation.tenant_id, idempotencyKey)] : []),
      ...finalStateWrites(table, evaluation.tenant_id, evaluation.evaluation_id, { status: 'failed', firstFinal: true, at: now }),
    ],
  );
  if (!applied) throw new Error(`Evaluation ${evaluation.evaluation_id} is no longer pending, so it was not marked failed`);
}
