import { randomUUID } from 'node:crypto';
import type * as v from 'valibot';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { logger } from '../../platform/logger.js';
import type { Page } from '../../contracts/pagination.js';
import type { WorkQueue } from '../ports/work-queue.js';
import { purgeBenchmarkMessage } from '../../contracts/messages.js';
import { BenchmarkBusyError, BenchmarkChangedError, BenchmarkNotFoundError, type BenchmarkStore } from '../ports/benchmark-store.js';
import { isoNow } from '../../platform/time.js';
import { extendContentHash } from './content-hash.js';
import type { BenchmarkViewSchema } from '../../contracts/benchmarks/response-schemas.js';
import { autoItemId, newBenchmark, toBenchmarkItems } from './create-benchmark.js';
import {
  benchmarkLimits,
  type Benchmark,
  type BenchmarkItem,
  type BenchmarkItemInput,
  type CreateBenchmarkRequest,
} from '../../contracts/benchmarks/schemas.js';

/** A benchmark as the API shows it. */
export type BenchmarkView = v.InferOutput<typeof BenchmarkViewSchema>;

export function toBenchmarkView(benchmark: Benchmark): BenchmarkView {
  const { tenant_id: _tenant, pinned_version: _pinned, ...view } = benchmark;
  return view;
}

export type BenchmarkItemView = Omit<BenchmarkItem, 'position'> & { position: number };

type Store = BenchmarkStore;

/** Each item's size, checked before anything is written: a too-large item rejects the whole request. */
function checkItemSizes(items: readonly BenchmarkItemInput[], path = 'items'): void {
  const errors = items
    .map((item, index) => ({ index, bytes: Buffer.byteLength(JSON.stringify(item), 'utf8') }))
    .filter(({ bytes }) => bytes > benchmarkLimits.maxItemBytes)
    .map(({ index, bytes }) => ({
      path: `${path}.${index}`,
      message: `is ${bytes} bytes; the limit is ${benchmarkLimits.maxItemBytes} bytes per item`,
    }));
  if (errors.length > 0)
    throw new ValidationError(errors.slice(0, 50), `Items may be at most ${benchmarkLimits.maxItemBytes} bytes each; nothing was written`);
}

function checkBenchmarkSize(count: number): void {
  if (count > benchmarkLimits.maxItemsPerBenchmark) {
    throw new ValidationError(
      [{ path: 'items', message: `would make ${count} items; a benchmark holds at most ${benchmarkLimits.maxItemsPerBenchmark}` }],
      `A benchmark holds at most ${benchmarkLimits.maxItemsPerBenchmark} items; nothing was written`,
    );
  }
}

export async function createBenchmark(store: Store, tenantId: string, request: CreateBenchmarkRequest): Promise<BenchmarkView> {
  checkItemSizes(request.items);
  const { benchmark, items } = newBenchmark(tenantId, request);
  await store.create(benchmark, items);
  logger.info('benchmark created', { benchmark_id: benchmark.benchmark_id, items: items.length });
  return toBenchmarkView(benchmark);
}

export async function getBenchmark(store: Store, tenantId: string, benchmarkId: string): Promise<Benchmark> {
  const benchmark = await store.get(tenantId, benchmarkId);
  if (!benchmark) throw new NotFoundError('benchmark', benchmarkId, 'benchmark_id');
  return benchmark;
}

export async function listBenchmarks(store: Store, tenantId: string, page: { limit: number; cursor?: string }): Promise<Page<BenchmarkView>> {
  const result = await store.list(tenantId, page);
  return { items: result.items.map(toBenchmarkView), next_cursor: result.next_cursor };
}

export async function listBenchmarkItems(
  store: Store,
  tenantId: string,
  benchmarkId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<BenchmarkItem> & { item_count: number; version: number; content_hash: string }> {
  const benchmark = await getBenchmark(store, tenantId, benchmarkId);
  const result = await store.listItems(tenantId, benchmark, page);
  return { ...result, item_count: benchmark.item_count, version: benchmark.version, content_hash: benchmark.content_hash };
}

/**
 * Appends items all or nothing: validate everything, take the benchmark's append lease, write, then
 * commit the new count in one conditional update. Readers see only committed items, so a failure at any
 * step leaves the benchmark exactly as it was.
 */
export async function appendBenchmarkItems(
  store: Store,
  tenantId: string,
  benchmarkId: string,
  inputs: readonly BenchmarkItemInput[],
): Promise<BenchmarkView> {
  checkItemSizes(inputs);
  const token = randomUUID();
  let lease: Awaited<ReturnType<BenchmarkStore['leaseForAppend']>>;
  try {
    lease = await store.leaseForAppend(tenantId, benchmarkId, token);
  } catch (error) {
    if (error instanceof BenchmarkNotFoundError) throw new NotFoundError('benchmark', benchmarkId, 'benchmark_id');
    if (error instanceof BenchmarkBusyError) {
      throw new ConflictError('Another append to this benchmark is in progress; retry when it has finished', 'benchmark_busy');
    }
    throw error;
  }
  try {
    const current = lease.benchmark;
    checkBenchmarkSize(current.item_count + inputs.length);
    const ids = inputs.map((input, index) => input.id ?? autoItemId(current.item_count + index));
    const existingIds = await store.existingItemIds(tenantId, current, ids);
    const items = toBenchmarkItems(inputs, {
      firstPosition: current.item_count,
      taskType: current.task_type,
      templates: current,
      existingIds,
    });
    await store.writeItems(tenantId, benchmarkId, items);
    // An evaluation pinned the current version: its items must stay what they were, so this is a new one.
    const version = current.pinned_version === current.version ? current.version + 1 : current.version;
    const committed = await store.commitAppend(tenantId, benchmarkId, token, {
      item_count: current.item_count + items.length,
      content_hash: extendContentHash(current.content_hash, items),
      version,
      updated_at: isoNow(),
    });
    logger.info('benchmark items appended', { benchmark_id: benchmarkId, items: items.length, item_count: committed.item_count, version });
    return toBenchmarkView(committed);
  } catch (error) {
    await store.releaseLease(tenantId, benchmarkId, token);
    if (error instanceof BenchmarkChangedError) {
      throw new ConflictError('The append took too long and another append took over; nothing was added, retry', 'benchmark_busy');
    }
    throw error;
  }
}

export interface DeleteBenchmarkDeps {
  benchmarks: Store;
  evaluations: { hasActiveEvaluation(tenantId: string, benchmarkId: string): Promise<boolean> };
  queue: WorkQueue;
}

/** Hides the benchmark at once and purges its items in the background; refused while it is being evaluated. */
export async function deleteBenchmark(deps: DeleteBenchmarkDeps, tenantId: string, benchmarkId: string): Promise<void> {
  await getBenchmark(deps.benchmarks, tenantId, benchmarkId);
  if (await deps.evaluations.hasActiveEvaluation(tenantId, benchmarkId)) {
    throw new ConflictError('An evaluation is pending or running on this benchmark; cancel it or wait for it to finish', 'benchmark_in_use');
  }
  if (!(await deps.benchmarks.deleteRecord(tenantId, benchmarkId))) throw new NotFoundError('benchmark', benchmarkId, 'benchmark_id');
  await deps.queue.send(purgeBenchmarkMessage(tenantId, benchmarkId));
  logger.info('benchmark deleted', { benchmark_id: benchmarkId });
}
