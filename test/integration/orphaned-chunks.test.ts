/**
 * The reconciler's re-send of chunks whose delivery died (shared/domain/evaluator/orphaned-chunks.ts),
 * against DynamoDB Local and the SQS emulator: an expired lease of an uncounted chunk is re-sent once,
 * not at every run; a live lease is left alone; an evaluation without recent progress is not looked at
 * (it is the stall re-drive's); the scan is bounded. The messages go to a queue of their own that no
 * evaluator consumes, so what was sent can be read back exactly.
 */
import { CreateQueueCommand, DeleteQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { evaluationKeys } from '#shared/adapters/dynamodb/keys.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { SqsWorkQueue } from '#shared/adapters/sqs/work-queue.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { resendOrphanedChunks } from '#shared/domain/evaluator/orphaned-chunks.js';
import { newId } from '#shared/platform/ids.js';
import { isoNow } from '#shared/platform/time.js';
import { localDocumentClient } from '../../local/seed.js';
import { startTestStack, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let documents: ReturnType<typeof localDocumentClient>;
let sqs: SQSClient;
let queueUrl: string;
let deps: Parameters<typeof resendOrphanedChunks>[0];
let tableName: string;

beforeAll(async () => {
  // The stack's own Reconciler must not run meanwhile.
  stack = await startTestStack({ env: { ARBITER_SCHEDULE_INTERVAL_SECONDS: '86400' } });
  documents = localDocumentClient(stack.env);
  tableName = stack.env[tableDefinitions.evaluations.envVar]!;
  sqs = new SQSClient({
    endpoint: stack.env.AWS_ENDPOINT_URL_SQS,
    region: stack.env.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'arbiter-test-orphans' }))).QueueUrl!;
  deps = {
    evaluations: new DynamoDbEvaluationStore({ client: documents, tableName, benchmarksTableName: stack.env[tableDefinitions.benchmarks.envVar] }),
    queue: new SqsWorkQueue({ client: sqs, queueUrl }),
  };
});

afterAll(async () => {
  if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  sqs?.destroy();
  documents?.destroy();
  await stack?.stop();
});

/** A running evaluation of 12 items in chunks of 5 (the last chunk has 2), last progress `progressAt`. */
async function runningEvaluation(progressAt: string): Promise<string> {
  const evaluationId = newId('eval');
  await documents.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...evaluationKeys.record('dev', evaluationId),
        ...evaluationKeys.active(progressAt),
        tenant_id: 'dev',
        evaluation_id: evaluationId,
        status: 'running',
        plan: { chunk_size: 5, chunk_count: 3 },
        progress: { total_items: 12, completed_items: 0, failed_items: 0 },
        model_progress: {},
        created_at: progressAt,
        updated_at: progressAt,
      },
    }),
  );
  return evaluationId;
}

async function lease(evaluationId: string, chunk: number, leaseUntil: number): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...evaluationKeys.chunkLease('dev', evaluationId, chunk), chunk, lease_token: `token-${chunk}`, lease_until: leaseUntil, claims: 1 },
    }),
  );
}

/** Every message sent to the test queue since the last call. */
async function sent(): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 3600 }),
    );
    if (!Messages?.length) return bodies;
    bodies.push(...Messages.map((message) => JSON.parse(message.Body!)));
  }
}

it('re-sends an uncounted chunk whose lease ran out, once per expiry, and leaves live leases and quiet evaluations alone', async () => {
  const now = Date.now();
  const recent = await runningEvaluation(isoNow(new Date(now - 60_000)));
  await lease(recent, 2, now - 10_000); // its holder died 10 s ago
  await lease(recent, 0, now + 20_000); // alive: renewed a moment ago
  const quiet = await runningEvaluation(isoNow(new Date(now - 3 * 3600_000)));
  await lease(quiet, 1, now - 10_000);

  const first = await resendOrphanedChunks(deps, { activeWithinMs: 3600_000, maxEvaluations: 100, now });
  expect(first.resent).toBe(1);
  expect(await sent()).toEqual([
    { version: expect.any(Number), type: 'chunk', tenant_id: 'dev', evaluation_id: recent, chunk: 2, first_position: 10, count: 2 },
  ]);

  // The next run (chunk 0's lease still live) finds chunk 2's expiry already answered.
  const second = await resendOrphanedChunks(deps, { activeWithinMs: 3600_000, maxEvaluations: 100, now: now + 5_000 });
  expect(second.resent).toBe(0);
  expect(await sent()).toEqual([]);

  // A redelivery claimed chunk 2 again and died too: a new expiry, re-sent again.
  await lease(recent, 2, now + 70_000);
  const third = await resendOrphanedChunks(deps, { activeWithinMs: 3600_000, maxEvaluations: 100, now: now + 120_000 });
  expect(third.resent).toBe(2); // chunk 2's new expiry, and chunk 0, whose lease has now run out too
  expect((await sent()).map((message) => (message as { chunk: number }).chunk).sort()).toEqual([0, 2]);
}, 60_000);

it('looks at no more evaluations per run than its bound, latest progress first', async () => {
  await sent(); // whatever an earlier test left
  const now = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const id = await runningEvaluation(isoNow(new Date(now - (i + 1) * 1000)));
    await lease(id, 1, now - 5_000);
    ids.push(id);
  }
  const outcome = await resendOrphanedChunks(deps, { activeWithinMs: 30_000, maxEvaluations: 2, now });
  expect(outcome.scanned).toBe(2);
  // The two with the latest progress; the third waits for the next run.
  expect(new Set((await sent()).map((message) => (message as { evaluation_id: string }).evaluation_id))).toEqual(new Set(ids.slice(0, 2)));
  const next = await resendOrphanedChunks(deps, { activeWithinMs: 30_000, maxEvaluations: 100, now });
  expect((await sent()).map((message) => (message as { evaluation_id: string }).evaluation_id)).toEqual([ids[2]]);
  expect(next.resent).toBe(1);
}, 60_000);
