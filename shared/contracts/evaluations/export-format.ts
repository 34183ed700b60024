/** The result exports of `GET /evaluations/{id}/results?format=`: their media types and the header that continues one. */

export type ExportFormat = 'csv' | 'jsonl';

export const exportContentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson',
};

/** Set when an export stopped at the size cap: pass its value back as `cursor` for the rest. */
export const NEXT_CURSOR_HEADER = 'x-arbiter-next-cursor';
