import { createHash } from 'node:crypto';
import type { BenchmarkItem } from '../../contracts/benchmarks/schemas.js';

export const EMPTY_CONTENT_HASH = `sha256:${createHash('sha256').update('arbiter-benchmark-v1').digest('hex')}`;

/**
 * The hash of a benchmark's ordered items, chained batch by batch: appending items extends the previous
 * hash instead of re-reading every item, and any change to any item or to their order changes it.
 */
export function extendContentHash(previous: string, items: readonly BenchmarkItem[]): string {
  const hash = createHash('sha256').update(previous);
  for (const item of items) {
    // Messages join the hashed fields only when present, so the hashes of benchmarks without chat items stay as they were.
    const fields = [item.item_id, item.input, item.expected ?? null, item.choices ?? null, item.context ?? null, item.metadata ?? null];
    const extra = [
      ...(item.messages ? [item.messages] : []),
      ...(item.expected_tool_calls ? [{ expected_tool_calls: item.expected_tool_calls }] : []),
    ];
    hash.update(JSON.stringify([...fields, ...extra]));
    hash.update('\n');
  }
  return `sha256:${hash.digest('hex')}`;
}
