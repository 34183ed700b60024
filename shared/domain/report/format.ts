/** How numbers, times and long text appear in the report. */

const dash = '—';

/** A score: three significant decimals for [0, 1] scores, fewer for large values. */
export function formatScore(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return dash;
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 10) return value.toFixed(2);
  return value.toFixed(3);
}

/** A difference, always signed so that its direction reads at a glance. */
export function formatSigned(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return dash;
  const text = formatScore(Math.abs(value));
  if (Number(text.replace(/,/g, '')) === 0) return text;
  return `${value < 0 ? '−' : '+'}${text}`;
}

export function formatInterval(ci: readonly [number, number] | null | undefined, signed = false): string {
  if (!ci) return 'no interval';
  const format = signed ? formatSigned : formatScore;
  return `[${format(ci[0])}, ${format(ci[1])}]`;
}

export function formatPValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return dash;
  if (p < 0.001) return '< 0.001';
  return p.toFixed(3);
}

export function formatPercent(share: number | null | undefined, digits = 0): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return dash;
  return `${(share * 100).toFixed(digits)}%`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return dash;
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms).toLocaleString('en-US')} ms`;
}

export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return dash;
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return dash;
  return Math.round(value).toLocaleString('en-US');
}

/** `2026-11-25T18:00:00Z` → `2026-11-25 18:00:00 UTC`. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return dash;
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '')} UTC`;
}

export function formatDuration(fromIso: string | undefined, toIso: string | undefined): string {
  if (!fromIso || !toIso) return dash;
  const seconds = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  if (!Number.isFinite(seconds)) return dash;
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Keeps long answers from swelling the page; says how much was left out. */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}… (${(text.length - maxChars).toLocaleString('en-US')} more characters)`;
}

/** Model 2's verdict in words, naming the model rather than its position. */
export function verdictText(verdict: string, modelId: string, modelId2: string): string {
  if (verdict === 'model_2 better') return `${modelId2} better`;
  if (verdict === 'model_1 better') return `${modelId} better`;
  return 'no significant difference';
}

/** Axis labels: as short as the value allows (0, 0.25, 1.5k). */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1_000_000) return `${Number((value / 1_000_000).toPrecision(3))}M`;
  if (abs >= 10_000) return `${Number((value / 1000).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}
