import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { handleDeadLetter } from '#shared/domain/evaluator/dispatch.js';
import { flushMetrics } from '#shared/platform/metrics.js';
import { evaluatorDeps } from './evaluator-deps.js';

async function recordHandler(record: SQSRecord, remainingMs: () => number): Promise<void> {
  await handleDeadLetter(
    evaluatorDeps,
    {
      messageId: record.messageAttributes?.source_message_id?.stringValue ?? record.messageId,
      body: record.body,
      receiveCount: record.attributes?.ApproximateReceiveCount,
      forwardedReason: record.messageAttributes?.dead_letter_reason?.stringValue,
    },
    remainingMs,
  );
}

/**
 * Consumes the work queue's dead-letter queue, so a message that kept failing never leaves work hanging.
 * A processor per invocation, for the reason given in evaluator.ts.
 */
export const handler = async (event: SQSEvent, context: Context) => {
  // A dead chunk waits, as a delivery does, for a lease its last delivery may still hold.
  const remainingMs = () => context.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
  try {
    return await processPartialResponse(event, (record: SQSRecord) => recordHandler(record, remainingMs), new BatchProcessor(EventType.SQS), {
      context,
    });
  } finally {
    flushMetrics();
  }
};
