import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  type PutCommandInput,
  type TransactWriteCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { withCondition, type Condition } from './conditions.js';
import { failedCondition, retryConflicts } from './writes.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Runs a conditional write, where a condition that does not hold is an answer rather than an error:
 * undefined then, and nothing was written. A write that met a transaction in progress wrote nothing
 * either, so it is run again.
 */
async function unlessConditionFails<T>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await retryConflicts(write);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || failedCondition(error, 0)) return undefined;
    throw error;
  }
}

/**
 * The one conditional transition of a stored record: the update applies only if `when` holds. Answers
 * the item's new attributes (`{}` without ReturnValues), or undefined when `when` did not hold.
 * `alongside` writes commit in the same transaction, all or nothing; they carry no conditions of their
 * own, and ReturnValues does not apply to such a transaction.
 */
export async function updateIf(
  client: DynamoDBDocumentClient,
  update: Omit<UpdateCommandInput, 'ConditionExpression'> & { UpdateExpression: string },
  when: Condition,
  alongside: readonly TransactItem[] = [],
): Promise<Record<string, unknown> | undefined> {
  const input = withCondition(update, when);
  if (alongside.length === 0) {
    const output = await unlessConditionFails(() => client.send(new UpdateCommand(input)));
    return output && (output.Attributes ?? {});
  }
  const { ReturnValues: _notInTransactions, ...transactional } = input;
  const output = await unlessConditionFails(() =>
    client.send(new TransactWriteCommand({ TransactItems: [{ Update: transactional }, ...alongside] })),
  );
  return output && {};
}

/** Writes the item only if `when` holds; false when it did not. */
export async function putIf(client: DynamoDBDocumentClient, input: Omit<PutCommandInput, 'ConditionExpression'>, when: Condition): Promise<boolean> {
  const output = await unlessConditionFails(() => client.send(new PutCommand(withCondition(input, when))));
  return output !== undefined;
}

/** Deletes the item only if `when` holds; false when it did not. */
export async function deleteIf(
  client: DynamoDBDocumentClient,
  input: Omit<DeleteCommandInput, 'ConditionExpression'>,
  when: Condition,
): Promise<boolean> {
  const output = await unlessConditionFails(() => client.send(new DeleteCommand(withCondition(input, when))));
  return output !== undefined;
}
