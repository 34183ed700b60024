import { logger } from '../../platform/logger.js';
import { parseWorkMessage, UnreadableMessageError, type WorkMessage } from '../../contracts/messages.js';
import { MetricName } from '../../platform/metric-names.js';
import { countMetric } from '../../platform/metrics.js';
import { withWorkScope } from '../../platform/work-scope.js';
import type { EvaluatorDeps } from './deps.js';
import { failMissingItems } from './settle-chunk.js';

export interface DeadLetter {
  messageId: string;
  body: string;
  receiveCount?: string;
  /** Set when the evaluator sent the message here itself, at once, because it could not read it. */
  forwardedReason?: string;
}

/**
 * What happens to a message that exhausted its receives, so that no evaluation waits for it forever:
 * a dead chunk's unanswered items fail with the reason and the chunk is counted; a dead start fails its
 * evaluation; anything else is recorded for an operator.
 */
export async function handleDeadLetter(deps: EvaluatorDeps, letter: DeadLetter): Promise<void> {
  let message;
  try {
    message = parseWorkMessage({ messageId: letter.messageId, body: letter.body });
  } catch (error) {
    if (!(error instanceof UnreadableMessageError)) throw error;
    const { identity } = error;
    await withWorkScope({ evaluation_id: identity.evaluation_id, tenant_id: identity.tenant_id, message_type: identity.type }, () => recordUnreadable(deps, letter, error));
    return;
  }
  const keys = 'evaluation_id' in message ? { evaluation_id: message.evaluation_id } : { benchmark_id: message.benchmark_id };
  await withWorkScope({ ...keys, tenant_id: message.tenant_id, message_type: message.type }, () => handleReadable(deps, letter, message));
}

async function recordUnreadable(deps: EvaluatorDeps, letter: DeadLetter, error: UnreadableMessageError): Promise<void> {
  countMetric(MetricName.DeadLetteredMessages);
  // Recorded with whatever the message says about itself, so an operator can find it by evaluation.
  await deps.evaluations.recordDeadLetter({
    message_id: letter.messageId,
    body: letter.body,
    reason: error.message,
    reason_code: error.reason,
    source: letter.forwardedReason === undefined ? 'redrive' : 'evaluator',
    ...error.identity,
  });
  logger.error('unreadable message dead-lettered', { message_id: letter.messageId, reason: error.reason, detail: error.message, forwarded: letter.forwardedReason !== undefined, ...error.identity });
}

async function handleReadable(deps: EvaluatorDeps, letter: DeadLetter, message: WorkMessage): Promise<void> {
  countMetric(MetricName.DeadLetteredMessages);
  const reason = `The work message failed ${letter.receiveCount ?? 'several'} times and was dead-lettered`;
  switch (message.type) {
    case 'start': {
      const failed = await deps.evaluations.fail(message.tenant_id, message.evaluation_id, { code: 'start_failed', message: `${reason}; the evaluation could not start` });
      logger.error('start message dead-lettered', { evaluation_id: message.evaluation_id, failed });
      return;
    }
    case 'chunk': {
      const evaluation = await deps.evaluations.getConsistent(message.tenant_id, message.evaluation_id);
      if (!evaluation || evaluation.results) return;
      await failMissingItems(deps, evaluation, message, undefined, 'dead_lettered', reason);
      logger.error('chunk dead-lettered; its unanswered items were failed', { evaluation_id: message.evaluation_id, chunk: message.chunk });
      return;
    }
    case 'purge_benchmark':
      await deps.evaluations.recordDeadLetter({
        message_id: letter.messageId,
        body: letter.body,
        reason: `${reason}; the deleted benchmark's items were not all purged`,
        tenant_id: message.tenant_id,
      });
      logger.error('benchmark purge dead-lettered', { benchmark_id: message.benchmark_id });
  }
}
