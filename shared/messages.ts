import * as v from 'valibot';

/**
 * Messages on the work queue: the contract between the API (producer) and the evaluator (consumer).
 * Versioned, so a consumer can refuse what it does not understand instead of misreading it.
 */
export const MESSAGE_VERSION = 1;

const Version = { version: v.literal(MESSAGE_VERSION), tenant_id: v.pipe(v.string(), v.nonEmpty()) };
const Identity = { ...Version, evaluation_id: v.pipe(v.string(), v.startsWith('eval-')) };

export const StartMessageSchema = v.object({ ...Identity, type: v.literal('start') });
export type StartMessage = v.InferOutput<typeof StartMessageSchema>;

/** One slice of an evaluation: items [first_position, first_position + count) for every model. */
export const ChunkMessageSchema = v.object({
  ...Identity,
  type: v.literal('chunk'),
  chunk: v.pipe(v.number(), v.integer(), v.minValue(0)),
  first_position: v.pipe(v.number(), v.integer(), v.minValue(0)),
  count: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000)),
});
export type ChunkMessage = v.InferOutput<typeof ChunkMessageSchema>;

/** Deletes a deleted benchmark's items in the background, a slice per message. */
export const PurgeBenchmarkMessageSchema = v.object({
  ...Version,
  type: v.literal('purge_benchmark'),
  benchmark_id: v.pipe(v.string(), v.nonEmpty()),
});
export type PurgeBenchmarkMessage = v.InferOutput<typeof PurgeBenchmarkMessageSchema>;

export const WorkMessageSchema = v.variant('type', [StartMessageSchema, ChunkMessageSchema, PurgeBenchmarkMessageSchema]);
export type WorkMessage = v.InferOutput<typeof WorkMessageSchema>;

export function startMessage(tenantId: string, evaluationId: string): StartMessage {
  return { version: MESSAGE_VERSION, type: 'start', tenant_id: tenantId, evaluation_id: evaluationId };
}

export function chunkMessage(tenantId: string, evaluationId: string, chunk: number, firstPosition: number, count: number): ChunkMessage {
  return { version: MESSAGE_VERSION, type: 'chunk', tenant_id: tenantId, evaluation_id: evaluationId, chunk, first_position: firstPosition, count };
}

export function purgeBenchmarkMessage(tenantId: string, benchmarkId: string): PurgeBenchmarkMessage {
  return { version: MESSAGE_VERSION, type: 'purge_benchmark', tenant_id: tenantId, benchmark_id: benchmarkId };
}

/** Raised for a message the evaluator cannot read: it is retried, then dead-lettered and recorded there. */
export class UnreadableMessageError extends Error {
  constructor(messageId: string, reason: string) {
    super(`Message ${messageId} is not a work message this evaluator understands: ${reason}`);
    this.name = 'UnreadableMessageError';
  }
}

export function parseWorkMessage(record: { messageId: string; body: string }): WorkMessage {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new UnreadableMessageError(record.messageId, 'the body is not JSON');
  }
  const result = v.safeParse(WorkMessageSchema, body);
  if (!result.success) {
    throw new UnreadableMessageError(record.messageId, result.issues.map((issue) => issue.message).join('; '));
  }
  return result.output;
}
