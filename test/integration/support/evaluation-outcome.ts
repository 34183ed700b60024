/**
 * The final counts of an evaluation as stored, read straight from DynamoDB with a clean client, in a form
 * two runs can be compared by: what must not differ between an undisturbed run and one that met faults.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { evaluationKeys } from '#shared/adapters/dynamodb/keys.js';

export interface EvaluationOutcome {
  status: string;
  chunks_done: number;
  progress: { total_items: number; completed_items: number; failed_items: number };
  model_progress: Record<string, { scored: number; failed: number }>;
  /** Per model: completed and failed items, and each metric's mean, n and exclusions. */
  models: Record<
    string,
    { completed_items: number; failed_items: number; metrics: Record<string, { mean: number | null; n: number; n_excluded: number }> }
  >;
  /** Chunk markers: one per chunk, with what it counted. */
  chunks: { chunk: number; completed_items: number; failed_items: number }[];
  /** Per item and model: status, output, scores and error code (latency and attempts vary run to run). */
  rows: {
    position: number;
    item_id: string;
    outputs: Record<string, { status: string; output?: string; scores: Record<string, unknown>; error_code?: string }>;
  }[];
}

export async function evaluationOutcome(
  documents: DynamoDBDocumentClient,
  env: Record<string, string>,
  evaluationId: string,
  tenantId = 'dev',
): Promise<EvaluationOutcome> {
  const tableName = env[tableDefinitions.evaluations.envVar];
  const pk = evaluationKeys.partition(tenantId, evaluationId);
  const { Item: record } = await documents.send(
    new GetCommand({ TableName: tableName, Key: evaluationKeys.record(tenantId, evaluationId), ConsistentRead: true }),
  );
  if (!record) throw new Error(`no evaluation ${evaluationId}`);
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  const models = Object.fromEntries(
    ((record.results?.models ?? []) as any[]).map((model) => [
      model.model_id,
      {
        completed_items: model.completed_items,
        failed_items: model.failed_items,
        metrics: Object.fromEntries(
          Object.entries(model.metrics as Record<string, any>).map(([name, metric]) => [
            name,
            { mean: metric.mean, n: metric.n, n_excluded: metric.n_excluded },
          ]),
        ),
      },
    ]),
  );
  const chunks = items
    .filter((item) => String(item.sk).startsWith(evaluationKeys.chunkPrefix))
    .map((item) => ({ chunk: item.chunk as number, completed_items: item.completed_items as number, failed_items: item.failed_items as number }));
  const rows = items
    .filter((item) => String(item.sk).startsWith(evaluationKeys.resultPrefix))
    .map((item) => ({
      position: item.position as number,
      item_id: item.item_id as string,
      outputs: Object.fromEntries(
        Object.entries(item.outputs as Record<string, any>).map(([modelId, output]) => [
          modelId,
          { status: output.status, output: output.output, scores: output.scores, ...(output.error ? { error_code: output.error.code } : {}) },
        ]),
      ),
    }));
  return {
    status: record.status,
    chunks_done: record.chunks_done,
    progress: {
      total_items: record.progress.total_items,
      completed_items: record.progress.completed_items,
      failed_items: record.progress.failed_items,
    },
    model_progress: record.model_progress,
    models,
    chunks,
    rows,
  };
}
