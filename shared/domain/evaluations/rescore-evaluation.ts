import type { CreateEvaluationRequest, Evaluation, RescoreRequest } from '../../contracts/evaluations/schemas.js';
import { ConflictError, NotFoundError, UnprocessableEntityError } from '../errors.js';
import { BenchmarkVersionChangedError, type EvaluationStore } from '../ports/evaluation-store.js';
import { checkMetricNames, createPinned, type CreateEvaluationDeps, type CreateEvaluationResult } from './create-evaluation.js';

export interface RescoreDeps extends CreateEvaluationDeps {
  evaluations: CreateEvaluationDeps['evaluations'] & Pick<EvaluationStore, 'get'>;
}

/** Only a completed evaluation holds an answer (or a final failure) for every item. */
function checkRescorable(source: Evaluation): void {
  if (source.status === 'completed') return;
  const unfinished = source.status === 'pending' || source.status === 'running';
  throw new ConflictError(
    unfinished
      ? `Evaluation ${source.evaluation_id} is ${source.status}: rescore it once it has completed`
      : `Evaluation ${source.evaluation_id} ended ${source.status}, so some items have no answer to score: rescore a completed evaluation`,
    unfinished ? 'evaluation_not_finished' : 'evaluation_not_completed',
  );
}

/**
 * A new evaluation that scores `sourceId`'s stored answers with other metrics: the same models,
 * benchmark items and answers, no candidate calls (only judges). It runs through the evaluator like any
 * evaluation, so its results, report, comparison and usage read exactly as a create's.
 */
export async function rescoreEvaluation(
  deps: RescoreDeps,
  tenantId: string,
  sourceId: string,
  request: RescoreRequest,
  idempotencyKey?: string,
): Promise<CreateEvaluationResult> {
  const source = await deps.evaluations.get(tenantId, sourceId);
  // Another tenant's evaluation reads exactly as one that does not exist.
  if (!source) throw new NotFoundError('evaluation', sourceId, 'evaluation_id');
  checkRescorable(source);
  const asCreate: CreateEvaluationRequest = {
    model_id: source.model_id,
    ...(source.model_id_2 ? { model_id_2: source.model_id_2 } : {}),
    benchmark_id: source.benchmark_id,
    custom_metrics: request.custom_metrics,
    ...(request.budget_usd !== undefined ? { budget_usd: request.budget_usd } : {}),
    ...(request.tags ? { tags: request.tags } : {}),
  };
  checkMetricNames(asCreate);
  for (let attempt = 1; ; attempt += 1) {
    const benchmark = await deps.benchmarks.get(tenantId, source.benchmark_id);
    if (!benchmark) {
      throw new UnprocessableEntityError(
        'benchmark_deleted',
        `Benchmark ${source.benchmark_id}, which evaluation ${sourceId} ran on, was deleted: its items can no longer be scored`,
        [{ path: 'evaluation_id', message: 'its benchmark was deleted' }],
      );
    }
    try {
      // The source's model snapshots, not today's registrations: the answers came from those.
      return await createPinned(deps, tenantId, asCreate, source.models, benchmark, idempotencyKey, source);
    } catch (error) {
      if (!(error instanceof BenchmarkVersionChangedError) || attempt >= 3) throw error;
    }
  }
}
