import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import { logger } from '../../platform/logger.js';
import { shouldSendClaim, windowOf } from './chunk-window.js';
import type { EvaluatorDeps } from './deps.js';
import { chunkMessageOf } from './plan.js';

type RefillDeps = Pick<EvaluatorDeps, 'evaluations' | 'queue'>;

/**
 * Sends the chunk that takes `counted`'s place in its evaluation's window, if there is one (none once the
 * plan is all sent, or the evaluation is cancelled or finished). Called after every counting of a chunk,
 * duplicates included.
 *
 * The claim is written first, the message sent second, and the send recorded third. A crash or a failed
 * send between claim and send leaves a claimed chunk with no message, but not for long: the claim is on
 * `counted`'s marker, and `counted`'s own message is deleted only after this returns, so SQS delivers it
 * again after its visibility timeout; that delivery finds the chunk counted, comes here, is answered the
 * same claim, unrecorded and older than a lease, and sends it (shouldSendClaim). Should the messages
 * themselves be lost (the local SQS emulator keeps them in memory), the reconciler and a redelivered start
 * send every claimed, uncounted chunk again.
 *
 * Sending first and claiming after would let two chunks counted at once both send the next chunk before
 * either claimed it, so duplicates would be routine rather than a fault's leftover, and a crash after the
 * send would have the next claim send it again. Either order can send a chunk twice after a fault (a send
 * that failed after SQS took it, a crash after the send); that is harmless, as the duplicate waits on the
 * chunk's lease or finds it counted and calls no model.
 */
export async function refillWindow(
  deps: RefillDeps,
  tenantId: string,
  evaluationId: string,
  counted: number,
  evaluation?: Pick<Evaluation, 'plan' | 'progress'>,
): Promise<void> {
  // Read before claiming: nothing that can fail may stand between the claim and the send but the send.
  const planned = evaluation?.plan ? evaluation : await deps.evaluations.getConsistent(tenantId, evaluationId);
  if (!planned?.plan) return;
  const claim = await deps.evaluations.claimNextChunk(tenantId, evaluationId, counted);
  if (!claim || !shouldSendClaim(claim, Date.now())) return;
  await deps.queue.send(chunkMessageOf(tenantId, evaluationId, planned.progress.total_items, planned.plan, claim.chunk));
  // Not recording it only risks one duplicate later (a redelivery sending it again): not worth a retry.
  await deps.evaluations.markClaimSent(tenantId, evaluationId, counted).catch((error: unknown) => {
    logger.warn('chunk sent, but not recorded as sent', { evaluation_id: evaluationId, chunk: claim.chunk, error: error as Error });
  });
  if (claim.made) logger.debug('window refilled', { evaluation_id: evaluationId, counted_chunk: counted, sent_chunk: claim.chunk });
  else
    logger.warn('claimed chunk sent again: the delivery that claimed it did not record sending it', {
      evaluation_id: evaluationId,
      chunk: claim.chunk,
    });
}

/**
 * Claims and sends chunks until the window is full: for the reconciler, when chunks were counted but
 * their claims never made (nothing else would ever send the rest). Answers the chunks sent.
 */
export async function topUpWindow(
  deps: RefillDeps,
  evaluation: Pick<Evaluation, 'tenant_id' | 'evaluation_id' | 'plan' | 'progress'>,
): Promise<number[]> {
  const { tenant_id: tenantId, evaluation_id: evaluationId, plan } = evaluation;
  if (!plan) return [];
  const claimed: number[] = [];
  for (let slot = 0; slot < windowOf(plan); slot += 1) {
    const claim = await deps.evaluations.claimNextChunk(tenantId, evaluationId);
    if (!claim) break;
    claimed.push(claim.chunk);
  }
  await deps.queue.sendAll(claimed.map((chunk) => chunkMessageOf(tenantId, evaluationId, evaluation.progress.total_items, plan, chunk)));
  return claimed;
}
