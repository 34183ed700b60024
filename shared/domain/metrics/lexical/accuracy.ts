import { chosenOption, expectedOption } from './choice-answer.js';
import { normaliseAnswer } from './normalise.js';
import { answerNumber, numbersEqual, numericValue } from './numbers.js';

// "The answer is", "Final answer:", "Answer -" before an exact answer say nothing about its content.
const ANSWER_PREFIX = /^\s*(?:(?:the\s+)?(?:final\s+)?answer\s*(?:is\s*:?|:|-)\s*)/i;

/**
 * Accuracy of one answer, 1 or 0:
 * - multiple choice (the item has choices and the expected answer designates one): the option the answer
 *   picks is the expected one;
 * - numeric expected answer: the answer's number equals it ("42.0", "$42", "42 apples" all match 42);
 * - otherwise: equal after SQuAD normalisation, ignoring an "The answer is" prefix.
 */
export function accuracy(output: string, expected: string, choices?: readonly string[]): 0 | 1 {
  if (choices && choices.length > 0) {
    const target = expectedOption(expected, choices);
    if (target !== null) return chosenOption(output, choices) === target ? 1 : 0;
  }
  const expectedNumber = numericValue(expected);
  if (expectedNumber !== null) {
    const given = answerNumber(output);
    return given !== null && numbersEqual(given, expectedNumber) ? 1 : 0;
  }
  return normaliseAnswer(output.replace(ANSWER_PREFIX, '')) === normaliseAnswer(expected) ? 1 : 0;
}
