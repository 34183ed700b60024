import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sqsClient } from '../clients.js';
import { requireEnv } from '../config.js';
import type { WorkMessage } from '../messages.js';
import { queueDefinitions } from '../resources.js';

export interface WorkQueue {
  send(message: WorkMessage): Promise<void>;
}

export class SqsWorkQueue implements WorkQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(options: { client?: SQSClient; queueUrl?: string } = {}) {
    this.client = options.client ?? sqsClient;
    this.queueUrl = options.queueUrl ?? requireEnv(queueDefinitions.work.envVar);
  }

  async send(message: WorkMessage): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        MessageAttributes: {
          type: { DataType: 'String', StringValue: message.type },
          ...('evaluation_id' in message ? { evaluation_id: { DataType: 'String', StringValue: message.evaluation_id } } : {}),
        },
      }),
    );
  }
}
