/**
 * Exponential backoff with full jitter, the scheme AWS recommends for many clients sharing one limit:
 * the wait is drawn uniformly from the whole window, so a burst of throttled calls does not come back as
 * another burst. Each caller keeps its own base and cap (DynamoDB's unprocessed writes, SQS's refused
 * batch entries, provider calls).
 */
export interface BackoffOptions {
  /** The window of the first retry (`attempt` 0); it doubles with each attempt. */
  baseMs: number;
  /** Cap on the window before jitter; none when absent. */
  capMs?: number;
  /** A uniform draw from [0, 1); injectable for tests. */
  random?: () => number;
}

/** A uniform draw from [0, min(cap, base × 2^attempt)). */
export function fullJitterDelayMs(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  return random() * Math.min(options.capMs ?? Infinity, options.baseMs * 2 ** attempt);
}

/** Waits `fullJitterDelayMs(attempt, options)`. */
export function sleepFullJitter(attempt: number, options: BackoffOptions): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, fullJitterDelayMs(attempt, options)));
}
