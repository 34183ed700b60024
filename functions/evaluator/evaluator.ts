import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import * as v from 'valibot';
import { logger } from '#shared/logger.js';
import { WorkMessageSchema } from '#shared/messages.js';

const processor = new BatchProcessor(EventType.SQS);

/** Raised for a message the evaluator cannot read: it is retried, then dead-lettered and recorded there. */
export class UnreadableMessageError extends Error {
  constructor(messageId: string, reason: string) {
    super(`Message ${messageId} is not a work message this evaluator understands: ${reason}`);
    this.name = 'UnreadableMessageError';
  }
}

export function parseWorkMessage(record: SQSRecord) {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new UnreadableMessageError(record.messageId, 'the body is not JSON');
  }
  const result = v.safeParse(WorkMessageSchema, body);
  if (!result.success) {
    throw new UnreadableMessageError(record.messageId, result.issues.map((issue) => issue.message).join('; '));
  }
  return result.output;
}

async function recordHandler(record: SQSRecord): Promise<void> {
  const message = parseWorkMessage(record);
  logger.info('work message received', {
    evaluation_id: message.evaluation_id,
    tenant_id: message.tenant_id,
    type: message.type,
    receive_count: record.attributes.ApproximateReceiveCount,
  });
}

/** One record at a time; a record that throws is reported as a batch item failure and retried alone. */
export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context });
