import { DeleteCommand, GetCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { EvaluationResults } from '../../contracts/evaluations/result-types.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { EvaluationStatus } from '../../contracts/evaluations/status.js';
import type { ActiveSnapshot, TenantUsageStore, UsageLine, UsageTotals } from '../../domain/ports/tenant-usage.js';
import { monthOf } from '../../domain/tenants/calendar.js';
import { usageLineFrom } from '../../domain/tenants/usage-line.js';
import { withCondition, type Condition } from './conditions.js';
import { tenantUsageKeys } from './keys.js';
import { queryAll } from './queries.js';
import type { Table } from './table.js';

/**
 * The rows the tenant quotas count, written inside the transactions that move an evaluation (create,
 * and each way it reaches a final state), so a count can only be off when a transaction did not commit,
 * which changed nothing else either:
 * - an active marker per pending or running evaluation (`TENANT#t#ACTIVE-EVALS`, `EVAL#<id>`), put at
 *   create and deleted by every transition to a final state; a delete of a marker that is gone is a no-op,
 *   so a transition repeated or racing another deletes nothing twice;
 * - per month (`TENANT#t#USAGE#YYYY-MM`): a `CREATED#<id>` row per evaluation created, a line per
 *   evaluation that finished (`EVAL#<id>`: its final status, and its spend and tokens by model and judge
 *   when it finished with results), and a `TOTALS` row whose `spend_usd` the monthly-spend quota reads
 *   with one GetItem.
 * Rows per evaluation rather than shared counters: concurrent creates of a tenant would all conflict on one.
 */

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Another create under the quota committed since this one counted: it must count again. */
const guardStill = (version: number): Condition =>
  version === 0
    ? { expression: 'attribute_not_exists(#version)', names: { '#version': 'version' } }
    : { expression: '#version = :seen', names: { '#version': 'version' }, values: { ':seen': version } };

/** What a create adds to its transaction: the marker, the month's created row, and the guard when counted. */
export function createWrites(table: Table, evaluation: Evaluation, activeGuardVersion?: number): TransactItem[] {
  const { tenant_id: tenantId, evaluation_id: evaluationId } = evaluation;
  const month = monthOf(new Date(evaluation.created_at));
  const writes: TransactItem[] = [
    { Put: { TableName: table.tableName, Item: { ...tenantUsageKeys.activeMarker(tenantId, evaluationId), evaluation_id: evaluationId } } },
    {
      Put: {
        TableName: table.tableName,
        Item: { pk: tenantUsageKeys.usagePartition(tenantId, month), sk: `CREATED#${evaluationId}`, evaluation_id: evaluationId },
      },
    },
  ];
  if (activeGuardVersion !== undefined) {
    writes.push({
      Update: withCondition(
        {
          TableName: table.tableName,
          Key: tenantUsageKeys.activeGuard(tenantId),
          UpdateExpression: 'SET #version = :next',
          ExpressionAttributeValues: { ':next': activeGuardVersion + 1 },
        },
        guardStill(activeGuardVersion),
      ),
    });
  }
  return writes;
}

/**
 * What a transition to a final state adds to its transaction. `firstFinal`: the evaluation was pending or
 * running (the status is counted once; a finish after a cancel only adds the results' spend).
 */
export function finalWrites(
  table: Table,
  tenantId: string,
  evaluationId: string,
  final: { status: EvaluationStatus; firstFinal: boolean; results?: EvaluationResults; at: string },
): TransactItem[] {
  const month = monthOf(new Date(final.at));
  const writes: TransactItem[] = [{ Delete: { TableName: table.tableName, Key: tenantUsageKeys.activeMarker(tenantId, evaluationId) } }];
  const sets: string[] = ['evaluation_id = :id'];
  const values: Record<string, unknown> = { ':id': evaluationId };
  if (final.firstFinal) {
    sets.push('final_status = :status');
    values[':status'] = final.status;
  }
  const line = final.results ? usageLineFrom(evaluationId, final.results) : undefined;
  if (line) {
    sets.push('cost_usd = :cost', 'models = :models', 'judges = :judges');
    Object.assign(values, { ':cost': line.cost_usd, ':models': line.models, ':judges': line.judges });
  }
  if (final.firstFinal || line) {
    writes.push({
      Update: {
        TableName: table.tableName,
        Key: tenantUsageKeys.line(tenantId, month, evaluationId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeValues: values,
      },
    });
  }
  // Results are written once (the finish is conditional on there being none), so this adds once.
  if (line && line.cost_usd > 0) {
    writes.push({
      Update: {
        TableName: table.tableName,
        Key: tenantUsageKeys.totals(tenantId, month),
        UpdateExpression: 'ADD spend_usd :cost',
        ExpressionAttributeValues: { ':cost': line.cost_usd },
      },
    });
  }
  return writes;
}

const number = (value: unknown) => (typeof value === 'number' ? value : 0);

export class DynamoDbTenantUsageStore implements TenantUsageStore {
  constructor(private readonly table: Table) {}

  async activeSnapshot(tenantId: string): Promise<ActiveSnapshot> {
    const rows = await queryAll(this.table.client, {
      TableName: this.table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantUsageKeys.activePartition(tenantId) },
      ConsistentRead: true,
    });
    const guard = rows.find((row) => row.sk === tenantUsageKeys.activeGuard(tenantId).sk);
    return {
      evaluationIds: rows.filter((row) => String(row.sk).startsWith(tenantUsageKeys.activeMarkerPrefix)).map((row) => String(row.evaluation_id)),
      guardVersion: number(guard?.version),
    };
  }

  async releaseActive(tenantId: string, evaluationId: string): Promise<void> {
    await this.table.client.send(new DeleteCommand({ TableName: this.table.tableName, Key: tenantUsageKeys.activeMarker(tenantId, evaluationId) }));
  }

  async monthTotals(tenantId: string, month: string): Promise<UsageTotals> {
    const rows = await queryAll(this.table.client, {
      TableName: this.table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantUsageKeys.usagePartition(tenantId, month) },
      ProjectionExpression: 'sk, final_status, spend_usd',
    });
    const totals: UsageTotals = { created: 0, completed: 0, failed: 0, cancelled: 0, spend_usd: 0 };
    for (const row of rows) {
      if (String(row.sk).startsWith('CREATED#')) totals.created += 1;
      else if (row.sk === 'TOTALS') totals.spend_usd = number(row.spend_usd);
      else if (row.final_status === 'completed' || row.final_status === 'failed' || row.final_status === 'cancelled') totals[row.final_status] += 1;
    }
    return totals;
  }

  /** This month's recorded spend alone: one read, for the quota check of every create. */
  async monthSpend(tenantId: string, month: string): Promise<number> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: tenantUsageKeys.totals(tenantId, month), ProjectionExpression: 'spend_usd' }),
    );
    return number(Item?.spend_usd);
  }

  async monthLines(tenantId: string, month: string): Promise<UsageLine[]> {
    const rows = await queryAll(this.table.client, {
      TableName: this.table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :line)',
      ExpressionAttributeValues: { ':pk': tenantUsageKeys.usagePartition(tenantId, month), ':line': tenantUsageKeys.linePrefix },
    });
    return rows
      .filter((row) => row.models !== undefined)
      .map((row) => ({
        evaluation_id: String(row.evaluation_id),
        cost_usd: number(row.cost_usd),
        models: (row.models ?? {}) as UsageLine['models'],
        judges: (row.judges ?? {}) as UsageLine['judges'],
      }));
  }
}
