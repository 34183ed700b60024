import type { Evaluation, EvaluationPlan } from '../../contracts/evaluations/schemas.js';
import { serviceConfig } from '../../platform/config.js';
import type { WindowClaim } from '../ports/evaluation-store.js';

/**
 * Chunks of one evaluation in flight at once. Two keep a model's concurrency limit busy while one chunk
 * drains its last slow items and the next starts, so one evaluation runs near its models'
 * `max_concurrency`; and they take 2 of the local stack's 4 evaluator pollers (2 of the 20 deployed
 * invocations), so another tenant's start and chunks find a free consumer at once. docs/infrastructure.md
 * ("Fair scheduling") weighs other values.
 */
export const DEFAULT_CHUNK_WINDOW = 2;

/** The window a new plan pins: `ARBITER_CHUNK_WINDOW`, else the default. */
export function chunkWindow(configured = serviceConfig.chunkWindow ?? DEFAULT_CHUNK_WINDOW): number {
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_CHUNK_WINDOW;
}

/** The plan's window; a plan without one (made before the window existed) sent every chunk at once. */
export function windowOf(plan: EvaluationPlan): number {
  return plan.chunk_window ?? plan.chunk_count;
}

/** Chunks the start sends: the first window's worth, or fewer when the plan is smaller. */
export function initialSent(plan: EvaluationPlan): number {
  return Math.min(windowOf(plan), plan.chunk_count);
}

/** Chunks claimed for sending so far; an evaluation started before the window sent all of them. */
export function sentCount(evaluation: Pick<Evaluation, 'plan' | 'chunks_sent'>): number {
  return evaluation.chunks_sent ?? evaluation.plan?.chunk_count ?? 0;
}

/**
 * How many more chunks may be claimed now: the window less the chunks in flight (claimed, not counted),
 * never past the plan's end. Claims are of the next chunks in plan order, so chunks `[0, sent)` are the
 * claimed ones and `done` of them are counted.
 */
export function windowRoom(plan: EvaluationPlan, sent: number, done: number): number {
  return Math.max(0, Math.min(plan.chunk_count, done + windowOf(plan)) - sent);
}

/**
 * The chunks inside the window: claimed but not counted. After a crash or a lost message these are the
 * ones to send again, never the whole plan: a chunk past `sent` was never claimed, so no message of it
 * can have been lost, and its turn comes when a chunk before it is counted.
 */
export function inFlightChunks(sent: number, done: ReadonlySet<number>): number[] {
  const chunks: number[] = [];
  for (let chunk = 0; chunk < sent; chunk += 1) if (!done.has(chunk)) chunks.push(chunk);
  return chunks;
}

/**
 * Whether nothing more of the evaluation will be counted: every chunk of the plan, or, once cancelled
 * (which stops every further claim), every chunk claimed before the cancel.
 */
export function allChunksCounted(evaluation: Pick<Evaluation, 'plan' | 'chunks_sent' | 'chunks_done' | 'status'>): boolean {
  if (!evaluation.plan) return false;
  const done = evaluation.chunks_done ?? 0;
  if (done >= evaluation.plan.chunk_count) return true;
  return evaluation.status === 'cancelled' && done >= sentCount(evaluation);
}

/**
 * Whether a delivery sends a claimed chunk: a claim it made itself, always; one an earlier delivery of the
 * same counted chunk made, only when that delivery never recorded the send and has had longer than a
 * chunk lease to make it (it died between claim and send). A younger unrecorded claim is most likely being
 * sent right now by a live delivery running alongside (a duplicate); sending it as well would duplicate
 * the chunk, and each duplicate's own refill could duplicate the next. A delivery whose claimer died
 * comes back only after its visibility timeout, longer than a lease, so it is old enough by then.
 */
export function shouldSendClaim(
  claim: Pick<WindowClaim, 'made' | 'claimedAt' | 'sent'>,
  now: number,
  graceMs = serviceConfig.chunkLeaseSeconds * 1000,
): boolean {
  if (claim.made) return true;
  return !claim.sent && now - claim.claimedAt >= graceMs;
}
