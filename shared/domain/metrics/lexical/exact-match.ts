import { normaliseAnswer, type AnswerNormalisation } from './normalise.js';

/** 1 when output and expected are equal after normalisation (all of SQuAD's by default), else 0. */
export function exactMatch(output: string, expected: string, options: AnswerNormalisation = {}): 0 | 1 {
  return normaliseAnswer(output, options) === normaliseAnswer(expected, options) ? 1 : 0;
}
