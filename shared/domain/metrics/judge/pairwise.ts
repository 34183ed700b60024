import { field, jsonObjectsIn, rationaleKeys, REFUSAL, textField } from './reply-json.js';

/** A judge's verdict in the order it saw the answers: A was shown first. */
export type PairwiseVerdict = 'A' | 'B' | 'tie';

export type PairwiseFailure = 'empty' | 'refusal' | 'no_verdict';

export type PairwiseReply = { ok: true; verdict: PairwiseVerdict; rationale?: string } | { ok: false; failure: PairwiseFailure; message: string };

const TIE_WORDS = /^(?:tie|tied|draw|equal|equally good|equally bad|both|neither|none|same|c)$/i;

/** "A", "Response B", "assistant a", "tie" → a verdict. */
function verdictFromText(text: string): PairwiseVerdict | undefined {
  const cleaned = text.trim().replace(/[.!*"'`[\]()]/g, '').replace(/^(?:response|output|answer|assistant|model)\s+/i, '').trim();
  if (/^a$/i.test(cleaned)) return 'A';
  if (/^b$/i.test(cleaned)) return 'B';
  if (TIE_WORDS.test(cleaned)) return 'tie';
  return undefined;
}

// MT-Bench's "[[A]]", "[[B]]", "[[C]]" (C is its tie).
const DOUBLE_BRACKETED = /\[\[\s*(A|B|C|tie)\s*\]\]/gi;
// "Winner: A", "Verdict: Response B", "My preference is B", "Better response: tie".
const LABELLED = /\b(?:winner|verdict|preference|preferred(?:\s+response)?|better\s+response|choice)\s*(?:is\s*|:\s*|=\s*)(?:response\s+|output\s+|assistant\s+)?\**\s*(A|B|tie|draw)\b/gi;
// "Response A is better", "Output B is superior".
const BETTER = /\b(?:response|output|answer|assistant)\s+(A|B)\s+(?:is|was)\s+(?:clearly\s+|slightly\s+|much\s+)?(?:better|superior|preferable|preferred|stronger|more\s+helpful)/gi;
const TIE_PROSE = /\b(?:it(?:'|’)?s a tie|is a tie|are (?:equally|about equally) (?:good|bad|helpful)|both (?:responses )?are equally|neither (?:response )?is better)\b/i;

/**
 * The verdict in a pairwise judge's reply, never throwing: JSON (`winner`, `verdict`, `preference`,
 * `better`), MT-Bench brackets, labelled prose, "Response A is better", tie phrases, or a reply that is
 * only "A" / "B" / "tie". The last explicit verdict wins, as judges end with their decision.
 */
export function parsePairwiseReply(reply: string): PairwiseReply {
  if (reply.trim() === '') return { ok: false, failure: 'empty', message: 'the judge returned an empty reply' };
  for (const object of jsonObjectsIn(reply)) {
    const value = field(object, ['winner', 'verdict', 'preference', 'better', 'choice', 'preferred']);
    const verdict = typeof value === 'string' ? verdictFromText(value) : undefined;
    if (verdict) {
      const rationale = textField(object, rationaleKeys);
      return { ok: true, verdict, ...(rationale ? { rationale } : {}) };
    }
  }
  const found = (verdict: PairwiseVerdict): PairwiseReply => ({ ok: true, verdict });
  const bracketed = [...reply.matchAll(DOUBLE_BRACKETED)].at(-1);
  if (bracketed) return found(bracketed[1]!.toUpperCase() === 'C' ? 'tie' : (verdictFromText(bracketed[1]!) ?? 'tie'));
  const labelled = [...reply.matchAll(LABELLED)].at(-1);
  if (labelled) return found(verdictFromText(labelled[1]!) ?? 'tie');
  const better = [...reply.matchAll(BETTER)].at(-1);
  if (better) return found(verdictFromText(better[1]!)!);
  if (TIE_PROSE.test(reply)) return found('tie');
  const whole = verdictFromText(reply);
  if (whole) return found(whole);
  return REFUSAL.test(reply)
    ? { ok: false, failure: 'refusal', message: 'the judge declined to compare' }
    : { ok: false, failure: 'no_verdict', message: 'no verdict found in the reply' };
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
