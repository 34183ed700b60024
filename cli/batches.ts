import { benchmarkLimits } from '#shared/contracts/benchmarks/schemas.js';
import type { BenchmarkItemInput, SourceItem } from './benchmark-file.js';
import { CliError } from './errors.js';

export interface Batch {
  items: BenchmarkItemInput[];
  /** Each item's place in the file, to point API errors (`items.3.input`) back at a line. */
  locations: string[];
  /** Bytes of the file read up to this batch's last item. */
  bytesRead: number;
}

export interface BatchLimits {
  maxItems: number;
  /** Of the JSON request body; the API takes 5 MB, the rest is headroom for the benchmark's own fields. */
  maxBytes: number;
  maxItemBytes: number;
}

export const importBatchLimits: BatchLimits = {
  maxItems: benchmarkLimits.maxItemsPerRequest,
  maxBytes: 4 * 1024 * 1024,
  maxItemBytes: benchmarkLimits.maxItemBytes,
};

/**
 * Groups items into request-sized batches as they are read, so a file of any size is sent with a few
 * batches in memory at most. An item over the per-item limit stops the import before it is sent.
 */
export async function* batchItems(source: AsyncIterable<SourceItem>, limits: BatchLimits = importBatchLimits): AsyncGenerator<Batch> {
  let batch: Batch = { items: [], locations: [], bytesRead: 0 };
  let bytes = 0;
  for await (const { item, location, bytesRead } of source) {
    const itemBytes = Buffer.byteLength(JSON.stringify(item), 'utf8');
    if (itemBytes > limits.maxItemBytes) {
      throw new CliError(`${location}: the item is ${itemBytes} bytes; the limit is ${limits.maxItemBytes} bytes per item`);
    }
    if (batch.items.length > 0 && (batch.items.length >= limits.maxItems || bytes + itemBytes + 1 > limits.maxBytes)) {
      yield batch;
      batch = { items: [], locations: [], bytesRead: 0 };
      bytes = 0;
    }
    batch.items.push(item);
    batch.locations.push(location);
    batch.bytesRead = bytesRead;
    bytes += itemBytes + 1;
  }
  if (batch.items.length > 0) yield batch;
}
