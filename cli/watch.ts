import type { Schemas } from '../client/index.js';
import { call, type Api, type Received } from './api.js';
import { ApiCallError, CliError } from './errors.js';
import type { Io } from './io.js';
import { evaluationProgressView } from './progress.js';

type EvaluationStatus = Received<Schemas['EvaluationStatus']>;

export const finalStatuses: readonly EvaluationStatus['status'][] = ['completed', 'failed', 'cancelled'];

/** Polls in a row that may fail (a restart, a throttled request) before the watch gives up. */
const maxConsecutiveFailures = 5;

const isTransient = (error: unknown) => !(error instanceof ApiCallError) || error.status >= 500 || error.status === 429;

/**
 * Follows an evaluation to its final status with the status route, showing each model's progress, and
 * answers the final status. A passing network error or 5xx is retried; a 4xx is not (it will not change).
 */
export async function watchEvaluation(api: Api, io: Io, evaluationId: string, intervalMs: number): Promise<EvaluationStatus> {
  const view = evaluationProgressView(io);
  let failures = 0;
  try {
    for (;;) {
      let status: EvaluationStatus;
      try {
        ({ data: status } = await call(api, () =>
          api.client.GET('/api/v3/evaluations/{evaluation_id}/status', { params: { path: { evaluation_id: evaluationId } } }),
        ));
        failures = 0;
      } catch (error) {
        failures += 1;
        if (!isTransient(error) || failures >= maxConsecutiveFailures) throw error;
        await io.sleep(intervalMs);
        continue;
      }
      view.update(status);
      if (finalStatuses.includes(status.status)) return status;
      await io.sleep(intervalMs);
    }
  } finally {
    view.stop();
  }
}

/** A failed or cancelled evaluation is an error for the command that waited for it. */
export function finalStatusError(status: EvaluationStatus): CliError | undefined {
  if (status.status === 'failed') {
    return new CliError(
      `evaluation ${status.evaluation_id} failed: ${status.error?.message ?? 'no reason recorded'} (${status.error?.code ?? 'failed'})`,
    );
  }
  if (status.status === 'cancelled') return new CliError(`evaluation ${status.evaluation_id} was cancelled`);
  return undefined;
}
