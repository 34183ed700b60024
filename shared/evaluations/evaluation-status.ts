import { NotFoundError } from '../errors.js';
import type { EvaluationStore } from '../store/evaluation-store.js';
import type { Evaluation, EvaluationError, EvaluationStatus } from './schemas.js';

export interface EvaluationStatusView {
  evaluation_id: string;
  status: EvaluationStatus;
  model_id: string;
  model_id_2?: string;
  benchmark_id: string;
  created_at: string;
  updated_at: string;
  started_at?: string;
  completed_at?: string;
  progress: {
    total_items: number;
    completed_items: number;
    failed_items: number;
    /** Share of items finished (scored or failed), 0–100, one decimal. */
    percent: number;
  };
  error?: EvaluationError;
}

export function toStatusView(evaluation: Evaluation): EvaluationStatusView {
  const { total_items, completed_items, failed_items } = evaluation.progress;
  const finished = completed_items + failed_items;
  const percent = evaluation.status === 'completed' ? 100 : total_items === 0 ? 0 : Math.round((finished / total_items) * 1000) / 10;
  return {
    evaluation_id: evaluation.evaluation_id,
    status: evaluation.status,
    model_id: evaluation.model_id,
    ...(evaluation.model_id_2 ? { model_id_2: evaluation.model_id_2 } : {}),
    benchmark_id: evaluation.benchmark_id,
    created_at: evaluation.created_at,
    updated_at: evaluation.updated_at,
    ...(evaluation.started_at ? { started_at: evaluation.started_at } : {}),
    ...(evaluation.completed_at ? { completed_at: evaluation.completed_at } : {}),
    progress: { total_items, completed_items, failed_items, percent },
    ...(evaluation.error ? { error: evaluation.error } : {}),
  };
}

/** Another tenant's evaluation answers exactly as one that does not exist. */
export async function getEvaluationStatus(
  store: Pick<EvaluationStore, 'get'>,
  tenantId: string,
  evaluationId: string,
): Promise<EvaluationStatusView> {
  const evaluation = await store.get(tenantId, evaluationId);
  if (!evaluation) throw new NotFoundError('evaluation', evaluationId, 'evaluation_id');
  return toStatusView(evaluation);
}
