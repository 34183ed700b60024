import type * as v from 'valibot';
import { ConflictError, NotFoundError } from '../errors.js';
import { logger } from '../../platform/logger.js';
import type { Page } from '../../contracts/pagination.js';
import type { EvaluationStore } from '../ports/evaluation-store.js';
import type { EvaluationViewSchema } from '../../contracts/evaluations/response-schemas.js';
import type { ItemResult } from '../../contracts/evaluations/result-types.js';
import type { ListEvaluationsQuery, ListResultsQuery } from '../../contracts/evaluations/query-schemas.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import { toStatusView, type EvaluationStatusView } from './evaluation-status.js';

type Store = Pick<EvaluationStore, 'get' | 'cancel' | 'list' | 'listResults'>;

/** An evaluation as `GET /evaluations/{id}` shows it: the record, its pins, and its results once final. */
export type EvaluationView = v.InferOutput<typeof EvaluationViewSchema>;

export function toEvaluationView(evaluation: Evaluation): EvaluationView {
  return {
    ...toStatusView(evaluation),
    benchmark_version: evaluation.benchmark_version,
    benchmark_content_hash: evaluation.benchmark_content_hash,
    custom_metrics: evaluation.custom_metrics,
    models: evaluation.models,
    ...(evaluation.judges ? { judges: evaluation.judges, judge_models: evaluation.judge_models ?? [] } : {}),
    results: evaluation.results ?? null,
  };
}

async function find(store: Pick<Store, 'get'>, tenantId: string, evaluationId: string): Promise<Evaluation> {
  const evaluation = await store.get(tenantId, evaluationId);
  if (!evaluation) throw new NotFoundError('evaluation', evaluationId, 'evaluation_id');
  return evaluation;
}

export async function getEvaluation(store: Store, tenantId: string, evaluationId: string) {
  return toEvaluationView(await find(store, tenantId, evaluationId));
}

export async function listEvaluations(store: Store, tenantId: string, query: ListEvaluationsQuery): Promise<Page<EvaluationStatusView>> {
  const page = await store.list(tenantId, {
    limit: query.limit,
    cursor: query.cursor,
    filter: { status: query.status, benchmark_id: query.benchmark_id, model_id: query.model_id, tags: query.tag },
  });
  return { items: page.items.map(toStatusView), next_cursor: page.next_cursor };
}

/** The evaluation whose results are read; a `model_id` filter naming a model it did not evaluate answers 404. */
export async function findForResults(store: Pick<Store, 'get'>, tenantId: string, evaluationId: string, modelId?: string): Promise<Evaluation> {
  const evaluation = await find(store, tenantId, evaluationId);
  if (modelId && !evaluation.models.some((model) => model.model_id === modelId)) {
    throw new NotFoundError('model in this evaluation', modelId, 'model_id');
  }
  return evaluation;
}

export async function listResults(store: Store, tenantId: string, evaluationId: string, query: ListResultsQuery): Promise<Page<ItemResult>> {
  await findForResults(store, tenantId, evaluationId, query.model_id);
  return store.listResults(tenantId, evaluationId, { limit: query.limit, cursor: query.cursor, failedOnly: query.failed, modelId: query.model_id });
}

/** Stops further chunks from calling models; what was done is kept. 409 once the evaluation has finished. */
export async function cancelEvaluation(store: Store, tenantId: string, evaluationId: string): Promise<EvaluationStatusView> {
  const cancelled = await store.cancel(tenantId, evaluationId);
  if (cancelled) {
    logger.info('evaluation cancelled', { evaluation_id: evaluationId });
    return toStatusView(cancelled);
  }
  const evaluation = await find(store, tenantId, evaluationId);
  throw new ConflictError(
    `Evaluation ${evaluationId} has already finished (${evaluation.status}); there is nothing to cancel`,
    'evaluation_finished',
  );
}
