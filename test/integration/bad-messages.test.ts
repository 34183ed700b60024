/**
 * Messages the evaluator cannot read (not JSON, another version, an unknown type, invalid fields, far too
 * large) never hold up the rest of their batch, go to the dead-letter queue at once instead of after five
 * failed receives, and are recorded there with their reason, where an operator finds them.
 */
import { jest } from '@jest/globals';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '#shared/platform/logger.js';
import { MAX_WORK_MESSAGE_BYTES, type StartMessage } from '#shared/contracts/messages.js';
import { queueDefinitions, tableDefinitions } from '#shared/contracts/resources.js';
import { benchmarkKeys, deadLetterKeys } from '#shared/adapters/dynamodb/keys.js';
import { localDocumentClient } from '../../local/seed.js';
import { fakeContext } from '../support/lambda.js';
import { inProcessEvaluator, type InProcessEvaluator } from './support/in-process-evaluator.js';
import { api, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let sqs: SQSClient;
let evaluator: InProcessEvaluator;

beforeAll(async () => {
  stack = await startTestStack();
  client = api(stack);
  documents = localDocumentClient(stack.env);
  sqs = new SQSClient({
    endpoint: stack.env.AWS_ENDPOINT_URL_SQS,
    region: stack.env.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  evaluator = inProcessEvaluator(stack.env, documents);
});

afterAll(async () => {
  sqs?.destroy();
  documents?.destroy();
  await stack?.stop();
});

interface DeadLetterRecord {
  message_id: string;
  reason: string;
  reason_code: string;
  source: string;
  body: string;
  evaluation_id?: string;
  tenant_id?: string;
}

async function deadLetterRecords(): Promise<DeadLetterRecord[]> {
  const result = await documents.send(
    new QueryCommand({
      TableName: stack.env[tableDefinitions.evaluations.envVar],
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': deadLetterKeys.partition },
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []) as DeadLetterRecord[];
}

async function recordsFor(messageIds: string[]): Promise<Map<string, DeadLetterRecord> | undefined> {
  const byId = new Map((await deadLetterRecords()).map((record) => [record.message_id, record]));
  return messageIds.every((id) => byId.has(id)) ? byId : undefined;
}

async function status(evaluationId: string): Promise<string> {
  return (await client.request('GET', `/api/v3/evaluations/${evaluationId}/status`)).json.status;
}

async function queueDepth(queue: 'work' | 'workDeadLetter'): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.env[queueDefinitions[queue].envVar],
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:arbiter-local-WorkQueue',
    awsRegion: 'us-east-1',
  };
}

/** The Evaluator's handler module as Lambda loads it, with the stack's environment. */
async function evaluatorHandler() {
  Object.assign(process.env, stack.env);
  return (await import('#functions/evaluator/evaluator.js')).handler;
}

/** One of each kind of unreadable message, all naming `target`, which none of them may start. */
function badBodies(target: StartMessage): { label: string; reason: string; body: string }[] {
  return [
    { label: 'malformed JSON', reason: 'not_json', body: JSON.stringify(target).slice(0, -7) },
    { label: 'an unknown version', reason: 'unknown_version', body: JSON.stringify({ ...target, version: 2 }) },
    { label: 'an unknown type', reason: 'unknown_type', body: JSON.stringify({ ...target, type: 'explode' }) },
    {
      label: 'invalid fields',
      reason: 'invalid_fields',
      body: JSON.stringify({ ...target, type: 'chunk', chunk: -1, first_position: 'zero', count: 0 }),
    },
    // A valid start message padded far past any work message: without the size check it would parse.
    { label: 'an oversized message', reason: 'too_large', body: JSON.stringify({ ...target, padding: 'x'.repeat(300_000) }) },
  ];
}

describe('unreadable work messages', () => {
  it('sent raw to the work queue beside a valid one: the valid one runs, each bad one is dead-lettered at once and recorded with its reason', async () => {
    const target = await evaluator.create({ model_id: 'baseline:reference', benchmark_id: 'task-sample-capitals' });
    const valid = await evaluator.create({ model_id: 'baseline:reference', benchmark_id: 'task-sample-arithmetic' });
    const bad = badBodies(target.start);
    expect(Buffer.byteLength(bad[4]!.body)).toBeGreaterThan(MAX_WORK_MESSAGE_BYTES);

    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.env[queueDefinitions.work.envVar],
        Entries: [
          ...bad.map((message, index) => ({ Id: String(index), MessageBody: message.body })),
          { Id: 'valid', MessageBody: JSON.stringify(valid.start) },
        ],
      }),
    );
    expect(sent.Failed ?? []).toEqual([]);
    const messageIds = bad.map((_, index) => sent.Successful!.find((entry) => entry.Id === String(index))!.MessageId!);

    const records = await waitFor(() => recordsFor(messageIds), { timeoutMs: 30_000, description: 'a dead-letter record for every bad message' });
    bad.forEach((message, index) => {
      const record = records.get(messageIds[index]!)!;
      expect({ label: message.label, reason_code: record.reason_code, source: record.source }).toEqual({
        label: message.label,
        reason_code: message.reason,
        // `evaluator`: sent straight to the DLQ on its first receive, not moved there after five.
        source: 'evaluator',
      });
      expect(record.reason).toContain(message.reason);
      expect(record.body).toBe(message.body.slice(0, 4000));
    });
    // What a message says about itself is kept, so an operator can find it by evaluation.
    expect(records.get(messageIds[1]!)).toMatchObject({ evaluation_id: target.evaluationId, tenant_id: 'dev' });

    await waitFor(async () => (await status(valid.evaluationId)) === 'completed', {
      timeoutMs: 60_000,
      description: 'the valid evaluation to complete',
    });
    expect(await status(target.evaluationId)).toBe('pending');
    // Nothing waits for a retry on the work queue, and the dead-letter handler took everything off the DLQ.
    await waitFor(async () => (await queueDepth('work')) === 0 && (await queueDepth('workDeadLetter')) === 0, {
      timeoutMs: 20_000,
      description: 'both queues to drain',
    });
  });

  it('in one batch with a valid message, the handler reports no failure, runs the valid one and logs each bad one with its reason', async () => {
    const target = await evaluator.create({ model_id: 'baseline:reference', benchmark_id: 'task-sample-capitals' });
    const valid = await evaluator.create({ model_id: 'baseline:first-choice', benchmark_id: 'task-sample-capitals' });
    const bad = badBodies(target.start);
    const batchId = `batch-${Date.now()}`;
    const event: SQSEvent = {
      Records: [
        ...bad.slice(0, 2).map((message, index) => record(`${batchId}-${index}`, message.body)),
        record(`${batchId}-valid`, JSON.stringify(valid.start)),
        ...bad.slice(2).map((message, index) => record(`${batchId}-${index + 2}`, message.body)),
      ],
    };

    const handler = await evaluatorHandler();
    const errors = jest.spyOn(logger, 'error');
    try {
      const response = await handler(event, fakeContext({ getRemainingTimeInMillis: () => 300_000 }));
      expect(response.batchItemFailures).toEqual([]);

      const logged = errors.mock.calls.filter(([message]) => message === 'unreadable work message sent to the dead-letter queue');
      expect(logged.map(([, fields]) => fields)).toEqual(
        expect.arrayContaining(bad.map((message, index) => expect.objectContaining({ message_id: `${batchId}-${index}`, reason: message.reason }))),
      );
    } finally {
      errors.mockRestore();
    }

    const ids = bad.map((_, index) => `${batchId}-${index}`);
    const records = await waitFor(() => recordsFor(ids), { timeoutMs: 30_000, description: 'the dead-letter handler to record every bad message' });
    expect(ids.map((id) => records.get(id)?.reason_code)).toEqual(bad.map((message) => message.reason));
    await waitFor(async () => (await status(valid.evaluationId)) === 'completed', {
      timeoutMs: 60_000,
      description: 'the valid evaluation to complete',
    });
    expect(await status(target.evaluationId)).toBe('pending');
  });
});

describe('a batch with a record that fails', () => {
  it('two batches handled at once in one process (as the local event source does) each report only their own failed record', async () => {
    // A chunk that throws on every delivery: its benchmark's stored prompt template is damaged.
    const created = await client.request('POST', '/api/v3/benchmarks', {
      body: { name: 'Damaged', task_type: 'exact_answer', items: [{ input: '1 + 1', expected: '2' }] },
    });
    await documents.send(
      new UpdateCommand({
        TableName: stack.env[tableDefinitions.benchmarks.envVar],
        Key: benchmarkKeys.meta('dev', created.json.benchmark_id),
        UpdateExpression: 'SET prompt_template = :number',
        ExpressionAttributeValues: { ':number': 42 },
      }),
    );
    const poisoned = await evaluator.create({ model_id: 'baseline:reference', benchmark_id: created.json.benchmark_id });
    await evaluator.deliver(poisoned.start);
    const [poison] = evaluator.queue.take();
    const first = await evaluator.create({ model_id: 'baseline:reference', benchmark_id: 'task-sample-arithmetic' });
    const second = await evaluator.create({ model_id: 'baseline:echo', benchmark_id: 'task-sample-arithmetic' });

    const handler = await evaluatorHandler();
    const context = fakeContext({ getRemainingTimeInMillis: () => 300_000 });
    const [withPoison, clean] = await Promise.all([
      handler({ Records: [record('poison', JSON.stringify(poison)), record('first', JSON.stringify(first.start))] }, context),
      handler({ Records: [record('second', JSON.stringify(second.start))] }, context),
    ]);

    expect(withPoison.batchItemFailures).toEqual([{ itemIdentifier: 'poison' }]);
    expect(clean.batchItemFailures).toEqual([]);
    await waitFor(async () => (await status(first.evaluationId)) === 'completed' && (await status(second.evaluationId)) === 'completed', {
      timeoutMs: 60_000,
      description: 'both valid evaluations to complete',
    });
  });
});
