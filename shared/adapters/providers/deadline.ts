/**
 * One attempt's time limit, combined with the caller's signal. Kept apart from the caller's signal so a
 * failure can tell "too slow" (a retryable timeout) from "cancelled" (stop everything).
 */
export interface Deadline {
  readonly signal: AbortSignal;
  timedOut(): boolean;
  /** Stops the timer; call it once the attempt has finished, even on failure. */
  clear(): void;
}

export function startDeadline(timeoutMs: number, callerSignal?: AbortSignal): Deadline {
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  return {
    signal: callerSignal ? AbortSignal.any([callerSignal, timer.signal]) : timer.signal,
    timedOut: () => timer.signal.aborted && !callerSignal?.aborted,
    clear: () => clearTimeout(handle),
  };
}
