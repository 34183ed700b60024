import { head } from './caps.js';
import { splitPythonWhitespace } from './python-whitespace.js';

/**
 * Google BLEU (Wu et al. 2016) as NLTK 3.8's `sentence_gleu` / `corpus_gleu` compute it: every n-gram of
 * orders 1–4 of each side, matches clipped as multisets, and the score min(precision, recall), which is
 * matches / max(hypothesis n-grams, reference n-grams). With several references the one with the best
 * ratio counts (the first on a tie). NLTK takes token lists; here a text is split on whitespace as Python's
 * `str.split()` does, case-sensitively, which is how its examples tokenise.
 */

export const gleuMinOrder = 1;
export const gleuMaxOrder = 4;

function everygrams(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = gleuMinOrder; n <= gleuMaxOrder; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      // Tokens hold no whitespace, so a space cannot make two different n-grams collide.
      const gram = tokens.slice(i, i + n).join(' ');
      counts.set(gram, (counts.get(gram) ?? 0) + 1);
    }
  }
  return counts;
}

const total = (counts: Map<string, number>) => {
  let sum = 0;
  for (const count of counts.values()) sum += count;
  return sum;
};

/** [matches, max(hypothesis n-grams, reference n-grams)] of the best reference, or null when all are empty. */
function bestStatistics(hypothesis: string, references: readonly string[]): [number, number] | null {
  const hypGrams = everygrams(splitPythonWhitespace(hypothesis));
  const hypTotal = total(hypGrams);
  let best: [number, number] | null = null;
  for (const reference of references) {
    const refGrams = everygrams(splitPythonWhitespace(reference));
    let matches = 0;
    for (const [gram, count] of refGrams) matches += Math.min(count, hypGrams.get(gram) ?? 0);
    const all = Math.max(hypTotal, total(refGrams));
    if (all > 0 && (best === null || matches / all > best[0] / best[1])) best = [matches, all];
  }
  return best;
}

const referenceList = (references: string | readonly string[]) => (typeof references === 'string' ? [references] : references);

/** Sentence GLEU in 0–1, on the first SIMILARITY_MAX_CHARS characters of each text. */
export function sentenceGleu(hypothesis: string, references: string | readonly string[]): number {
  return corpusGleu([hypothesis], [referenceList(references)]);
}

/** Corpus GLEU: matches and n-gram counts summed over segments before the ratio, as NLTK does. */
export function corpusGleu(hypotheses: readonly string[], references: readonly (string | readonly string[])[]): number {
  if (hypotheses.length !== references.length) throw new RangeError(`${hypotheses.length} hypotheses but ${references.length} reference sets`);
  let matches = 0;
  let all = 0;
  hypotheses.forEach((hypothesis, index) => {
    const statistics = bestStatistics(
      head(hypothesis),
      referenceList(references[index]!).map((reference) => head(reference)),
    );
    if (statistics) {
      matches += statistics[0];
      all += statistics[1];
    }
  });
  return all === 0 ? 0 : matches / all;
}
