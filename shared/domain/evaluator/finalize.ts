import type { EvaluationResults, ItemResult } from '../../contracts/evaluations/result-types.js';
import { logger } from '../../platform/logger.js';
import type { EvaluatorDeps } from './deps.js';
import { computeResults } from './aggregate-results.js';

/**
 * Finalizes an evaluation once every chunk is counted: aggregates, comparison, usage and cost, then the
 * conditional move to its final state. Safe to call any number of times; only the first call that finds
 * the count whole writes, and a second finalizer racing it loses the condition.
 */
export async function finalizeIfComplete(deps: Pick<EvaluatorDeps, 'evaluations' | 'benchmarks' | 'scorerFor'>, tenantId: string, evaluationId: string): Promise<void> {
  const evaluation = await deps.evaluations.getConsistent(tenantId, evaluationId);
  if (!evaluation?.plan || evaluation.results) return;
  if ((evaluation.chunks_done ?? 0) < evaluation.plan.chunk_count) return;
  if (evaluation.status !== 'running' && evaluation.status !== 'cancelled') return;

  const rows: ItemResult[] = [];
  for await (const page of deps.evaluations.allResults(tenantId, evaluationId)) rows.push(...page);
  const benchmark = await deps.benchmarks.get(tenantId, evaluation.benchmark_id);
  const metrics = benchmark ? deps.scorerFor(evaluation, benchmark).metrics : [];
  const results: EvaluationResults = computeResults(evaluation, rows, metrics);

  // An evaluation fails only when it could not proceed at all: a model that failed every item.
  const unusable = results.models.filter((model) => model.completed_items === 0 && model.failed_items > 0);
  if (evaluation.status === 'running' && unusable.length > 0) {
    const reasons = unusable.map((model) => `${model.model_id}: ${Object.keys(model.failure_reasons).join(', ')}`).join('; ');
    const finished = await deps.evaluations.finish(tenantId, evaluationId, 'running', 'failed', results, {
      code: 'model_unusable',
      message: `Every item failed for ${reasons}; see GET /api/v3/evaluations/${evaluationId}/results?failed=true`,
    });
    if (finished) logger.warn('evaluation failed: a model failed every item', { evaluation_id: evaluationId, reasons });
    return;
  }
  const to = evaluation.status === 'running' ? 'completed' : 'cancelled';
  if (await deps.evaluations.finish(tenantId, evaluationId, evaluation.status, to, results)) {
    logger.info('evaluation finalized', { evaluation_id: evaluationId, status: to, items: rows.length });
  }
}
