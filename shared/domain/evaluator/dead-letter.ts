import { logger } from '../../platform/logger.js';
import type { ChunkMessage, PurgeBenchmarkMessage, StartMessage, UnreadableMessageError } from '../../contracts/messages.js';
import { MetricName } from '../../platform/metric-names.js';
import { countMetric } from '../../platform/metrics.js';
import { whileHolding } from './chunk-lease.js';
import type { EvaluatorDeps } from './deps.js';
import { finalizeIfComplete } from './finalize.js';
import { refillWindow } from './refill-window.js';
import { failMissingItems } from './settle-chunk.js';

export interface DeadLetter {
  messageId: string;
  body: string;
  receiveCount?: string;
  /** Set when the evaluator sent the message here itself, at once, because it could not read it. */
  forwardedReason?: string;
}

export function deadLetterReason(letter: DeadLetter): string {
  return `The work message failed ${letter.receiveCount ?? 'several'} times and was dead-lettered`;
}

export async function recordUnreadable(deps: Pick<EvaluatorDeps, 'evaluations'>, letter: DeadLetter, error: UnreadableMessageError): Promise<void> {
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
  logger.error('unreadable message dead-lettered', {
    message_id: letter.messageId,
    reason: error.reason,
    detail: error.message,
    forwarded: letter.forwardedReason !== undefined,
    ...error.identity,
  });
}

/** A start that never got through fails its evaluation: nothing else would ever run it. */
export async function failDeadStart(deps: Pick<EvaluatorDeps, 'evaluations'>, message: StartMessage, reason: string): Promise<void> {
  const failed = await deps.evaluations.fail(message.tenant_id, message.evaluation_id, {
    code: 'start_failed',
    message: `${reason}; the evaluation could not start`,
  });
  logger.error('start message dead-lettered', { evaluation_id: message.evaluation_id, failed });
}

/**
 * A dead chunk's unanswered items fail with the reason and the chunk is counted, so its evaluation can
 * finish. Under the chunk's lease, like any delivery: its last delivery may still hold it.
 */
export async function failDeadChunk(
  deps: Pick<EvaluatorDeps, 'evaluations' | 'benchmarks' | 'scorerFor' | 'queue'>,
  message: ChunkMessage,
  reason: string,
  remainingMs: () => number,
): Promise<void> {
  const evaluation = await deps.evaluations.getConsistent(message.tenant_id, message.evaluation_id);
  if (!evaluation || evaluation.results) return;
  const ran = await whileHolding(deps, message, remainingMs, (held) =>
    failMissingItems(deps, evaluation, message, held.lease, undefined, 'dead_lettered', reason),
  );
  if (!ran) {
    // Counted after all (its last delivery got through): only refilling and finalizing may be left to do.
    await refillWindow(deps, message.tenant_id, message.evaluation_id, message.chunk, evaluation);
    await finalizeIfComplete(deps, message.tenant_id, message.evaluation_id);
    return;
  }
  logger.error('chunk dead-lettered; its unanswered items were failed', { evaluation_id: message.evaluation_id, chunk: message.chunk });
}

/** A purge that gave up is recorded for an operator to finish. */
export async function recordDeadPurge(
  deps: Pick<EvaluatorDeps, 'evaluations'>,
  letter: DeadLetter,
  message: PurgeBenchmarkMessage,
  reason: string,
): Promise<void> {
  await deps.evaluations.recordDeadLetter({
    message_id: letter.messageId,
    body: letter.body,
    reason: `${reason}; the deleted benchmark's items were not all purged`,
    tenant_id: message.tenant_id,
  });
  logger.error('benchmark purge dead-lettered', { benchmark_id: message.benchmark_id });
}
