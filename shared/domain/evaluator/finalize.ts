import type { EvaluationResults } from '../../contracts/evaluations/result-types.js';
import { logger } from '../../platform/logger.js';
import type { EvaluatorDeps } from './deps.js';
import { BUDGET_EXHAUSTED, withSpend } from './budget.js';
import { ResultColumns } from './result-columns.js';
import { allChunksCounted } from './chunk-window.js';

/** A finalizer whose write lost to a cancel reads the evaluation again this many times at most. */
const FINALIZE_ATTEMPTS = 3;

/**
 * Finalizes an evaluation once every chunk is counted: aggregates, comparison, usage and cost, then the
 * conditional move to its final state. Safe to call any number of times; only the first call that finds
 * the count whole writes, and a second finalizer racing it loses the condition.
 *
 * The write is conditional on the status read, so a cancel that lands between the read and the write
 * makes it fail; nothing else would then finalize the evaluation (every chunk is counted) until the
 * reconciler found it stalled. So a lost write reads the evaluation again and, while it is whole and still
 * without results, finalizes it in its new status: a cancelled one ends `cancelled` with its results.
 */
export async function finalizeIfComplete(
  deps: Pick<EvaluatorDeps, 'evaluations' | 'benchmarks' | 'scorerFor' | 'spend'>,
  tenantId: string,
  evaluationId: string,
): Promise<void> {
  for (let attempt = 1; attempt <= FINALIZE_ATTEMPTS; attempt += 1) {
    const outcome = await finalizeOnce(deps, tenantId, evaluationId);
    if (outcome !== 'lost') return;
    logger.info('final state not written: the evaluation changed since it was read; reading it again', { evaluation_id: evaluationId, attempt });
  }
}

/** `lost` when the evaluation was ready to finalize but its status changed before the write. */
async function finalizeOnce(
  deps: Pick<EvaluatorDeps, 'evaluations' | 'benchmarks' | 'scorerFor' | 'spend'>,
  tenantId: string,
  evaluationId: string,
): Promise<'done' | 'lost'> {
  const evaluation = await deps.evaluations.getConsistent(tenantId, evaluationId);
  if (!evaluation?.plan || evaluation.results) return 'done';
  // A cancelled evaluation claims no more chunks, so it is whole once those it claimed are counted.
  if (!allChunksCounted(evaluation)) return 'done';
  if (evaluation.status !== 'running' && evaluation.status !== 'cancelled') return 'done';

  const benchmark = await deps.benchmarks.get(tenantId, evaluation.benchmark_id);
  const metrics = benchmark ? deps.scorerFor(evaluation, benchmark).metrics : [];
  const ledger = evaluation.budget_usd === undefined ? undefined : await deps.spend?.read(tenantId, evaluationId);
  // Streamed: each page of scores goes into compact columns and is dropped, so 200,000 items × 2 models
  // fit the evaluator's memory (the rows with their answers would not); see docs/statistics.md.
  const columns = new ResultColumns(evaluation, metrics);
  for await (const page of deps.evaluations.allScores(tenantId, evaluationId, columns.shape)) columns.add(page);
  const results: EvaluationResults = withSpend(columns.results(), evaluation, ledger);

  // An evaluation fails only when it could not proceed at all: a model that failed every item it was
  // called for. Items the budget left unanswered were never tried: the evaluation completes with what it has.
  const unusable = results.models.filter(
    (model) => model.completed_items === 0 && model.failed_items - (model.failure_reasons[BUDGET_EXHAUSTED] ?? 0) > 0,
  );
  if (evaluation.status === 'running' && unusable.length > 0) {
    const reasons = unusable.map((model) => `${model.model_id}: ${Object.keys(model.failure_reasons).join(', ')}`).join('; ');
    const finished = await deps.evaluations.finish(tenantId, evaluationId, 'running', 'failed', results, {
      code: 'model_unusable',
      message: `Every item failed for ${reasons}; see GET /api/v3/evaluations/${evaluationId}/results?failed=true`,
    });
    if (finished) logger.warn('evaluation failed: a model failed every item', { evaluation_id: evaluationId, reasons });
    return finished ? 'done' : 'lost';
  }
  const to = evaluation.status === 'running' ? 'completed' : 'cancelled';
  if (await deps.evaluations.finish(tenantId, evaluationId, evaluation.status, to, results)) {
    logger.info('evaluation finalized', { evaluation_id: evaluationId, status: to, items: columns.rows });
    return 'done';
  }
  return 'lost';
}
