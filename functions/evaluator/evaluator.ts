import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { runChunk } from '#shared/evaluator/run-chunk.js';
import { startEvaluation } from '#shared/evaluator/start-evaluation.js';
import { logger } from '#shared/logger.js';
import { parseWorkMessage } from '#shared/messages.js';
import { evaluatorDeps as deps } from './evaluator-deps.js';

const processor = new BatchProcessor(EventType.SQS);

/** Rows deleted per purge message, so one message finishes well inside the function's timeout. */
const PURGE_SLICE = 5000;

let remainingMs: () => number = () => Number.POSITIVE_INFINITY;

async function recordHandler(record: SQSRecord): Promise<void> {
  const message = parseWorkMessage(record);
  const keys = 'evaluation_id' in message ? { evaluation_id: message.evaluation_id } : { benchmark_id: message.benchmark_id };
  logger.appendKeys({ ...keys, tenant_id: message.tenant_id, message_type: message.type });
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
  } finally {
    logger.removeKeys(['evaluation_id', 'benchmark_id', 'tenant_id', 'message_type']);
  }
}

/** One record at a time; a record that throws is reported as a batch item failure and retried alone. */
export const handler = async (event: SQSEvent, context: Context) => {
  remainingMs = () => context.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
  return processPartialResponse(event, recordHandler, processor, { context });
};
