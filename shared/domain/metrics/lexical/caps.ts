/**
 * How much text the similarity metrics read, so that no single answer can hold the evaluator: a metric's
 * cost per item is bounded by its cap, whatever a model returns. Below the caps every metric is exactly its
 * reference implementation; docs/metrics.md states each metric's cap.
 */

/**
 * Characters of each text that BLEU, chrF, ROUGE-1/2/L and token F1 read. They are linear in the text but
 * build n-gram maps (BLEU and chrF took 11–14 s on two 1 MB texts); 100,000 characters are about 15,000
 * words, far beyond what a sentence-level score means anything for.
 */
export const SIMILARITY_MAX_CHARS = 100_000;

/** Tokens of each text ROUGE-L aligns: the longest common subsequence is O(n·m), so 5,000 × 5,000 cells at most. */
export const ROUGE_L_MAX_TOKENS = 5_000;

/** Code points of each text edit similarity compares: Levenshtein distance is O(n·m), so 5,000 × 5,000 cells at most. */
export const EDIT_SIMILARITY_MAX_CODE_POINTS = 5_000;

/** The first `max` UTF-16 units of the text, never ending on half of a surrogate pair. */
export function head(text: string, max = SIMILARITY_MAX_CHARS): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/** The first `max` code points of the text, without splitting the rest of it. */
export function firstCodePoints(text: string, max: number): string[] {
  const points: string[] = [];
  for (const point of text) {
    if (points.length >= max) break;
    points.push(point);
  }
  return points;
}
