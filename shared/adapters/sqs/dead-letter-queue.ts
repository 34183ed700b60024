import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sqsClient } from '../aws-clients.js';
import { queueUrl } from '../../platform/config.js';
import { queueDefinitions } from '../../contracts/resources.js';
import type { DeadLetterEntry, DeadLetterQueue } from '../../domain/ports/dead-letter-queue.js';

const MAX_ATTRIBUTE_LENGTH = 1000;

export class SqsDeadLetterQueue implements DeadLetterQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(options: { client?: SQSClient; queueUrl?: string } = {}) {
    this.client = options.client ?? sqsClient;
    this.queueUrl = options.queueUrl ?? queueUrl(queueDefinitions.workDeadLetter.envVar);
  }

  async send(entry: DeadLetterEntry): Promise<void> {
    const attributes = {
      dead_letter_reason: { DataType: 'String', StringValue: entry.reason.slice(0, MAX_ATTRIBUTE_LENGTH) },
      source_message_id: { DataType: 'String', StringValue: entry.messageId || 'unknown' },
    };
    try {
      await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: entry.body, MessageAttributes: attributes }));
    } catch {
      // Attributes count toward SQS's size limit, so a body that only just fitted on the work queue does
      // not fit with them. The body is what matters: the dead-letter handler reads the reason from it again.
      // Should this fail too, the error fails the record, and the work queue's redrive gets it there later.
      await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: entry.body }));
    }
  }
}
