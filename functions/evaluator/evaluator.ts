import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '#shared/logger.js';
import { parseWorkMessage } from '#shared/messages.js';
import { SqsWorkQueue } from '#shared/queue/work-queue.js';
import { DynamoDbBenchmarkStore } from '#shared/store/dynamodb/benchmark-store.js';

const processor = new BatchProcessor(EventType.SQS);
const benchmarks = new DynamoDbBenchmarkStore();
const queue = new SqsWorkQueue();

/** Rows deleted per purge message, so one message finishes well inside the function's timeout. */
const PURGE_SLICE = 5000;

async function recordHandler(record: SQSRecord): Promise<void> {
  const message = parseWorkMessage(record);
  const receiveCount = record.attributes?.ApproximateReceiveCount;
  switch (message.type) {
    case 'start':
      logger.info('start message received', { evaluation_id: message.evaluation_id, tenant_id: message.tenant_id, receive_count: receiveCount });
      return;
    case 'purge_benchmark': {
      const more = await benchmarks.purgeSome(message.tenant_id, message.benchmark_id, PURGE_SLICE);
      // The rest goes back on the queue as a new message rather than running past the timeout.
      if (more) await queue.send(message);
      logger.info('benchmark purge step', { benchmark_id: message.benchmark_id, tenant_id: message.tenant_id, done: !more });
      return;
    }
  }
}

/** One record at a time; a record that throws is reported as a batch item failure and retried alone. */
export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context });
