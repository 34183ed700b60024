import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { handleDeadLetter } from '#shared/evaluator/dead-letter.js';
import { evaluatorDeps } from './evaluator-deps.js';

const processor = new BatchProcessor(EventType.SQS);

async function recordHandler(record: SQSRecord): Promise<void> {
  await handleDeadLetter(evaluatorDeps, { messageId: record.messageId, body: record.body, receiveCount: record.attributes?.ApproximateReceiveCount });
}

/** Consumes the work queue's dead-letter queue, so a message that kept failing never leaves work hanging. */
export const handler = async (event: SQSEvent, context: Context) => processPartialResponse(event, recordHandler, processor, { context });
