import type { Comparison, ComparedItem } from '../../contracts/comparisons/schemas.js';
import type { Page } from '../../contracts/pagination.js';

export type ItemChange = 'regressed' | 'improved';

/** Where comparisons live: the record, and the items that changed, listed by change in candidate order. */
export interface ComparisonStore {
  /** Writes the changed items first and the record last, so a comparison that can be read is whole. */
  put(tenantId: string, comparison: Comparison, changed: readonly ComparedItem[]): Promise<void>;
  get(tenantId: string, comparisonId: string): Promise<Comparison | undefined>;
  listItems(tenantId: string, comparisonId: string, change: ItemChange, page: { limit: number; cursor?: string }): Promise<Page<ComparedItem>>;
}
