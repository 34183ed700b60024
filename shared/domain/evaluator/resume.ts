import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import { logger } from '../../platform/logger.js';
import type { EvaluationStore } from '../ports/evaluation-store.js';
import type { EvaluatorDeps } from './deps.js';
import { reconcile } from './reconcile.js';

type ResumeDeps = Pick<EvaluatorDeps, 'evaluations' | 'queue' | 'benchmarks' | 'scorerFor'>;

/** Bounds one resume pass: the reconciler reads 50 evaluations per call. */
const MAX_ROUNDS = 200;

/**
 * Sends every unfinished evaluation's missing work again, at once: for a stack whose queue lost its
 * messages (the local SQS emulator keeps them in memory, so a restart empties it). Chunks are idempotent,
 * so a chunk that was still queued somewhere is merely delivered twice.
 *
 * This is the reconciler's re-drive with a stall threshold of zero, so what is re-sent (a start message,
 * the chunks not yet counted, or a finalize) stays the reconciler's choice. Two things differ, through the
 * store the reconciler is given: a resume is recorded as one (`resumed_at`, `resumes`, `resume_reason`),
 * not as a re-drive, so a restart never brings an evaluation closer to failing as `stalled`; and each
 * evaluation is taken once per pass, although its restarted stall clock may still sort it before the
 * threshold (the index is kept to the second).
 */
export async function resumeUnfinished(deps: ResumeDeps, options: { reason: string; now?: number }): Promise<{ resumed: Evaluation[] }> {
  const seen = new Set<string>();
  const resumed: Evaluation[] = [];
  const pending = new Map<string, Evaluation>();
  let listed = 0;
  // The real store for everything else the reconciler reads and sends (its prototype's methods).
  const evaluations: EvaluationStore = Object.assign(Object.create(deps.evaluations) as EvaluationStore, {
    listStalled: async (before: string, limit: number) => {
      const page = await deps.evaluations.listStalled(before, limit + seen.size);
      const fresh = page.filter((evaluation) => !seen.has(evaluation.evaluation_id)).slice(0, limit);
      listed = fresh.length;
      for (const evaluation of fresh) {
        seen.add(evaluation.evaluation_id);
        pending.set(evaluation.evaluation_id, evaluation);
      }
      return fresh;
    },
    recordRedrive: async (tenantId: string, evaluationId: string) => {
      const applied = await deps.evaluations.recordResume(tenantId, evaluationId, options.reason);
      const evaluation = pending.get(evaluationId);
      if (applied && evaluation) resumed.push(evaluation);
      return applied;
    },
  });
  // A second ahead: the index is kept to the second, so progress made in this very second is included.
  const now = (options.now ?? Date.now()) + 1000;
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    listed = 0;
    // No limit on re-drives: a resume must never fail an evaluation as stalled.
    await reconcile({ ...deps, evaluations }, { stallAfterMs: 0, maxRedrives: Number.MAX_SAFE_INTEGER, now });
    if (listed === 0) break;
  }
  if (resumed.length > 0) {
    logger.warn('unfinished evaluations resumed', { reason: options.reason, evaluation_ids: resumed.map((evaluation) => evaluation.evaluation_id) });
  }
  return { resumed };
}
