import { head } from './caps.js';
import { answerTokens } from './normalise.js';

/** Counts of each item, for multiset intersections. */
export function countItems<T>(items: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** Size of the multiset intersection of two count maps. */
export function overlap<T>(a: ReadonlyMap<T, number>, b: ReadonlyMap<T, number>): number {
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const [item, count] of small) shared += Math.min(count, large.get(item) ?? 0);
  return shared;
}

/**
 * SQuAD's token F1: harmonic mean of precision and recall of the normalised words, counted as multisets.
 * When either side has no words, SQuAD v2's rule: 1 if both are empty, else 0. Reads the first
 * SIMILARITY_MAX_CHARS characters of each text.
 */
export function tokenF1(output: string, expected: string): number {
  const predicted = answerTokens(head(output));
  const reference = answerTokens(head(expected));
  if (predicted.length === 0 || reference.length === 0) return predicted.length === reference.length ? 1 : 0;
  const shared = overlap(countItems(predicted), countItems(reference));
  if (shared === 0) return 0;
  const precision = shared / predicted.length;
  const recall = shared / reference.length;
  return (2 * precision * recall) / (precision + recall);
}
