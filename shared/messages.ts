import * as v from 'valibot';

/**
 * Messages on the work queue: the contract between the API (producer) and the evaluator (consumer).
 * Versioned, so a consumer can refuse what it does not understand instead of misreading it.
 */
export const MESSAGE_VERSION = 1;

const Identity = {
  version: v.literal(MESSAGE_VERSION),
  tenant_id: v.pipe(v.string(), v.nonEmpty()),
  evaluation_id: v.pipe(v.string(), v.startsWith('eval-')),
};

export const StartMessageSchema = v.object({ ...Identity, type: v.literal('start') });
export type StartMessage = v.InferOutput<typeof StartMessageSchema>;

export const WorkMessageSchema = v.variant('type', [StartMessageSchema]);
export type WorkMessage = v.InferOutput<typeof WorkMessageSchema>;

export function startMessage(tenantId: string, evaluationId: string): StartMessage {
  return { version: MESSAGE_VERSION, type: 'start', tenant_id: tenantId, evaluation_id: evaluationId };
}
