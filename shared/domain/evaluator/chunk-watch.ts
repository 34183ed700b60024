import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { EvaluatorDeps } from './deps.js';

/** How often a running chunk re-reads the evaluation to notice a cancel. */
const CANCEL_CHECK_MS = 2000;
/** No new model call starts with less invocation time than this left. */
export const START_CALLS_UNTIL_MS = 20_000;
/** Calls still in flight this close to the invocation's timeout are abandoned, leaving time to write. */
const STOP_CALLS_AT_MS = 10_000;

/** Raised when the invocation is about to time out: the message is retried and resumes from stored results. */
export class ChunkOutOfTimeError extends Error {
  constructor(chunk: number) {
    super(`Chunk ${chunk} ran out of invocation time; it will resume from its stored results`);
    this.name = 'ChunkOutOfTimeError';
  }
}

/**
 * Watches a running chunk's two reasons to stop calling models: its evaluation was cancelled, or its
 * invocation is running out of time. Its signal aborts the calls in flight for either.
 *
 * Calls in flight stop too when the invocation is about to time out, not only new ones: a provider that
 * hangs would otherwise hold the chunk past the function's timeout, and the whole batch would be retried
 * with this chunk's unwritten answers lost. What was answered is written; the rest resumes on redelivery.
 * Calls stop as well when `lease` aborts: another delivery holds the chunk now, and this one's answers
 * could not be written.
 */
export class ChunkWatch {
  private readonly deps: Pick<EvaluatorDeps, 'evaluations'>;
  private readonly evaluation: Evaluation;
  private readonly remainingMs: () => number;
  private readonly abort = new AbortController();
  private readonly stopTimer: ReturnType<typeof setTimeout> | undefined;
  private lastCheck = Date.now();
  private cancelledSeen = false;
  private outOfTimeSeen = false;

  constructor(deps: Pick<EvaluatorDeps, 'evaluations'>, evaluation: Evaluation, chunk: number, remainingMs: () => number, lease?: AbortSignal) {
    this.deps = deps;
    this.evaluation = evaluation;
    this.remainingMs = remainingMs;
    lease?.addEventListener('abort', () => this.abort.abort(lease.reason), { once: true });
    const stopInMs = remainingMs() - STOP_CALLS_AT_MS;
    this.stopTimer = Number.isFinite(stopInMs)
      ? setTimeout(
          () => {
            this.outOfTimeSeen = true;
            this.abort.abort(new ChunkOutOfTimeError(chunk));
          },
          Math.max(0, stopInMs),
        )
      : undefined;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get cancelled(): boolean {
    return this.cancelledSeen;
  }

  get outOfTime(): boolean {
    return this.outOfTimeSeen;
  }

  /** Whether a new model call may start; re-reads the evaluation at most every CANCEL_CHECK_MS. */
  async stillWanted(): Promise<boolean> {
    if (this.cancelledSeen || this.abort.signal.aborted) return false;
    if (this.remainingMs() < START_CALLS_UNTIL_MS) return false;
    if (Date.now() - this.lastCheck > CANCEL_CHECK_MS) {
      this.lastCheck = Date.now();
      const current = await this.deps.evaluations.getConsistent(this.evaluation.tenant_id, this.evaluation.evaluation_id);
      if (current?.status === 'cancelled') {
        this.cancelledSeen = true;
        this.abort.abort();
      }
    }
    return !this.cancelledSeen;
  }

  /** Ends the watch once the chunk's calls have settled, so the timer does not outlive them. */
  stop(): void {
    clearTimeout(this.stopTimer);
  }
}
