import { EDIT_SIMILARITY_MAX_CODE_POINTS, firstCodePoints } from './caps.js';

/**
 * Levenshtein distance over Unicode code points (so an emoji is one edit, not two UTF-16 units), with the
 * common prefix and suffix stripped first, and one row of the dynamic programme kept: O(n·m) time,
 * O(min(n, m)) memory.
 */
export function levenshtein(a: string, b: string): number {
  return codePointLevenshtein(Array.from(a), Array.from(b));
}

function codePointLevenshtein(a: string[], b: string[]): number {
  let left = a;
  let right = b;
  let start = 0;
  while (start < left.length && start < right.length && left[start] === right[start]) start++;
  let endLeft = left.length;
  let endRight = right.length;
  while (endLeft > start && endRight > start && left[endLeft - 1] === right[endRight - 1]) {
    endLeft--;
    endRight--;
  }
  left = left.slice(start, endLeft);
  right = right.slice(start, endRight);
  if (left.length < right.length) [left, right] = [right, left];
  if (right.length === 0) return left.length;

  const row = new Uint32Array(right.length + 1);
  for (let j = 0; j <= right.length; j++) row[j] = j;
  for (let i = 1; i <= left.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    const character = left[i - 1];
    for (let j = 1; j <= right.length; j++) {
      const above = row[j]!;
      const substitution = diagonal + (character === right[j - 1] ? 0 : 1);
      row[j] = Math.min(above + 1, row[j - 1]! + 1, substitution);
      diagonal = above;
    }
  }
  return row[right.length]!;
}

/**
 * 1 − distance / length of the longer string: 1 for identical strings (including two empty ones). Reads
 * the first EDIT_SIMILARITY_MAX_CODE_POINTS code points of each text (the distance is O(n·m)).
 */
export function editSimilarity(a: string, b: string): number {
  const left = firstCodePoints(a, EDIT_SIMILARITY_MAX_CODE_POINTS);
  const right = firstCodePoints(b, EDIT_SIMILARITY_MAX_CODE_POINTS);
  const longest = Math.max(left.length, right.length);
  return longest === 0 ? 1 : 1 - codePointLevenshtein(left, right) / longest;
}
