import { MalformedJsonError } from '../errors.js';

/** Every non-blank line parsed as JSON; a line that is not JSON answers 400 naming its line number. */
function parseNdjsonLines(text: string): unknown[] {
  const records: unknown[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line));
    } catch {
      throw new MalformedJsonError(`line ${index + 1} is not valid JSON`);
    }
  });
  return records;
}

/**
 * A JSONL benchmark: the first line is the benchmark, every further line an item. Blank lines are
 * skipped; a line that is not JSON answers 400 naming its line number.
 */
export function benchmarkFromNdjson(text: string): unknown {
  const records = parseNdjsonLines(text);
  if (records.length === 0) throw new MalformedJsonError('the body has no lines; the first line must be the benchmark');
  const [header, ...items] = records;
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return header;
  if ('items' in header) {
    throw new MalformedJsonError('in JSONL the first line is the benchmark without items; put each item on its own line');
  }
  return { ...header, items };
}

/** A JSONL append: one item per line. */
export function itemsFromNdjson(text: string): unknown {
  return { items: parseNdjsonLines(text) };
}
