import * as v from 'valibot';

/** An evaluation's lifecycle. Its own module: the list query, the response schemas and the stored record all use it. */
export const evaluationStatuses = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export const EvaluationStatusSchema = v.picklist(evaluationStatuses);
export type EvaluationStatus = v.InferOutput<typeof EvaluationStatusSchema>;
export const finalStatuses: readonly EvaluationStatus[] = ['completed', 'failed', 'cancelled'];
