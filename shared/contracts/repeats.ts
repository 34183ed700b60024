/** Samples per item at most: enough for pass@k reporting, small enough that one create cannot buy 20× a benchmark unnoticed. */
export const MAX_REPEATS = 20;

/** The metadata key by which an item asks for its own number of samples (1–MAX_REPEATS). */
export const ITEM_REPEATS_KEY = 'repeats';

/** Whether `value` is a sample count an evaluation or item may ask for. */
export function isRepeatCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_REPEATS;
}
