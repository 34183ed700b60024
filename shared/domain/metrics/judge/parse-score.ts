import { declines, field, rationaleKeys, textField, verdictObject } from './reply-json.js';

/** Why a judge reply gave no usable score. The evaluator may retry, or record the item's score as null. */
export type JudgeFailure = 'empty' | 'refusal' | 'no_score' | 'out_of_scale';

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
// A score given as text inside the JSON: "4", "4/5", "4 out of 5".
const SCORE_TEXT = new RegExp(String.raw`^\s*(${NUMBER})(?:\s*(?:\/|out\s+of)\s*(${NUMBER}))?\s*$`, 'i');

interface Candidate {
  value: number;
  /** The "out of" denominator the judge stated, if any. */
  outOf?: number;
}

function candidateOf(value: unknown): Candidate | undefined {
  if (typeof value === 'number') return { value };
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const match = SCORE_TEXT.exec(value);
  return match ? { value: Number(match[1]), ...(match[2] ? { outOf: Number(match[2]) } : {}) } : undefined;
}

/**
 * The score in a judge's reply, on the scale [low, high], never throwing. The reply must be one JSON
 * object with a `score` (or `rating`, `grade`): a number, or text such as "4/5" (reply-json.ts says why
 * nothing is searched for inside a longer reply). A refusal, a reply that is not one JSON object, or one
 * without a score is a typed failure. A score off the scale, or stated "out of" a different maximum, is
 * `out_of_scale` rather than being guessed into range.
 */
export function parseJudgeScore(reply: string, scale: readonly [number, number]): JudgeScore {
  const [low, high] = scale;
  const verdict = verdictObject(reply);
  if (!verdict.ok) return { ok: false, failure: verdict.failure === 'not_json' ? 'no_score' : verdict.failure, message: verdict.message };
  const candidate = candidateOf(field(verdict.object, ['score', 'rating', 'grade']));
  if (candidate === undefined) {
    return declines(verdict.object)
      ? { ok: false, failure: 'refusal', message: 'the judge declined to score' }
      : { ok: false, failure: 'no_score', message: 'the reply has no numeric "score"' };
  }
  const rationale = textField(verdict.object, rationaleKeys);
  const { value, outOf } = candidate;
  if (outOf !== undefined && outOf !== high) {
    return { ok: false, failure: 'out_of_scale', message: `the judge scored out of ${outOf}; the scale is ${low}–${high}` };
  }
  if (!Number.isFinite(value) || value < low || value > high) {
    return { ok: false, failure: 'out_of_scale', message: `score ${value} is outside the scale ${low}–${high}` };
  }
  return { ok: true, raw: value, score: normaliseJudgeScore(value, scale), ...(rationale ? { rationale } : {}) };
}

/** A score on [low, high] mapped linearly onto [0, 1]. */
export function normaliseJudgeScore(raw: number, scale: readonly [number, number]): number {
  const [low, high] = scale;
  if (!(high > low)) throw new RangeError(`the scale must be [low, high] with low < high, got [${low}, ${high}]`);
  return Math.min(1, Math.max(0, (raw - low) / (high - low)));
}
