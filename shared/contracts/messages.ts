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

/**
 * The largest body a work message may have. The API and the evaluator send bodies under 300 bytes; a
 * bigger one is not a work message (valibot's objects ignore unknown keys, so without this limit a
 * valid message padded with a megabyte of junk would be read as valid), and parsing it is wasted time.
 */
export const MAX_WORK_MESSAGE_BYTES = 16 * 1024;

/** Why a message could not be read, as a stable code for logs, metrics and the dead-letter record. */
export type UnreadableReason = 'too_large' | 'not_json' | 'unknown_version' | 'unknown_type' | 'invalid_fields';

/** What an unreadable message says about itself, when it says it plainly: where the operator should look. */
export interface MessageIdentity {
  type?: string;
  tenant_id?: string;
  evaluation_id?: string;
}

/**
 * Raised for a message the evaluator cannot read. Retrying cannot help, so the evaluator sends it
 * straight to the dead-letter queue, where it is recorded.
 */
export class UnreadableMessageError extends Error {
  readonly reason: UnreadableReason;
  readonly identity: MessageIdentity;

  constructor(messageId: string, reason: UnreadableReason, detail: string, identity: MessageIdentity = {}) {
    super(`Message ${messageId} is not a work message this evaluator understands (${reason}): ${detail}`);
    this.name = 'UnreadableMessageError';
    this.reason = reason;
    this.identity = identity;
  }
}

const knownTypes = new Set<unknown>(WorkMessageSchema.options.map((schema) => schema.entries.type.literal));

function identityOf(body: unknown): MessageIdentity {
  if (typeof body !== 'object' || body === null) return {};
  const fields = body as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : undefined);
  const identity: MessageIdentity = {};
  const type = text(fields.type);
  const tenantId = text(fields.tenant_id);
  const evaluationId = text(fields.evaluation_id);
  if (type) identity.type = type;
  if (tenantId) identity.tenant_id = tenantId;
  if (evaluationId) identity.evaluation_id = evaluationId;
  return identity;
}

export function parseWorkMessage(record: { messageId: string; body: string }): WorkMessage {
  const bytes = Buffer.byteLength(record.body, 'utf8');
  if (bytes > MAX_WORK_MESSAGE_BYTES) {
    throw new UnreadableMessageError(
      record.messageId,
      'too_large',
      `the body is ${bytes} bytes; a work message is at most ${MAX_WORK_MESSAGE_BYTES}`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new UnreadableMessageError(record.messageId, 'not_json', 'the body is not JSON');
  }
  const identity = identityOf(body);
  // Version and type first, each with its own reason: they say whether another evaluator could read it.
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const { version, type } = body as { version?: unknown; type?: unknown };
    if (version !== MESSAGE_VERSION) {
      throw new UnreadableMessageError(
        record.messageId,
        'unknown_version',
        `version ${JSON.stringify(version) ?? 'missing'}; this evaluator reads version ${MESSAGE_VERSION}`,
        identity,
      );
    }
    if (!knownTypes.has(type))
      throw new UnreadableMessageError(record.messageId, 'unknown_type', `type ${JSON.stringify(type) ?? 'missing'}`, identity);
  }
  const result = v.safeParse(WorkMessageSchema, body);
  if (!result.success) {
    const detail = result.issues.map((issue) => `${v.getDotPath(issue) ?? '(body)'}: ${issue.message}`).join('; ');
    throw new UnreadableMessageError(record.messageId, 'invalid_fields', detail, identity);
  }
  return result.output;
}
