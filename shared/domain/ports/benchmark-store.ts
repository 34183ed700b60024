import type { Benchmark, BenchmarkItem } from '../../contracts/benchmarks/schemas.js';
import type { Page } from '../../contracts/pagination.js';

/** No benchmark of that id (or it was deleted). */
export class BenchmarkNotFoundError extends Error {}
/** Another append holds the benchmark's lease. */
export class BenchmarkBusyError extends Error {}
/** The append's lease expired and another append took the benchmark over. */
export class BenchmarkChangedError extends Error {}

/** The benchmark held for one append, as it was when the lease was taken. */
export interface AppendLease {
  token: string;
  benchmark: Benchmark;
}

/** Benchmarks and their items. */
export interface BenchmarkStore {
  get(tenantId: string, benchmarkId: string): Promise<Benchmark | undefined>;
  /** Writes the items, then the benchmark: a create that fails half-way leaves nothing visible. */
  create(benchmark: Benchmark, items: readonly BenchmarkItem[]): Promise<void>;
  list(tenantId: string, page: { limit: number; cursor?: string }): Promise<Page<Benchmark>>;
  /** Items in order, only those of the committed count: a half-finished append is never visible. */
  listItems(
    tenantId: string,
    benchmark: Pick<Benchmark, 'benchmark_id' | 'item_count'>,
    page: { limit: number; cursor?: string; from?: number },
  ): Promise<Page<BenchmarkItem>>;
  /** Items at positions [first, first + count), in order: what one evaluation chunk works on. */
  readRange(tenantId: string, benchmarkId: string, first: number, count: number): Promise<BenchmarkItem[]>;
  /**
   * Takes the benchmark for one append; throws `BenchmarkNotFoundError` or `BenchmarkBusyError` when it
   * cannot.
   */
  leaseForAppend(tenantId: string, benchmarkId: string, token: string): Promise<AppendLease>;
  releaseLease(tenantId: string, benchmarkId: string, token: string): Promise<void>;
  /** Ids among `itemIds` already used by committed items. */
  existingItemIds(tenantId: string, benchmark: Pick<Benchmark, 'benchmark_id' | 'item_count'>, itemIds: readonly string[]): Promise<Set<string>>;
  writeItems(tenantId: string, benchmarkId: string, items: readonly BenchmarkItem[]): Promise<void>;
  /** Makes appended items visible; throws `BenchmarkChangedError` when this append no longer holds the lease. */
  commitAppend(
    tenantId: string,
    benchmarkId: string,
    token: string,
    update: Pick<Benchmark, 'item_count' | 'content_hash' | 'version' | 'updated_at'>,
  ): Promise<Benchmark>;
  /** Hides the benchmark at once; false when there was none. */
  deleteRecord(tenantId: string, benchmarkId: string): Promise<boolean>;
  /** Deletes up to `maxItems` stored rows of a deleted benchmark; answers whether any remain. */
  purgeSome(tenantId: string, benchmarkId: string, maxItems: number): Promise<boolean>;
}
