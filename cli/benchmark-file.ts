import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseCsv } from 'csv-parse';
import type { Schemas } from '../client/index.js';
import { CliError, UsageError } from './errors.js';

export type BenchmarkItemInput = Schemas['BenchmarkItemInput'];
export type BenchmarkFileFormat = 'jsonl' | 'csv' | 'json';
export const benchmarkFileFormats: readonly BenchmarkFileFormat[] = ['jsonl', 'csv', 'json'];

/** The benchmark's own fields a file may carry (JSONL's first line, a JSON object's top level). */
export interface BenchmarkHeader {
  name?: string;
  description?: string;
  task_type?: Schemas['Benchmark']['task_type'];
  prompt_template?: string;
  default_metrics?: string[];
}

export interface SourceItem {
  item: BenchmarkItemInput;
  /** Where the item is in the file, for error messages: `line 12`, `item 3`. */
  location: string;
  /** Bytes of the file read once this item was, for the progress bar. */
  bytesRead: number;
}

export interface BenchmarkFile {
  format: BenchmarkFileFormat;
  totalBytes: number;
  header: BenchmarkHeader;
  items: AsyncIterable<SourceItem>;
}

const headerFields = ['name', 'description', 'task_type', 'prompt_template', 'system_prompt', 'message_template', 'default_metrics'] as const;
const csvItemColumns = ['id', 'input', 'expected', 'context', 'choices', 'messages'] as const;

export function formatOf(path: string, format?: string): BenchmarkFileFormat {
  if (format !== undefined) {
    if ((benchmarkFileFormats as readonly string[]).includes(format)) return format as BenchmarkFileFormat;
    throw new UsageError(`--format must be one of: ${benchmarkFileFormats.join(', ')}`);
  }
  const extension = extname(path).toLowerCase();
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  if (extension === '.csv') return 'csv';
  if (extension === '.json') return 'json';
  throw new UsageError(`cannot tell the format of ${path} from its extension; add --format jsonl, csv or json`);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function pickHeader(value: Record<string, unknown>): BenchmarkHeader {
  return Object.fromEntries(headerFields.filter((field) => value[field] !== undefined).map((field) => [field, value[field]])) as BenchmarkHeader;
}

/** A JSONL line that names the benchmark rather than asking a question is the header. */
const isHeaderLine = (value: Record<string, unknown>) =>
  !('input' in value) && !('messages' in value) && headerFields.some((field) => field in value);

function parseJsonLine(text: string, location: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${location} is not valid JSON`);
  }
}

function asItem(value: unknown, location: string): BenchmarkItemInput {
  if (!isObject(value)) throw new CliError(`${location} is not a JSON object with an "input" field`);
  // A chat item may carry its conversation alone; the API checks the turns and names the bad one.
  if (Array.isArray(value.messages) && value.input === undefined) return value as unknown as BenchmarkItemInput;
  if (typeof value.input !== 'string' || value.input.trim() === '')
    throw new CliError(`${location} has no "input" (a non-empty string) or "messages" (a list of turns)`);
  return value as unknown as BenchmarkItemInput;
}

/** JSONL streamed line by line: the optional benchmark header first, then one item per line. */
async function openJsonl(path: string, totalBytes: number): Promise<BenchmarkFile> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })[Symbol.asyncIterator]();
  let lineNumber = 0;
  let bytesRead = 0;
  const next = async (): Promise<{ value: unknown; location: string } | undefined> => {
    for (let result = await lines.next(); !result.done; result = await lines.next()) {
      lineNumber += 1;
      bytesRead += Buffer.byteLength(result.value, 'utf8') + 1;
      if (result.value.trim() === '') continue;
      const location = `line ${lineNumber}`;
      return { value: parseJsonLine(result.value, location), location };
    }
    return undefined;
  };

  const first = await next();
  const header = first && isObject(first.value) && isHeaderLine(first.value) ? pickHeader(first.value) : {};
  const pending = first && !(isObject(first.value) && isHeaderLine(first.value)) ? first : undefined;
  async function* items(): AsyncGenerator<SourceItem> {
    if (pending) yield { item: asItem(pending.value, pending.location), location: pending.location, bytesRead };
    for (let record = await next(); record; record = await next()) {
      yield { item: asItem(record.value, record.location), location: record.location, bytesRead: Math.min(bytesRead, totalBytes) };
    }
  }
  return { format: 'jsonl', totalBytes, header, items: items() };
}

/** `a|b|c` or a JSON array. */
function parseChoices(text: string, location: string): string[] {
  if (text.trimStart().startsWith('[')) {
    const parsed = parseJsonLine(text, `the choices on ${location}`);
    if (!Array.isArray(parsed) || !parsed.every((choice) => typeof choice === 'string')) {
      throw new CliError(`the choices on ${location} must be a JSON array of strings or a|b|c`);
    }
    return parsed;
  }
  return text.split('|').map((choice) => choice.trim());
}

/**
 * A CSV row as an item: the columns `id`, `input`, `expected`, `context`, `choices` (`a|b|c` or a JSON
 * array), `messages` (a chat item's conversation as a JSON array of `{role, content}`); any other column
 * goes into `metadata` under its name. Empty cells are left out.
 */
export function csvRowToItem(row: Record<string, string>, location: string): BenchmarkItemInput {
  const item: Record<string, unknown> = {};
  const metadata: Record<string, string> = {};
  for (const [column, value] of Object.entries(row)) {
    if (value === '') continue;
    if (column === 'choices') item.choices = parseChoices(value, location);
    else if (column === 'messages') item.messages = parseJsonLine(value, `the messages on ${location}`);
    else if ((csvItemColumns as readonly string[]).includes(column)) item[column] = value;
    else metadata[column.startsWith('metadata.') ? column.slice('metadata.'.length) : column] = value;
  }
  if (Object.keys(metadata).length > 0) item.metadata = metadata;
  return asItem(item, location);
}

/** CSV streamed record by record: a header row naming the columns, then one item per record. */
async function openCsv(path: string, totalBytes: number): Promise<BenchmarkFile> {
  const parser = createReadStream(path).pipe(parseCsv({ columns: true, bom: true, skip_empty_lines: true, info: true, relax_column_count: false }));
  async function* items(): AsyncGenerator<SourceItem> {
    let checkedColumns = false;
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number; bytes: number } }>) {
        if (!checkedColumns) {
          checkedColumns = true;
          if (!('input' in record) && !('messages' in record))
            throw new CliError(`${path} has no "input" (or "messages") column (its columns: ${Object.keys(record).join(', ')})`, undefined, [
              `  columns: ${csvItemColumns.join(', ')}; any other column goes into the item's metadata`,
            ]);
        }
        const location = `line ${info.lines}`;
        yield { item: csvRowToItem(record, location), location, bytesRead: Math.min(info.bytes, totalBytes) };
      }
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`${path} is not valid CSV: ${(error as Error).message}`);
    }
  }
  return { format: 'csv', totalBytes, header: {}, items: items() };
}

/** JSON is read whole: an array of items, or the benchmark as `POST /benchmarks` takes it (`{ name, …, items }`). */
async function openJson(path: string, totalBytes: number): Promise<BenchmarkFile> {
  const document = parseJsonLine(await readFile(path, 'utf8'), path);
  const found = Array.isArray(document) ? document : isObject(document) ? document.items : undefined;
  if (!Array.isArray(found)) throw new CliError(`${path} must hold an array of items or an object with "items"`);
  const list: unknown[] = found;
  const header = isObject(document) ? pickHeader(document) : {};
  async function* items(): AsyncGenerator<SourceItem> {
    for (const [index, value] of list.entries()) {
      const location = `item ${index + 1}`;
      yield { item: asItem(value, location), location, bytesRead: Math.round(((index + 1) / list.length) * totalBytes) };
    }
  }
  return { format: 'json', totalBytes, header, items: items() };
}

export async function openBenchmarkFile(path: string, format: BenchmarkFileFormat): Promise<BenchmarkFile> {
  let totalBytes: number;
  try {
    totalBytes = (await stat(path)).size;
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  if (format === 'jsonl') return openJsonl(path, totalBytes);
  if (format === 'csv') return openCsv(path, totalBytes);
  return openJson(path, totalBytes);
}
