export type Align = 'left' | 'right';

/** A plain-text table: columns padded to their widest cell, two spaces apart; numbers read best right-aligned. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (align[column] === 'right' ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Scores in [0, 1] with three decimals; larger values (milliseconds, tokens, dollars) with fewer. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

export function formatMilliseconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'n/a';
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`;
}

export function formatSigned(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'n/a';
  const text = formatNumber(value);
  return value > 0 ? `+${text}` : text;
}

export function formatInterval(interval: readonly number[] | null | undefined, format = formatNumber): string {
  return interval && interval.length === 2 ? `[${format(interval[0])}, ${format(interval[1])}]` : 'n/a';
}

export function formatPValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'n/a';
  return value < 0.001 ? '<0.001' : value.toFixed(3);
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '--';
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}
