import type * as v from 'valibot';
import { NotFoundError } from '../errors.js';
import type { EvaluationStore } from '../ports/evaluation-store.js';
import type { EvaluationStatusViewSchema } from '../../contracts/evaluations/response-schemas.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import { cacheModeOf } from '../evaluator/response-cache.js';

/** An evaluation's status and progress, as `GET /evaluations/{id}/status` and the lists show it. */
export type EvaluationStatusView = v.InferOutput<typeof EvaluationStatusViewSchema>;

const round1 = (value: number) => Math.round(value * 10) / 10;

export function toStatusView(evaluation: Evaluation, now = Date.now()): EvaluationStatusView {
  const { total_items: items, total_samples, completed_items, failed_items } = evaluation.progress;
  // With repeats the counters count samples, so every share and rate is of samples.
  const total_items = total_samples ?? items;
  const finished = completed_items + failed_items;
  const percent = evaluation.status === 'completed' ? 100 : total_items === 0 ? 0 : round1((finished / total_items) * 100);
  const elapsedSeconds = evaluation.started_at ? (now - Date.parse(evaluation.started_at)) / 1000 : 0;
  const rate = evaluation.status === 'running' && elapsedSeconds > 0 && finished > 0 ? finished / elapsedSeconds : null;
  const models = Object.entries(evaluation.model_progress ?? {}).map(([modelId, counts]) => ({
    model_id: modelId,
    scored: counts.scored,
    failed: counts.failed,
    percent: total_items === 0 ? 0 : round1(((counts.scored + counts.failed) / total_items) * 100),
  }));
  return {
    evaluation_id: evaluation.evaluation_id,
    status: evaluation.status,
    model_id: evaluation.model_id,
    ...(evaluation.model_id_2 ? { model_id_2: evaluation.model_id_2 } : {}),
    benchmark_id: evaluation.benchmark_id,
    created_at: evaluation.created_at,
    updated_at: evaluation.updated_at,
    ...(evaluation.budget_usd !== undefined ? { budget_usd: evaluation.budget_usd } : {}),
    ...(evaluation.results?.stop_reason ? { stop_reason: evaluation.results.stop_reason } : {}),
    ...(evaluation.source_evaluation_id ? { source_evaluation_id: evaluation.source_evaluation_id } : {}),
    cache_mode: cacheModeOf(evaluation),
    cache_hits: evaluation.cache_hits ?? 0,
    cache_saved_usd: evaluation.cache_saved_usd ?? 0,
    ...(evaluation.started_at ? { started_at: evaluation.started_at } : {}),
    ...(evaluation.completed_at ? { completed_at: evaluation.completed_at } : {}),
    progress: {
      total_items: items,
      ...(total_samples !== undefined ? { total_samples } : {}),
      completed_items,
      failed_items,
      percent,
      items_per_second: rate === null ? null : round1(rate),
      eta_seconds: rate === null ? null : Math.ceil((total_items - finished) / rate),
      models,
    },
    ...(evaluation.error ? { error: evaluation.error } : {}),
    ...(evaluation.resumed_at ? { resumed_at: evaluation.resumed_at, resumes: evaluation.resumes ?? 1 } : {}),
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
