import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sqsClient } from '../aws-clients.js';
import { sleepFullJitter } from '../../platform/backoff.js';
import { queueUrl } from '../../platform/config.js';
import type { WorkMessage } from '../../contracts/messages.js';
import { queueDefinitions } from '../../contracts/resources.js';
import type { WorkQueue } from '../../domain/ports/work-queue.js';

const SQS_BATCH_LIMIT = 10;

function attributesOf(message: WorkMessage) {
  return {
    type: { DataType: 'String', StringValue: message.type },
    ...('evaluation_id' in message ? { evaluation_id: { DataType: 'String', StringValue: message.evaluation_id } } : {}),
  };
}

export class SqsWorkQueue implements WorkQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(options: { client?: SQSClient; queueUrl?: string } = {}) {
    this.client = options.client ?? sqsClient;
    this.queueUrl = options.queueUrl ?? queueUrl(queueDefinitions.work.envVar);
  }

  async send(message: WorkMessage): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message), MessageAttributes: attributesOf(message) }),
    );
  }

  async sendAll(messages: readonly WorkMessage[]): Promise<void> {
    for (let start = 0; start < messages.length; start += SQS_BATCH_LIMIT) {
      let entries = messages.slice(start, start + SQS_BATCH_LIMIT).map((message, index) => ({
        Id: String(index),
        MessageBody: JSON.stringify(message),
        MessageAttributes: attributesOf(message),
      }));
      for (let attempt = 0; entries.length > 0; attempt += 1) {
        if (attempt >= 5) throw new Error(`SQS refused ${entries.length} messages after ${attempt} attempts`);
        if (attempt > 0) await sleepFullJitter(attempt, { baseMs: 100 });
        const result = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
        const failed = new Set((result.Failed ?? []).map((failure) => failure.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
      }
    }
  }
}
