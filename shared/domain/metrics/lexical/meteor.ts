import { head } from './caps.js';
import { nltkPorterStem } from './nltk-porter-stemmer.js';
import { splitPythonWhitespace } from './python-whitespace.js';

/**
 * METEOR (Lavie & Agarwal 2007) as NLTK 3.8's `meteor_score` computes it with its defaults (α = 0.9,
 * β = 3, γ = 0.5, lower-cased words), without WordNet: WordNet is a 30 MB database we do not ship, so
 * the alignment has NLTK's first two stages, exact words and then Porter stems (NLTK's default stemmer
 * mode), and no synonym stage. The score is NLTK's when WordNet offers no synonym link between the
 * texts' unmatched words; where it would (e.g. "quick" / "fast") NLTK scores higher. Texts are split on
 * whitespace as Python's `str.split()` does, as NLTK's examples tokenise.
 */

export const meteorAlpha = 0.9;
export const meteorBeta = 3;
export const meteorGamma = 0.5;

interface Indexed {
  index: number;
  word: string;
}

/**
 * One alignment stage as NLTK's `_match_enums`: hypothesis words from last to first, each taking the
 * last still-unmatched reference word equal to it. A map of reference positions per word gives the same
 * pairs as NLTK's nested scan in linear time, so long answers cannot make the stage quadratic.
 */
function matchStage(hypothesis: Indexed[], reference: Indexed[]): { pairs: [number, number][]; hypothesis: Indexed[]; reference: Indexed[] } {
  const positions = new Map<string, number[]>();
  reference.forEach((entry, position) => {
    const list = positions.get(entry.word);
    if (list) list.push(position);
    else positions.set(entry.word, [position]);
  });
  const pairs: [number, number][] = [];
  const hypothesisTaken = new Set<number>();
  const referenceTaken = new Set<number>();
  for (let i = hypothesis.length - 1; i >= 0; i--) {
    const position = positions.get(hypothesis[i]!.word)?.pop();
    if (position === undefined) continue;
    pairs.push([hypothesis[i]!.index, reference[position]!.index]);
    hypothesisTaken.add(i);
    referenceTaken.add(position);
  }
  return {
    pairs,
    hypothesis: hypothesis.filter((_, i) => !hypothesisTaken.has(i)),
    reference: reference.filter((_, j) => !referenceTaken.has(j)),
  };
}

/** The fewest runs of matches adjacent in both texts, the pairs sorted by hypothesis position. */
function chunks(pairs: readonly [number, number][]): number {
  let count = 1;
  for (let i = 0; i + 1 < pairs.length; i++) {
    if (!(pairs[i + 1]![0] === pairs[i]![0] + 1 && pairs[i + 1]![1] === pairs[i]![1] + 1)) count++;
  }
  return count;
}

const indexed = (text: string): Indexed[] => splitPythonWhitespace(text.toLowerCase()).map((word, index) => ({ index, word }));
const stemmed = (entries: Indexed[]): Indexed[] => entries.map(({ index, word }) => ({ index, word: nltkPorterStem(word) }));

function singleMeteor(hypothesis: string, reference: string): number {
  const hyp = indexed(hypothesis);
  const ref = indexed(reference);
  const exact = matchStage(hyp, ref);
  const stems = matchStage(stemmed(exact.hypothesis), stemmed(exact.reference));
  const pairs = [...exact.pairs, ...stems.pairs].sort((a, b) => a[0] - b[0]);
  const matches = pairs.length;
  if (matches === 0 || hyp.length === 0 || ref.length === 0) return 0;
  const precision = matches / hyp.length;
  const recall = matches / ref.length;
  const fmean = (precision * recall) / (meteorAlpha * precision + (1 - meteorAlpha) * recall);
  const penalty = meteorGamma * (chunks(pairs) / matches) ** meteorBeta;
  return (1 - penalty) * fmean;
}

/** METEOR in 0–1 against the best of the references, on the first SIMILARITY_MAX_CHARS characters of each text. */
export function meteorScore(hypothesis: string, references: string | readonly string[]): number {
  const candidates = typeof references === 'string' ? [references] : references;
  if (candidates.length === 0) throw new RangeError('METEOR needs at least one reference per hypothesis');
  return Math.max(...candidates.map((reference) => singleMeteor(head(hypothesis), head(reference))));
}
