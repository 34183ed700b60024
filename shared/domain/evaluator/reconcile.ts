import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import { logger } from '../../platform/logger.js';
import { startMessage } from '../../contracts/messages.js';
import { MetricName } from '../../platform/metric-names.js';
import { countMetric } from '../../platform/metrics.js';
import { withWorkScope } from '../../platform/work-scope.js';
import type { EvaluatorDeps } from './deps.js';
import { finalizeIfComplete } from './finalize.js';
import { inFlightChunks, sentCount } from './chunk-window.js';
import { messagesOfChunks } from './plan.js';
import { topUpWindow } from './refill-window.js';

export interface ReconcileOptions {
  /** An unfinished evaluation with no progress for this long is stalled. */
  stallAfterMs: number;
  /** Re-drives before a stalled evaluation is failed instead. */
  maxRedrives: number;
  now?: number;
}

/** Finds evaluations whose progress stalled (a lost message, a restart) and re-drives or fails them. */
export async function reconcile(
  deps: Pick<EvaluatorDeps, 'evaluations' | 'queue' | 'benchmarks' | 'scorerFor'>,
  options: ReconcileOptions,
): Promise<{ redriven: number; failed: number }> {
  const cutoff = new Date((options.now ?? Date.now()) - options.stallAfterMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const stalled = await deps.evaluations.listStalled(cutoff, 50);
  let redriven = 0;
  let failed = 0;
  for (const evaluation of stalled) {
    const { tenant_id: tenantId, evaluation_id: evaluationId } = evaluation;
    const outcome = await withWorkScope({ evaluation_id: evaluationId, tenant_id: tenantId }, () => reconcileOne(deps, evaluation, options));
    if (outcome === 'failed') failed += 1;
    if (outcome === 'redriven') redriven += 1;
  }
  return { redriven, failed };
}

async function reconcileOne(
  deps: Pick<EvaluatorDeps, 'evaluations' | 'queue' | 'benchmarks' | 'scorerFor'>,
  evaluation: Evaluation,
  options: ReconcileOptions,
): Promise<'redriven' | 'failed' | 'skipped'> {
  const { tenant_id: tenantId, evaluation_id: evaluationId } = evaluation;
  if ((evaluation.redrives ?? 0) >= options.maxRedrives) {
    if (
      !(await deps.evaluations.fail(tenantId, evaluationId, {
        code: 'stalled',
        message: `No progress after ${options.maxRedrives} re-drives; the evaluation was stopped`,
      }))
    )
      return 'skipped';
    countMetric(MetricName.EvaluationsStalled);
    logger.error('stalled evaluation failed', { evaluation_id: evaluationId });
    return 'failed';
  }
  if (!(await deps.evaluations.recordRedrive(tenantId, evaluationId))) return 'skipped';
  if (!evaluation.plan) {
    await deps.queue.send(startMessage(tenantId, evaluationId));
  } else {
    // Only the window: the chunks claimed and not counted are the only ones whose messages can have been
    // lost; the rest are sent as these are counted.
    const done = await deps.evaluations.doneChunks(tenantId, evaluationId);
    const missing = inFlightChunks(sentCount(evaluation), done);
    await deps.queue.sendAll(messagesOfChunks(tenantId, evaluationId, evaluation.progress.total_items, evaluation.plan, missing));
    // Nothing in flight: counted chunks whose claims were never made leave room, or, with every chunk
    // counted and no final state, the finalizer died; finalize here.
    if (missing.length === 0 && (await topUpWindow(deps, evaluation)).length === 0) await finalizeIfComplete(deps, tenantId, evaluationId);
  }
  countMetric(MetricName.EvaluationsRedriven);
  logger.warn('stalled evaluation re-driven', { evaluation_id: evaluationId, status: evaluation.status, redrives: (evaluation.redrives ?? 0) + 1 });
  return 'redriven';
}
