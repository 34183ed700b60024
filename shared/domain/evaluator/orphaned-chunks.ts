import { logger } from '../../platform/logger.js';
import { isoNow } from '../../platform/time.js';
import { withWorkScope } from '../../platform/work-scope.js';
import type { EvaluatorDeps } from './deps.js';
import { chunkMessageAt } from './plan.js';

export interface OrphanScanOptions {
  /** Only evaluations with progress this recent are looked at; older ones are the stall re-drive's. */
  activeWithinMs: number;
  /** Evaluations looked at per run, latest progress first: one query each, so this bounds the run. */
  maxEvaluations: number;
  now?: number;
}

/**
 * Re-sends, at once, each chunk whose delivery died holding its lease: the lease ran out (it is renewed
 * every third of its time to live while the delivery lives) and the chunk is still not counted. Without
 * this the chunk's message would come back only after the work queue's visibility timeout (30 minutes;
 * with Lambda's SQS event source it must be at least the function's timeout, so it cannot be short and
 * extended by the worker instead). The original message, when it comes back, finds the chunk counted.
 *
 * Each expiry is answered once (the lease row is marked), so a re-sent message still waiting in a long
 * queue is not sent again at every run; a redelivery that claims the chunk and dies again is a new expiry.
 */
export async function resendOrphanedChunks(
  deps: Pick<EvaluatorDeps, 'evaluations' | 'queue'>,
  options: OrphanScanOptions,
): Promise<{ scanned: number; resent: number }> {
  const now = options.now ?? Date.now();
  const active = await deps.evaluations.listRecentlyActive(isoNow(new Date(now - options.activeWithinMs)), options.maxEvaluations);
  let resent = 0;
  for (const evaluation of active) {
    const { tenant_id: tenantId, evaluation_id: evaluationId, plan } = evaluation;
    if (evaluation.status !== 'running' || !plan) continue;
    resent += await withWorkScope({ evaluation_id: evaluationId, tenant_id: tenantId }, async () => {
      const expired = await deps.evaluations.listExpiredLeases(tenantId, evaluationId, now);
      if (expired.length === 0) return 0;
      const messages = expired.map(({ chunk }) => chunkMessageAt(tenantId, evaluationId, evaluation.progress.total_items, plan, chunk));
      // Sent before the lease is marked: a send that fails leaves the expiry for the next run; a mark that
      // fails (a redelivery claimed the chunk meanwhile) only means a duplicate, and chunks are idempotent.
      await deps.queue.sendAll(messages);
      for (const lease of expired) await deps.evaluations.markLeaseResent(tenantId, evaluationId, lease, now);
      logger.warn('chunks whose delivery died re-sent', {
        evaluation_id: evaluationId,
        chunks: expired.map(({ chunk }) => chunk),
        expired_ms_ago: expired.map(({ leaseUntil }) => now - leaseUntil),
      });
      return messages.length;
    });
  }
  return { scanned: active.length, resent };
}
