import { logger } from '../../platform/logger.js';
import { parseWorkMessage, UnreadableMessageError, type WorkMessage } from '../../contracts/messages.js';
import { MetricName } from '../../platform/metric-names.js';
import { countMetric } from '../../platform/metrics.js';
import { withWorkScope, type WorkKeys } from '../../platform/work-scope.js';
import { deadLetterReason, failDeadChunk, failDeadStart, recordDeadPurge, recordUnreadable, type DeadLetter } from './dead-letter.js';
import type { EvaluatorDeps } from './deps.js';
import { purgeBenchmarkStep } from './purge-benchmark.js';
import { runChunk } from './run-chunk.js';
import { startEvaluation } from './start-evaluation.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';

/** One receive of a work-queue message. */
export interface WorkDelivery {
  messageId: string;
  body: string;
  receiveCount?: string;
  /** Invocation time left, in milliseconds. */
  remainingMs: () => number;
}

function scopeOf(message: WorkMessage): WorkKeys {
  const keys = 'evaluation_id' in message ? { evaluation_id: message.evaluation_id } : { benchmark_id: message.benchmark_id };
  return { ...keys, tenant_id: message.tenant_id, message_type: message.type };
}

/**
 * Runs one work-queue delivery through the step for its message type. Throws to have it retried: the
 * batch processor reports the record failed, and SQS delivers it again.
 */
export async function handleWorkDelivery(deps: EvaluatorDeps, deadLetters: DeadLetterQueue, delivery: WorkDelivery): Promise<void> {
  const message = await readOrDeadLetter(deadLetters, delivery);
  if (!message) return;
  // Keys by async context rather than logger.appendKeys: the processor runs a batch's records in parallel.
  await withWorkScope(scopeOf(message), () => runWorkStep(deps, message, delivery));
}

/**
 * A message no retry can help (not JSON, another version, unknown type, invalid fields, oversized) goes
 * straight to the dead-letter queue, where the dead-letter handler records it; retrying it five times
 * would only delay that by five visibility timeouts. Undefined for such a message.
 */
async function readOrDeadLetter(deadLetters: DeadLetterQueue, delivery: WorkDelivery): Promise<WorkMessage | undefined> {
  try {
    return parseWorkMessage(delivery);
  } catch (error) {
    if (!(error instanceof UnreadableMessageError)) throw error;
    logger.error('unreadable work message sent to the dead-letter queue', {
      message_id: delivery.messageId,
      reason: error.reason,
      detail: error.message,
      ...error.identity,
    });
    await deadLetters.send({ messageId: delivery.messageId, body: delivery.body, reason: `${error.reason}: ${error.message}` });
    return undefined;
  }
}

async function runWorkStep(deps: EvaluatorDeps, message: WorkMessage, delivery: WorkDelivery): Promise<void> {
  try {
    switch (message.type) {
      case 'start':
        return await startEvaluation(deps, message);
      case 'chunk':
        return await runChunk(deps, message, delivery.remainingMs);
      case 'purge_benchmark':
        return await purgeBenchmarkStep(deps, message);
    }
  } catch (error) {
    // Logged with the message's keys, then rethrown: the record is reported failed and retried.
    logger.error('work message failed; it will be retried', { error: error as Error, receive_count: delivery.receiveCount });
    throw error;
  }
}

/**
 * What happens to a message that exhausted its receives, so that no evaluation waits for it forever:
 * a dead chunk's unanswered items fail with the reason and the chunk is counted; a dead start fails its
 * evaluation; anything else is recorded for an operator.
 */
export async function handleDeadLetter(
  deps: EvaluatorDeps,
  letter: DeadLetter,
  remainingMs: () => number = () => Number.POSITIVE_INFINITY,
): Promise<void> {
  let message: WorkMessage;
  try {
    message = parseWorkMessage({ messageId: letter.messageId, body: letter.body });
  } catch (error) {
    if (!(error instanceof UnreadableMessageError)) throw error;
    const { identity } = error;
    await withWorkScope({ evaluation_id: identity.evaluation_id, tenant_id: identity.tenant_id, message_type: identity.type }, () =>
      recordUnreadable(deps, letter, error),
    );
    return;
  }
  await withWorkScope(scopeOf(message), () => runDeadLetterStep(deps, letter, message, remainingMs));
}

async function runDeadLetterStep(deps: EvaluatorDeps, letter: DeadLetter, message: WorkMessage, remainingMs: () => number): Promise<void> {
  countMetric(MetricName.DeadLetteredMessages);
  const reason = deadLetterReason(letter);
  switch (message.type) {
    case 'start':
      return failDeadStart(deps, message, reason);
    case 'chunk':
      return failDeadChunk(deps, message, reason, remainingMs);
    case 'purge_benchmark':
      return recordDeadPurge(deps, letter, message, reason);
  }
}
