import { stringify } from 'csv-stringify/sync';
import type { EvaluationStore } from '../ports/evaluation-store.js';
import { findForResults } from './evaluation-queries.js';
import { exportContentTypes, type ExportFormat } from '../../contracts/evaluations/export-format.js';
import type { ItemResult, ModelOutput } from '../../contracts/evaluations/result-types.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';

/**
 * Lambda refuses a response over 6 MB, and it counts the response as JSON, so the body's quotes, backslashes
 * and newlines count twice. The cap applies to that escaped size and leaves room for the envelope.
 */
export const DEFAULT_EXPORT_MAX_BYTES = 5 * 1024 * 1024;

/** The CSV columns before the metric columns, in order. Documented in the README: do not rename. */
export const csvFixedColumns = [
  'item_id',
  'position',
  'model_id',
  'status',
  'input',
  'choices',
  'expected',
  'answer',
  'error_code',
  'error_message',
  'latency_ms',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'messages',
] as const;

/** One column per metric, after the fixed ones: `score_accuracy`, `score_relevance`, … */
export const scoreColumn = (metric: string) => `score_${metric}`;

export function csvHeader(metrics: readonly string[]): string[] {
  return [...csvFixedColumns, ...metrics.map(scoreColumn)];
}

type Cell = string | number | null;

/** One CSV record: one model's answer to one item. Absent values are empty cells, never `null` or `undefined`. */
export function csvRecord(item: ItemResult, modelId: string, output: ModelOutput, metrics: readonly string[]): Cell[] {
  return [
    item.item_id,
    item.position,
    modelId,
    output.status,
    item.input,
    item.choices ? JSON.stringify(item.choices) : null,
    item.expected ?? null,
    output.output ?? null,
    output.error?.code ?? null,
    output.error?.message ?? null,
    output.latency_ms ?? null,
    output.usage?.input_tokens ?? null,
    output.usage?.output_tokens ?? null,
    output.cost_usd ?? null,
    item.messages ? JSON.stringify(item.messages) : null,
    ...metrics.map((metric) => output.scores[metric] ?? null),
  ];
}

/**
 * The CSV records of one item: one per model in `modelIds` that has an answer, in that order. With
 * `failedOnly`, only the failed answers (the JSONL export keeps whole items, as the JSON pages do).
 */
export function csvRecordsOf(item: ItemResult, modelIds: readonly string[], metrics: readonly string[], failedOnly: boolean): Cell[][] {
  return modelIds.flatMap((modelId) => {
    const output = item.outputs[modelId];
    if (!output || (failedOnly && output.status !== 'failed')) return [];
    return [csvRecord(item, modelId, output, metrics)];
  });
}

/**
 * With `escapeFormulas` (the default), csv-stringify's `escape_formulas` prefixes `'` to a text cell that
 * starts with = + - @ tab or CR (and their full-width forms), so a spreadsheet opening the export shows a
 * model's `=HYPERLINK(…)` as text instead of running it on a teammate's machine. Numbers are never prefixed.
 */
export function toCsv(records: readonly Cell[][], options: { escapeFormulas?: boolean } = {}): string {
  return stringify(records as Cell[][], { cast: { number: (value) => String(value) }, escape_formulas: options.escapeFormulas ?? true });
}

/** The size Lambda counts for this text inside its JSON response. */
export function escapedBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
}

/**
 * Metric columns: the evaluation's per-model metrics once it has results, else the metrics it asked for,
 * plus any other score found in the exported rows; requested metrics first, in the request's order, the
 * rest alphabetically (stored maps keep no order). A finished evaluation's columns never change between
 * continued responses; a running one's may grow as scores arrive.
 */
export function metricColumns(evaluation: Evaluation, items: readonly ItemResult[]): string[] {
  // Pairwise preference compares two answers; it is no single answer's score (see `pairwise` in JSONL).
  const requested = (evaluation.custom_metrics ?? [])
    .map((metric) => (typeof metric === 'string' ? metric : metric.name))
    .filter((name) => name !== 'pairwise_preference');
  const names = new Set(evaluation.results ? evaluation.results.models.flatMap((model) => Object.keys(model.metrics)) : requested);
  for (const item of items) for (const output of Object.values(item.outputs)) for (const name of Object.keys(output.scores)) names.add(name);
  return [...requested.filter((name) => names.has(name)), ...[...names].filter((name) => !requested.includes(name)).sort()];
}

export interface ExportRequest {
  format: ExportFormat;
  failedOnly: boolean;
  modelId?: string;
  cursor?: string;
  /** CSV only; true unless the caller opted out (see `toCsv`). */
  escapeFormulas?: boolean;
}

export interface ExportPage {
  content: string;
  contentType: string;
  /** Null when this response holds everything that was left. */
  nextCursor: string | null;
  /** Items (benchmark rows) in this response. */
  items: number;
}

export interface ExportOptions {
  /** The cap on the response's escaped size; the first item is always sent, whatever its size. */
  maxBytes?: number;
  /** Results read from the table per query. */
  pageSize?: number;
}

type Store = Pick<EvaluationStore, 'get' | 'listResults' | 'resultCursorAfter'>;

/**
 * Every result of an evaluation as CSV (one row per item and model) or JSONL (one line per item, as the
 * JSON pages show it), read from the table page by page. Stops before the response would pass the size
 * cap and answers the cursor that continues after the last item sent.
 */
export async function exportResults(
  store: Store,
  tenantId: string,
  evaluationId: string,
  request: ExportRequest,
  options: ExportOptions = {},
): Promise<ExportPage> {
  const maxBytes = options.maxBytes ?? DEFAULT_EXPORT_MAX_BYTES;
  const evaluation = await findForResults(store, tenantId, evaluationId, request.modelId);
  const modelIds = evaluation.models.map((model) => model.model_id).filter((id) => !request.modelId || id === request.modelId);
  const render = (items: readonly ItemResult[]): string =>
    request.format === 'jsonl' ? items.map((item) => `${JSON.stringify(item)}\n`).join('') : renderCsv(items);
  const renderCsv = (items: readonly ItemResult[]): string => {
    const metrics = metricColumns(evaluation, items);
    return toCsv([csvHeader(metrics), ...items.flatMap((item) => csvRecordsOf(item, modelIds, metrics, request.failedOnly))], {
      escapeFormulas: request.escapeFormulas ?? true,
    });
  };

  const items: ItemResult[] = [];
  // Measured with the columns known while reading; the final rendering below settles the exact size.
  let bytes = escapedBytes(render([]));
  let cursor = request.cursor;
  let truncated = false;
  reading: do {
    const page = await store.listResults(tenantId, evaluationId, {
      limit: options.pageSize ?? 200,
      ...(cursor ? { cursor } : {}),
      failedOnly: request.failedOnly,
      ...(request.modelId ? { modelId: request.modelId } : {}),
    });
    for (const item of page.items) {
      const itemBytes = request.format === 'jsonl' ? escapedBytes(render([item])) : escapedBytes(renderCsv([item])) - escapedBytes(renderCsv([]));
      if (items.length > 0 && bytes + itemBytes > maxBytes) {
        truncated = true;
        break reading;
      }
      items.push(item);
      bytes += itemBytes;
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);

  let content = render(items);
  // A metric column found late widens every earlier row by one cell: give back items until it fits.
  while (items.length > 1 && escapedBytes(content) > maxBytes) {
    items.pop();
    truncated = true;
    content = render(items);
  }
  const last = items.at(-1);
  return {
    content,
    contentType: exportContentTypes[request.format],
    nextCursor: truncated && last ? store.resultCursorAfter(tenantId, evaluationId, last.position, last.repeat) : null,
    items: items.length,
  };
}
