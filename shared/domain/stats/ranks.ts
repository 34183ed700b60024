/**
 * Two scores this close (relative to their size) are the same score: floating-point noise from computing
 * a metric two ways must not break a tie or turn a zero difference into a signed one.
 */
export function nearlyEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
}

export interface Ranked {
  /** Rank of each input value (1-based, ties share their mean rank), in input order. */
  ranks: Float64Array;
  /** Sizes of the groups of tied values (groups of one left out). */
  tieGroups: number[];
}

/** Mid-ranks of non-negative values, ascending. */
export function midRanks(values: readonly number[]): Ranked {
  const order = values.map((_, index) => index).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(values.length);
  const tieGroups: number[] = [];
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && nearlyEqual(values[order[end]!]!, values[order[start]!]!)) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    if (end - start > 1) tieGroups.push(end - start);
    start = end;
  }
  return { ranks, tieGroups };
}
