import type { EvaluationPlan } from '../../contracts/evaluations/schemas.js';
import { chunkMessage, type ChunkMessage } from '../../contracts/messages.js';
import { serviceConfig } from '../../platform/config.js';
import { chunkWindow } from './chunk-window.js';

export const DEFAULT_CHUNK_SIZE = 100;

/**
 * Splits an evaluation into chunks of consecutive items. A chunk must finish well inside the evaluator's
 * timeout even when a provider is slow, so the size is modest; `ARBITER_CHUNK_SIZE` tunes it. The plan
 * pins how many chunks may be in flight at once (`ARBITER_CHUNK_WINDOW`, chunk-window.ts). `chunk_size` counts items.
 */
export function planChunks(
  totalItems: number,
  chunkSize = serviceConfig.chunkSize ?? DEFAULT_CHUNK_SIZE,
  window = chunkWindow(),
  repeats = 1,
): EvaluationPlan {
  const samples = Number.isInteger(chunkSize) && chunkSize > 0 ? chunkSize : DEFAULT_CHUNK_SIZE;
  // The chunk size bounds calls, so with repeats a chunk holds fewer items: its samples fit the same time.
  const size = Math.max(1, Math.floor(samples / Math.max(1, repeats)));
  return { chunk_size: size, chunk_count: Math.max(1, Math.ceil(totalItems / size)), chunk_window: chunkWindow(window) };
}

/** The messages of the given chunks of the plan, in the order given. */
export function messagesOfChunks(
  tenantId: string,
  evaluationId: string,
  totalItems: number,
  plan: EvaluationPlan,
  chunks: readonly number[],
): ChunkMessage[] {
  return chunks.map((chunk) => chunkMessageOf(tenantId, evaluationId, totalItems, plan, chunk));
}

/** The message of one chunk of the plan. */
export function chunkMessageOf(tenantId: string, evaluationId: string, totalItems: number, plan: EvaluationPlan, chunk: number): ChunkMessage {
  const first = chunk * plan.chunk_size;
  return chunkMessage(tenantId, evaluationId, chunk, first, Math.max(1, Math.min(plan.chunk_size, totalItems - first)));
}

/** The messages of the plan's chunks, less those in `skip`. */
export function chunkMessages(
  tenantId: string,
  evaluationId: string,
  totalItems: number,
  plan: EvaluationPlan,
  skip: ReadonlySet<number> = new Set(),
): ChunkMessage[] {
  const messages: ChunkMessage[] = [];
  for (let chunk = 0; chunk < plan.chunk_count; chunk += 1) {
    if (!skip.has(chunk)) messages.push(chunkMessageOf(tenantId, evaluationId, totalItems, plan, chunk));
  }
  return messages;
}

/** The message of one chunk of the plan, as `chunkMessages` builds it. */
export function chunkMessageAt(tenantId: string, evaluationId: string, totalItems: number, plan: EvaluationPlan, chunk: number): ChunkMessage {
  const first = chunk * plan.chunk_size;
  return chunkMessage(tenantId, evaluationId, chunk, first, Math.max(1, Math.min(plan.chunk_size, totalItems - first)));
}
