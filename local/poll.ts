/** Polling with a deadline: the local stack waits for things to become true, never for a fixed time. */

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Named in the timeout error, e.g. "DynamoDB Local to answer ListTables". */
  description?: string;
  /** Checked before each attempt; a returned message ends the wait at once (e.g. "the JVM exited"). */
  abortIf?: () => string | undefined;
}

export class PollTimeoutError extends Error {
  constructor(
    message: string,
    readonly lastError?: unknown,
  ) {
    super(message);
    this.name = 'PollTimeoutError';
  }
}

/**
 * Calls `check` until it returns a value other than `undefined`/`false`, and returns that value. An
 * exception thrown by `check` counts as "not yet" (a server that refuses connections while starting) and
 * is reported if the deadline passes.
 */
export async function pollUntil<T>(check: () => Promise<T | undefined | false> | T | undefined | false, options: PollOptions): Promise<T> {
  const { timeoutMs, intervalMs = 100, description = 'condition', abortIf } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const abortReason = abortIf?.();
    if (abortReason) throw new Error(`Gave up waiting for ${description}: ${abortReason}`);
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new PollTimeoutError(`Timed out after ${timeoutMs} ms waiting for ${description}${detail}`, lastError);
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
