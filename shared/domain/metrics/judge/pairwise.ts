import { declines, field, rationaleKeys, textField, verdictObject } from './reply-json.js';

/** A judge's verdict in the order it saw the answers: A was shown first. */
export type PairwiseVerdict = 'A' | 'B' | 'tie';

export type PairwiseFailure = 'empty' | 'refusal' | 'no_verdict';

export type PairwiseReply = { ok: true; verdict: PairwiseVerdict; rationale?: string } | { ok: false; failure: PairwiseFailure; message: string };

const TIE_WORDS = /^(?:tie|tied|draw|equal|equally good|equally bad|both|neither|none|same|c)$/i;

/** "A", "Response B", "assistant a", "tie" → a verdict. Longer texts are not a verdict. */
function verdictFromText(text: string): PairwiseVerdict | undefined {
  if (text.length > 64) return undefined;
  const cleaned = text
    .trim()
    .replace(/[.!*"'`[\]()]/g, '')
    .replace(/^(?:response|output|answer|assistant|model)\s+/i, '')
    .trim();
  if (/^a$/i.test(cleaned)) return 'A';
  if (/^b$/i.test(cleaned)) return 'B';
  if (TIE_WORDS.test(cleaned)) return 'tie';
  return undefined;
}

/**
 * The verdict in a pairwise judge's reply, never throwing: the whole reply is one JSON object whose
 * `winner` (or `verdict`, `preference`, `better`, `choice`, `preferred`) names A, B or a tie (reply-json.ts
 * says why nothing is searched for inside a longer reply).
 */
export function parsePairwiseReply(reply: string): PairwiseReply {
  const parsed = verdictObject(reply);
  if (!parsed.ok) return { ok: false, failure: parsed.failure === 'not_json' ? 'no_verdict' : parsed.failure, message: parsed.message };
  const value = field(parsed.object, ['winner', 'verdict', 'preference', 'better', 'choice', 'preferred']);
  const verdict = typeof value === 'string' ? verdictFromText(value) : undefined;
  if (verdict) {
    const rationale = textField(parsed.object, rationaleKeys);
    return { ok: true, verdict, ...(rationale ? { rationale } : {}) };
  }
  return declines(parsed.object)
    ? { ok: false, failure: 'refusal', message: 'the judge declined to compare' }
    : { ok: false, failure: 'no_verdict', message: 'the reply has no "winner" of A, B or tie' };
}

export type Preference = 'model_1' | 'model_2' | 'tie';

export interface PairwiseOutcome {
  preferred: Preference;
  /** Model 2's share of the preference: 1 preferred in both orders, 0.5 tie, 0 model 1 preferred. */
  score: number;
  /** The judge picked different models depending on the order: position bias, counted as a tie. */
  flipped: boolean;
  /** Both orders gave the same verdict. */
  consistent: boolean;
  /** Each order's verdict translated to models. */
  model_1_first: Preference;
  model_2_first: Preference;
}

const modelScore: Record<Preference, number> = { model_1: 0, tie: 0.5, model_2: 1 };

/**
 * Reconciles the two orders. `model1First` is the verdict when model 1's answer was A, `model2First` when
 * model 2's was A. The score is the mean of the two orders' scores, so a flip (A both times, or B both
 * times) is a tie, and a win in one order with a tie in the other is a half-win.
 */
export function reconcilePairwise(model1First: PairwiseVerdict, model2First: PairwiseVerdict): PairwiseOutcome {
  const first: Preference = model1First === 'A' ? 'model_1' : model1First === 'B' ? 'model_2' : 'tie';
  const second: Preference = model2First === 'A' ? 'model_2' : model2First === 'B' ? 'model_1' : 'tie';
  const score = (modelScore[first] + modelScore[second]) / 2;
  return {
    preferred: score > 0.5 ? 'model_2' : score < 0.5 ? 'model_1' : 'tie',
    score,
    flipped: (first === 'model_1' && second === 'model_2') || (first === 'model_2' && second === 'model_1'),
    consistent: first === second,
    model_1_first: first,
    model_2_first: second,
  };
}
