/** ISO-8601 UTC to the second, as in the API contract's examples (`2024-01-15T10:30:00Z`). */
export function isoNow(now = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
