import { SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { reconcile } from '#shared/domain/evaluator/reconcile.js';
import { scorerFor } from '#shared/domain/evaluator/metric-scorer.js';
import { queueDefinitions, tableDefinitions } from '#shared/contracts/resources.js';
import { SqsWorkQueue } from '#shared/adapters/sqs/work-queue.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { evaluationKeys } from '#shared/adapters/dynamodb/keys.js';
import { localDocumentClient } from '../../local/seed.js';
import { pollUntil } from '../../local/poll.js';
import { api, startTestStack, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let sqs: SQSClient;
let deps: Parameters<typeof reconcile>[0];

beforeAll(async () => {
  stack = await startTestStack();
  client = api(stack);
  documents = localDocumentClient(stack.env);
  sqs = new SQSClient({
    endpoint: stack.env.AWS_ENDPOINT_URL_SQS,
    region: stack.env.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  deps = {
    evaluations: new DynamoDbEvaluationStore({
      client: documents,
      tableName: stack.env[tableDefinitions.evaluations.envVar],
      benchmarksTableName: stack.env[tableDefinitions.benchmarks.envVar],
    }),
    benchmarks: new DynamoDbBenchmarkStore({ client: documents, tableName: stack.env[tableDefinitions.benchmarks.envVar] }),
    queue: new SqsWorkQueue({ client: sqs, queueUrl: stack.env[queueDefinitions.work.envVar] }),
    scorerFor,
  };
});

afterAll(async () => {
  sqs?.destroy();
  documents?.destroy();
  await stack?.stop();
});

const key = (id: string) => evaluationKeys.record('dev', id);

/**
 * Makes a finished evaluation look like one whose chunk messages were lost: running, no chunk counted
 * (markers deleted), and no progress for a long time. Its stored item results stay, as they would.
 */
async function simulateLostWork(id: string, redrives = 0) {
  const markers = await documents.send(
    new QueryCommand({
      TableName: stack.env[tableDefinitions.evaluations.envVar],
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :chunk)',
      ExpressionAttributeValues: { ':pk': key(id).pk, ':chunk': evaluationKeys.chunkPrefix },
    }),
  );
  for (const marker of markers.Items ?? []) {
    await documents.send(new DeleteCommand({ TableName: stack.env[tableDefinitions.evaluations.envVar], Key: { pk: marker.pk, sk: marker.sk } }));
  }
  await documents.send(
    new UpdateCommand({
      TableName: stack.env[tableDefinitions.evaluations.envVar],
      Key: key(id),
      UpdateExpression: 'SET #status = :running, chunks_done = :zero, gsi3pk = :active, gsi3sk = :old, redrives = :redrives REMOVE results',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':running': 'running',
        ':zero': 0,
        ':active': evaluationKeys.activePartition,
        ':old': '2000-01-01T00:00:00Z',
        ':redrives': redrives,
      },
    }),
  );
}

async function finished(id: string) {
  const evaluation = (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
  return evaluation.results ? evaluation : undefined;
}

describe('the reconciler', () => {
  it('re-drives a stalled evaluation until it finishes', async () => {
    const created = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'baseline:reference', benchmark_id: 'task-sample-arithmetic' },
    });
    const id = created.json.evaluation_id as string;
    await pollUntil(() => finished(id), { timeoutMs: 30_000, description: 'the first run' });
    await simulateLostWork(id);

    const outcome = await reconcile(deps, { stallAfterMs: 60_000, maxRedrives: 3 });
    expect(outcome.redriven).toBeGreaterThanOrEqual(1);

    const evaluation = await pollUntil(() => finished(id), { timeoutMs: 30_000, description: 'the re-driven evaluation to finish' });
    expect(evaluation.status).toBe('completed');
    expect(evaluation.results.models[0].completed_items).toBe(30);
  });

  it('fails an evaluation that stalled past the re-drive limit, with the reason', async () => {
    const created = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'baseline:reference', benchmark_id: 'task-sample-capitals' },
    });
    const id = created.json.evaluation_id as string;
    await pollUntil(() => finished(id), { timeoutMs: 30_000, description: 'the first run' });
    await simulateLostWork(id, 3);

    const outcome = await reconcile(deps, { stallAfterMs: 60_000, maxRedrives: 3 });
    expect(outcome.failed).toBeGreaterThanOrEqual(1);
    const status = (await client.request('GET', `/api/v3/evaluations/${id}/status`)).json;
    expect(status.status).toBe('failed');
    expect(status.error.code).toBe('stalled');
  });

  it('leaves evaluations that are making progress alone', async () => {
    const outcome = await reconcile(deps, { stallAfterMs: 3_600_000, maxRedrives: 3 });
    expect(outcome).toEqual({ redriven: 0, failed: 0 });
  });
});
