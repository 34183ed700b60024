import { UnprocessableEntityError } from '../errors.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { EvaluationStore } from '../ports/evaluation-store.js';

/** The two forms of a baseline: an evaluation id, or the tags the newest completed run must carry. */
export type BaselineSelector = { kind: 'id'; evaluationId: string } | { kind: 'latest'; tags: Record<string, string> };

/** Reads a selector the contract's pattern already admitted (`latest:k=v[,k=v…]` or `eval-…`). */
export function parseBaselineSelector(selector: string): BaselineSelector {
  if (!selector.startsWith('latest:')) return { kind: 'id', evaluationId: selector };
  const tags: Record<string, string> = {};
  for (const pair of selector.slice('latest:'.length).split(',')) {
    const at = pair.indexOf('=');
    tags[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { kind: 'latest', tags };
}

/** What the candidate is: the baseline must have run the same benchmark with the same models. */
export interface BaselineCandidate {
  benchmark_id: string;
  model_id: string;
  model_id_2?: string;
}

const modelsOf = (evaluation: BaselineCandidate) => (evaluation.model_id_2 ? [evaluation.model_id, evaluation.model_id_2] : [evaluation.model_id]);

/**
 * The completed evaluation a selector names for this candidate; 422 at `path` when there is none, it
 * has not completed, or it ran another benchmark or model. Another tenant's id reads as no evaluation.
 */
export async function resolveBaseline(
  store: Pick<EvaluationStore, 'get' | 'findLatestTagged'>,
  tenantId: string,
  selector: string,
  candidate: BaselineCandidate,
  path = 'baseline',
): Promise<Evaluation> {
  const parsed = parseBaselineSelector(selector);
  const models = modelsOf(candidate);
  if (parsed.kind === 'latest') {
    const found = await store.findLatestTagged(tenantId, { benchmarkId: candidate.benchmark_id, models, tags: parsed.tags });
    if (found) return found;
    throw new UnprocessableEntityError(
      'baseline_not_found',
      `No completed evaluation of benchmark ${candidate.benchmark_id} with model ${models.join(' and ')} carries the tags ${selector.slice('latest:'.length)}`,
      [{ path, message: 'no completed evaluation matches this selector' }],
    );
  }
  const baseline = await store.get(tenantId, parsed.evaluationId);
  if (!baseline) {
    throw new UnprocessableEntityError('baseline_not_found', `Unknown baseline evaluation ${parsed.evaluationId}`, [
      { path, message: 'no evaluation with this id' },
    ]);
  }
  checkBaselineUsable(baseline, path);
  if (baseline.benchmark_id !== candidate.benchmark_id || modelsOf(baseline).join('\n') !== models.join('\n')) {
    throw new UnprocessableEntityError(
      'baseline_mismatch',
      `Baseline ${baseline.evaluation_id} ran benchmark ${baseline.benchmark_id} with ${modelsOf(baseline).join(' and ')}; this evaluation runs ${candidate.benchmark_id} with ${models.join(' and ')}`,
      [{ path, message: 'the baseline ran another benchmark or model' }],
    );
  }
  return baseline;
}

/** Only a completed run has results that mean what they say: a failed or cancelled one is partial. */
export function checkBaselineUsable(evaluation: Evaluation, path: string): void {
  if (evaluation.status !== 'completed') {
    throw new UnprocessableEntityError(
      'evaluation_not_finished',
      `Evaluation ${evaluation.evaluation_id} is ${evaluation.status}; only a completed evaluation can be compared`,
      [{ path, message: `the evaluation is ${evaluation.status}, not completed` }],
    );
  }
}
