import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { handleWorkDelivery } from '#shared/domain/evaluator/dispatch.js';
import { flushMetrics } from '#shared/platform/metrics.js';
import { SqsDeadLetterQueue } from '#shared/adapters/sqs/dead-letter-queue.js';
import { evaluatorDeps as deps } from './evaluator-deps.js';

const deadLetters = new SqsDeadLetterQueue();

/**
 * One record handler per record; a record that throws is reported as a batch item failure and retried
 * alone. The processor is per invocation: it keeps the batch's state in fields, and outside Lambda (the
 * local event source runs several batches at once in one process) a shared one mixes up the batches'
 * failures, deleting messages that failed.
 */
export const handler = async (event: SQSEvent, context: Context) => {
  const remainingMs = () => context.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
  const recordHandler = ({ messageId, body, attributes }: SQSRecord) =>
    handleWorkDelivery(deps, deadLetters, { messageId, body, receiveCount: attributes?.ApproximateReceiveCount, remainingMs });
  try {
    return await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), { context });
  } finally {
    flushMetrics();
  }
};
