import type { ScheduledEvent } from 'aws-lambda';
import { sweepWebhooks } from '#shared/domain/webhooks/delivery.js';
import { DynamoDbWebhookStore } from '#shared/adapters/dynamodb/webhook-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { HttpWebhookSender } from '#shared/adapters/webhooks/http-sender.js';
import { logger } from '#shared/platform/logger.js';
import { flushMetrics } from '#shared/platform/metrics.js';

const deps = {
  webhooks: new DynamoDbWebhookStore(),
  evaluations: new DynamoDbEvaluationStore(),
  sender: new HttpWebhookSender(),
  publicUrl: process.env.ARBITER_PUBLIC_URL,
};

export const handler = async (_event: ScheduledEvent) => {
  try {
    const outcome = await sweepWebhooks(deps);
    logger.info('webhooks swept', outcome);
    return outcome;
  } finally {
    flushMetrics();
  }
};
