import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { evaluationKeys } from '#shared/adapters/dynamodb/keys.js';
import type { ItemResult } from '#shared/contracts/evaluations/result-types.js';

/** DynamoDB's most items per BatchWriteItem. */
const BATCH = 25;

/**
 * Stores result rows as the evaluator does (the row under its result key), without chunk leases: for
 * benchmarks and tests of the read side, which need many rows fast. `parallel` batches are in flight.
 */
export async function writeResultRows(
  client: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
  evaluationId: string,
  rows: readonly ItemResult[],
  parallel = 8,
): Promise<void> {
  const batches: ItemResult[][] = [];
  for (let first = 0; first < rows.length; first += BATCH) batches.push(rows.slice(first, first + BATCH));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      let requests = batch.map((row) => ({ PutRequest: { Item: { ...evaluationKeys.result(tenantId, evaluationId, row.position), ...row } } }));
      // DynamoDB may leave part of a batch unwritten under load; those are sent again until none is left.
      while (requests.length > 0) {
        const answer = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (answer.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}
