/**
 * The Lambda SQS event source's two halves: turning received messages into an `SQSEvent`, and deciding
 * from the handler's outcome which messages to delete (with `ReportBatchItemFailures`).
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

function recordAttributes(message: Message): SQSRecord['attributes'] {
  const attributes = message.Attributes ?? {};
  return {
    ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
    SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
    SenderId: attributes.SenderId ?? '000000000000',
    ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    ...(attributes.AWSTraceHeader ? { AWSTraceHeader: attributes.AWSTraceHeader } : {}),
    ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
    ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
    ...(attributes.MessageDeduplicationId ? { MessageDeduplicationId: attributes.MessageDeduplicationId } : {}),
  };
}

/** Lambda spells message attributes in camelCase and base64-encodes binary values. */
function recordMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const converted: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    converted[name] = {
      dataType: value.DataType ?? 'String',
      stringListValues: [],
      binaryListValues: [],
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
    };
  }
  return converted;
}

export function toSqsEvent(messages: Message[], queueArn: string, region: string): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: recordAttributes(message),
      messageAttributes: recordMessageAttributes(message.MessageAttributes),
      md5OfBody: message.MD5OfBody ?? '',
      ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: region,
    })),
  };
}

export type BatchOutcome = { kind: 'succeeded' } | { kind: 'partial'; failedMessageIds: string[] } | { kind: 'failed'; reason: string };

/**
 * Lambda's rules for a batch: a thrown error (or a timeout) retries every message; a response with
 * `batchItemFailures` retries those; a failure entry naming no message of the batch fails the whole batch.
 */
export function batchOutcome(result: unknown, messageIds: string[]): BatchOutcome {
  const failures = (result as Partial<SQSBatchResponse> | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'succeeded' };
  if (!Array.isArray(failures)) return { kind: 'failed', reason: 'batchItemFailures is not an array' };
  if (failures.length === 0) return { kind: 'succeeded' };
  const known = new Set(messageIds);
  const failedMessageIds: string[] = [];
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !known.has(id)) {
      return { kind: 'failed', reason: `batchItemFailures names an unknown itemIdentifier ${JSON.stringify(id)}` };
    }
    failedMessageIds.push(id);
  }
  return { kind: 'partial', failedMessageIds };
}
