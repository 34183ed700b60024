/**
 * The windows quotas are counted in, all UTC: a calendar month for spend, a clock minute for requests.
 * A `Retry-After` is the whole seconds until the window ends, at least 1 (a header of 0 invites a retry
 * that lands in the same window).
 */

/** `YYYY-MM` of the instant. */
export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** Seconds from `at` to the first instant of the next UTC month, rounded up. */
export function secondsToMonthEnd(at: Date): number {
  const next = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
  return Math.max(1, Math.ceil((next - at.getTime()) / 1000));
}

export interface MinuteWindow {
  /** Minutes since the epoch: the window's id. */
  minute: number;
  /** Seconds until the next window opens, rounded up. */
  secondsLeft: number;
  /** Epoch seconds after which the window's counter can be forgotten (DynamoDB TTL). */
  expiresAt: number;
}

/** How long a window's counter outlives its minute: TTL deletes lazily, and only a past window may go. */
const WINDOW_KEPT_SECONDS = 120;

export function minuteWindow(at: Date): MinuteWindow {
  const ms = at.getTime();
  const minute = Math.floor(ms / 60_000);
  const end = (minute + 1) * 60_000;
  return { minute, secondsLeft: Math.max(1, Math.ceil((end - ms) / 1000)), expiresAt: Math.ceil(end / 1000) + WINDOW_KEPT_SECONDS };
}
