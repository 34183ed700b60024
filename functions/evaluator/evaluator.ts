import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { runChunk } from '#shared/domain/evaluator/run-chunk.js';
import { startEvaluation } from '#shared/domain/evaluator/start-evaluation.js';
import { logger } from '#shared/platform/logger.js';
import { flushMetrics } from '#shared/platform/metrics.js';
import { withWorkScope } from '#shared/platform/work-scope.js';
import { parseWorkMessage, UnreadableMessageError, type WorkMessage } from '#shared/contracts/messages.js';
import { SqsDeadLetterQueue } from '#shared/adapters/sqs/dead-letter-queue.js';
import { evaluatorDeps as deps } from './evaluator-deps.js';

/** Rows deleted per purge message, so one message finishes well inside the function's timeout. */
const PURGE_SLICE = 5000;

const deadLetters = new SqsDeadLetterQueue();

/**
 * A message no retry can help (not JSON, another version, unknown type, invalid fields, oversized) goes
 * straight to the dead-letter queue, where the dead-letter handler records it; retrying it five times
 * would only delay that by five visibility timeouts. Undefined for such a message.
 */
async function readOrDeadLetter(record: SQSRecord): Promise<WorkMessage | undefined> {
  try {
    return parseWorkMessage(record);
  } catch (error) {
    if (!(error instanceof UnreadableMessageError)) throw error;
    logger.error('unreadable work message sent to the dead-letter queue', {
      message_id: record.messageId,
      reason: error.reason,
      detail: error.message,
      ...error.identity,
    });
    await deadLetters.send({ messageId: record.messageId, body: record.body, reason: `${error.reason}: ${error.message}` });
    return undefined;
  }
}

async function handleRecord(record: SQSRecord, remainingMs: () => number): Promise<void> {
  const message = await readOrDeadLetter(record);
  if (!message) return;
  const keys = 'evaluation_id' in message ? { evaluation_id: message.evaluation_id } : { benchmark_id: message.benchmark_id };
  // Keys by async context rather than logger.appendKeys: the processor runs a batch's records in parallel.
  await withWorkScope({ ...keys, tenant_id: message.tenant_id, message_type: message.type }, () => runMessage(message, record, remainingMs));
}

async function runMessage(message: WorkMessage, record: SQSRecord, remainingMs: () => number): Promise<void> {
  try {
    switch (message.type) {
      case 'start':
        await startEvaluation(deps, message);
        return;
      case 'chunk':
        await runChunk(deps, message, remainingMs);
        return;
      case 'purge_benchmark': {
        const more = await deps.benchmarks.purgeSome(message.tenant_id, message.benchmark_id, PURGE_SLICE);
        // The rest goes back on the queue as a new message rather than running past the timeout.
        if (more) await deps.queue.send(message);
        logger.info('benchmark purge step', { done: !more });
        return;
      }
    }
  } catch (error) {
    // Logged with the message's keys, then rethrown: the record is reported failed and retried.
    logger.error('work message failed; it will be retried', { error: error as Error, receive_count: record.attributes?.ApproximateReceiveCount });
    throw error;
  }
}

/**
 * One record handler per record; a record that throws is reported as a batch item failure and retried
 * alone. The processor is per invocation: it keeps the batch's state in fields, and outside Lambda (the
 * local event source runs several batches at once in one process) a shared one mixes up the batches'
 * failures, deleting messages that failed.
 */
export const handler = async (event: SQSEvent, context: Context) => {
  const remainingMs = () => context.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
  try {
    return await processPartialResponse(event, (record: SQSRecord) => handleRecord(record, remainingMs), new BatchProcessor(EventType.SQS), { context });
  } finally {
    flushMetrics();
  }
};
