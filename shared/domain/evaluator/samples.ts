import type { BenchmarkItem } from '../../contracts/benchmarks/schemas.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import { ITEM_REPEATS_KEY, isRepeatCount } from '../../contracts/repeats.js';

/** One call's worth of work: an item and which of its samples. */
export interface Sample {
  item: BenchmarkItem;
  repeat: number;
}

/** The item's sample count: its `metadata.repeats` (checked when it was stored), else the evaluation's, else 1. */
export function repeatsOf(evaluation: Pick<Evaluation, 'repeats'>, item: Pick<BenchmarkItem, 'metadata'>): number {
  const own = item.metadata?.[ITEM_REPEATS_KEY];
  return isRepeatCount(own) ? own : (evaluation.repeats ?? 1);
}

/** Every sample of the items, item by item. */
export function samplesOf(evaluation: Pick<Evaluation, 'repeats'>, items: readonly BenchmarkItem[]): Sample[] {
  return items.flatMap((item) => Array.from({ length: repeatsOf(evaluation, item) }, (_, repeat) => ({ item, repeat })));
}
