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

/**
 * One controller, aborted by the timer or by the caller, rather than `AbortSignal.any`, which costs a
 * second signal and its bookkeeping on every model call.
 */
export function startDeadline(timeoutMs: number, callerSignal?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  const handle = setTimeout(() => {
    expired = true;
    controller.abort(new Error(`no answer within ${timeoutMs} ms`));
  }, timeoutMs);
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired && !callerSignal?.aborted,
    clear: () => {
      clearTimeout(handle);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}
