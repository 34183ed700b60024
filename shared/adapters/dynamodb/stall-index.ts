import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import { isoNow } from '../../platform/time.js';
import { updateIf } from './conditional-writes.js';
import type { Condition } from './conditions.js';
import { toEvaluation } from './evaluation-records.js';
import { evaluationKeys } from './keys.js';
import { queryPage } from './queries.js';
import type { Table } from './table.js';

/**
 * Still in the reconciler's stall index, which only unfinished evaluations are in: a finished
 * evaluation gets no re-drive counted and no progress time, so it never reappears in the index.
 */
const inStallIndex: Condition = { expression: 'attribute_exists(gsi3pk)' };

/** Unfinished evaluations whose last progress is older than `before`, oldest first, across tenants. */
export async function listStalled(table: Table, before: string, limit: number): Promise<Evaluation[]> {
  const result = await queryPage(table.client, {
    TableName: table.tableName,
    IndexName: 'gsi3',
    KeyConditionExpression: 'gsi3pk = :active AND gsi3sk < :before',
    ExpressionAttributeValues: { ':active': evaluationKeys.activePartition, ':before': before },
    Limit: limit,
  });
  return result.items.map(toEvaluation);
}

/** Counts a re-drive and restarts the stall clock; false when the evaluation finished meanwhile. */
export async function recordRedrive(table: Table, tenantId: string, evaluationId: string): Promise<boolean> {
  const now = isoNow();
  const applied = await updateIf(
    table.client,
    {
      TableName: table.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      UpdateExpression: 'SET redrives = if_not_exists(redrives, :zero) + :one, updated_at = :now, gsi3sk = :now',
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':now': now },
    },
    inStallIndex,
  );
  return applied !== undefined;
}

/** Moves an unfinished evaluation's place in the stall index to its latest progress. */
export async function touchActive(table: Table, tenantId: string, evaluationId: string, now: string): Promise<void> {
  await updateIf(
    table.client,
    {
      TableName: table.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      UpdateExpression: 'SET gsi3sk = :now',
      ExpressionAttributeValues: { ':now': now },
    },
    inStallIndex,
  );
}

/** Unfinished evaluations that made progress at or after `since`, latest first, across tenants. */
export async function listRecentlyActive(table: Table, since: string, limit: number): Promise<Evaluation[]> {
  const result = await queryPage(table.client, {
    TableName: table.tableName,
    IndexName: 'gsi3',
    KeyConditionExpression: 'gsi3pk = :active AND gsi3sk >= :since',
    ExpressionAttributeValues: { ':active': evaluationKeys.activePartition, ':since': since },
    ScanIndexForward: false,
    Limit: limit,
  });
  return result.items.map(toEvaluation);
}

/**
 * Records that an unfinished evaluation was resumed (its lost messages sent again after a restart) and
 * restarts the stall clock, without counting a re-drive: a restart is not the evaluation's fault, so it
 * must not bring it closer to failing as `stalled`. False when the evaluation finished meanwhile.
 */
export async function recordResume(table: Table, tenantId: string, evaluationId: string, reason: string): Promise<boolean> {
  const now = isoNow();
  const applied = await updateIf(
    table.client,
    {
      TableName: table.tableName,
      Key: evaluationKeys.record(tenantId, evaluationId),
      UpdateExpression:
        'SET resumes = if_not_exists(resumes, :zero) + :one, resumed_at = :now, resume_reason = :reason, updated_at = :now, gsi3sk = :now',
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':now': now, ':reason': reason },
    },
    inStallIndex,
  );
  return applied !== undefined;
}
