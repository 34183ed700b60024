import { field, jsonObjectsIn, rationaleKeys, REFUSAL, textField } from './reply-json.js';

/** Why a judge reply gave no usable score. The evaluator may retry, or record the item's score as null. */
export type JudgeFailure = 'empty' | 'refusal' | 'no_score' | 'out_of_scale' | 'ambiguous';

export type JudgeScore =
  | {
      ok: true;
      /** The score on the judge's scale, as given. */
      raw: number;
      /** Normalised to [0, 1]: (raw − low) / (high − low). */
      score: number;
      rationale?: string;
      /** The label a label-model grader chose. */
      label?: string;
    }
  | { ok: false; failure: JudgeFailure; message: string };

const NUMBER = String.raw`[-+]?\d+(?:\.\d+)?`;
// "Score: 4", "Final score = 4/5", "rating of 4 out of 5", "**Score:** 4".
const LABELLED = new RegExp(String.raw`\b(final\s+)?(?:score|rating|grade)\b[\s*:=]*(?:is\s*|of\s*)?[\s*]*(${NUMBER})(?:\s*(?:\/|out\s+of)\s*(${NUMBER}))?`, 'gi');
// MT-Bench's "[[4]]".
const DOUBLE_BRACKETED = new RegExp(String.raw`\[\[\s*(${NUMBER})\s*\]\]`, 'g');
// "4/5" or "4 out of 5" anywhere.
const FRACTION = new RegExp(String.raw`(${NUMBER})\s*(?:\/|out\s+of)\s*(${NUMBER})`, 'gi');
// A reply that is only a number: "4", "**4**", "4."
const BARE = new RegExp(String.raw`^[\s*]*(${NUMBER})[\s*.]*$`);

interface Candidate {
  value: number;
  /** The "out of" denominator the judge stated, if any. */
  outOf?: number;
}

function fromJson(reply: string): { candidate?: Candidate; rationale?: string } {
  for (const object of jsonObjectsIn(reply)) {
    const value = field(object, ['score', 'rating', 'grade']);
    const rationale = textField(object, rationaleKeys);
    if (typeof value === 'number') return { candidate: { value }, ...(rationale ? { rationale } : {}) };
    if (typeof value === 'string') {
      const match = new RegExp(String.raw`^\s*(${NUMBER})(?:\s*(?:\/|out\s+of)\s*(${NUMBER}))?\s*$`, 'i').exec(value);
      if (match) return { candidate: { value: Number(match[1]), ...(match[2] ? { outOf: Number(match[2]) } : {}) }, ...(rationale ? { rationale } : {}) };
    }
  }
  return {};
}

function fromProse(reply: string, high: number): Candidate | 'ambiguous' | undefined {
  const bracketed = [...reply.matchAll(DOUBLE_BRACKETED)];
  if (bracketed.length > 0) return { value: Number(bracketed[bracketed.length - 1]![1]) };
  const labelled = [...reply.matchAll(LABELLED)];
  if (labelled.length > 0) {
    // A "final score" outranks earlier per-aspect scores; otherwise judges end with their verdict.
    const finals = labelled.filter((match) => match[1]);
    const chosen = (finals.length > 0 ? finals : labelled).at(-1)!;
    return { value: Number(chosen[2]), ...(chosen[3] ? { outOf: Number(chosen[3]) } : {}) };
  }
  const bare = BARE.exec(reply);
  if (bare) return { value: Number(bare[1]) };
  // Unlabelled fractions count only when they use the scale's top as denominator and all agree.
  const fractions = [...reply.matchAll(FRACTION)].filter((match) => Number(match[2]) === high).map((match) => Number(match[1]));
  if (fractions.length === 0) return undefined;
  return new Set(fractions).size === 1 ? { value: fractions[0]!, outOf: high } : 'ambiguous';
}

/**
 * The score in a judge's reply, on the scale [low, high], never throwing: a JSON object with `score`
 * (possibly fenced or inside prose), else a labelled score in prose ("Score: 4/5", "[[4]]"), else a
 * bare number; a refusal or a reply with no score is a typed failure. A score off the scale, or stated
 * "out of" a different maximum, is `out_of_scale` rather than being guessed into range.
 */
export function parseJudgeScore(reply: string, scale: readonly [number, number]): JudgeScore {
  const [low, high] = scale;
  if (reply.trim() === '') return { ok: false, failure: 'empty', message: 'the judge returned an empty reply' };
  const json = fromJson(reply);
  const candidate = json.candidate ?? fromProse(reply, high);
  if (candidate === 'ambiguous') return { ok: false, failure: 'ambiguous', message: 'the reply gives several different scores' };
  if (candidate === undefined) {
    return REFUSAL.test(reply)
      ? { ok: false, failure: 'refusal', message: 'the judge declined to score' }
      : { ok: false, failure: 'no_score', message: 'no score found in the reply' };
  }
  const { value, outOf } = candidate;
  if (outOf !== undefined && outOf !== high) {
    return { ok: false, failure: 'out_of_scale', message: `the judge scored out of ${outOf}; the scale is ${low}–${high}` };
  }
  if (!Number.isFinite(value) || value < low || value > high) {
    return { ok: false, failure: 'out_of_scale', message: `score ${value} is outside the scale ${low}–${high}` };
  }
  return { ok: true, raw: value, score: normaliseJudgeScore(value, scale), ...(json.rationale ? { rationale: json.rationale } : {}) };
}

/** A score on [low, high] mapped linearly onto [0, 1]. */
export function normaliseJudgeScore(raw: number, scale: readonly [number, number]): number {
  const [low, high] = scale;
  if (!(high > low)) throw new RangeError(`the scale must be [low, high] with low < high, got [${low}, ${high}]`);
  return Math.min(1, Math.max(0, (raw - low) / (high - low)));
}
