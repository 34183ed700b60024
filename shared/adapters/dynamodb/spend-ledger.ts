import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableDefinitions } from '../../contracts/resources.js';
import type { BudgetAccount, SpendLedger, SpendState } from '../../domain/ports/spend-ledger.js';
import { tableName } from '../../platform/config.js';
import { isoNow } from '../../platform/time.js';
import { documentClient } from '../aws-clients.js';
import { updateIf } from './conditional-writes.js';
import { evaluationKeys } from './keys.js';
import type { Table } from './table.js';
import { retryConflicts } from './writes.js';

/**
 * The spend ledger: one row per budgeted evaluation (`BUDGET` in the evaluation's partition) holding
 * `remaining_nano`, the budget less settled spend and open reservations.
 *
 * A condition cannot compare `remaining_nano` with the sum of two attributes, nor "decrement unless it
 * would go negative and otherwise mark the ledger exhausted" in one write. So a reservation first
 * subtracts its amount unless the ledger is exhausted, and reads the result: at zero or above it holds;
 * below zero the same reservation gives its amount back and marks the ledger exhausted in one more write.
 * Between those two writes `remaining_nano` is short by the refused amount, so any reservation racing it
 * is refused as well (it finds too little, or the mark): no reservation succeeds after one was refused,
 * on any evaluator instance, and none ever drives the counter below zero for good.
 */
export class DynamoDbSpendLedger implements SpendLedger {
  private readonly table: Table;

  constructor(options: { client?: DynamoDBDocumentClient; tableName?: string } = {}) {
    this.table = { client: options.client ?? documentClient, tableName: options.tableName ?? tableName(tableDefinitions.evaluations.envVar) };
  }

  async reserve(account: BudgetAccount, amountNano: number): Promise<boolean> {
    const key = evaluationKeys.budget(account.tenantId, account.evaluationId);
    const taken = await updateIf(
      this.table.client,
      {
        TableName: this.table.tableName,
        Key: key,
        // The first reservation opens the ledger with the evaluation's budget.
        UpdateExpression:
          'SET remaining_nano = if_not_exists(remaining_nano, :budget) - :amount, budget_nano = if_not_exists(budget_nano, :budget) ADD reserved_nano :amount, reserve_count :one',
        ExpressionAttributeValues: { ':budget': account.budgetNano, ':amount': amountNano, ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      },
      // Exhausted is for good: a small reservation must not slip in after a large one was refused.
      { expression: 'attribute_not_exists(exhausted_at)' },
    );
    if (taken === undefined) return false;
    if ((taken.remaining_nano as number) >= 0) return true;
    await retryConflicts(() =>
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: key,
          UpdateExpression:
            'SET exhausted_at = if_not_exists(exhausted_at, :now) ADD remaining_nano :amount, reserved_nano :minus, refused_count :one',
          ExpressionAttributeValues: { ':now': isoNow(), ':amount': amountNano, ':minus': -amountNano, ':one': 1 },
        }),
      ),
    );
    return false;
  }

  async settle(account: BudgetAccount, reservedNano: number, spentNano: number): Promise<void> {
    // Unconditional: a call that ended is charged even after the budget was exhausted. A provider that
    // reported more than was reserved makes `remaining_nano` go below zero, which the refusal handles.
    await retryConflicts(() =>
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: evaluationKeys.budget(account.tenantId, account.evaluationId),
          UpdateExpression: 'ADD remaining_nano :unused, reserved_nano :minus, spent_nano :spent, settle_count :one',
          ExpressionAttributeValues: { ':unused': reservedNano - spentNano, ':minus': -reservedNano, ':spent': spentNano, ':one': 1 },
        }),
      ),
    );
  }

  async read(tenantId: string, evaluationId: string): Promise<SpendState | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: evaluationKeys.budget(tenantId, evaluationId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      budgetNano: Number(Item.budget_nano ?? 0),
      remainingNano: Number(Item.remaining_nano ?? 0),
      reservedNano: Number(Item.reserved_nano ?? 0),
      spentNano: Number(Item.spent_nano ?? 0),
      exhausted: Item.exhausted_at !== undefined,
    };
  }
}
