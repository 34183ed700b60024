import { normaliseAnswer } from './normalise.js';

/**
 * Which option of a multiple-choice item an answer picks. Models answer "B", "(B)", "b)", "Answer: B",
 * "The answer is B.", "B) Paris" or just "Paris"; the rules below are tried from the most to the least
 * explicit, and an answer that names no option, or several, picks nothing (and so scores 0).
 */

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function letterIndex(letter: string, optionCount: number): number | null {
  const index = LETTERS.indexOf(letter.toUpperCase());
  return index >= 0 && index < optionCount ? index : null;
}

/** The whole answer is one letter, maybe bracketed or followed by punctuation: "B", "(b)", "C.", "[D]". */
const WHOLE_LETTER = /^[([]?\s*([A-Za-z])\s*[)\].:]?$/;
/** The answer opens with a letter label: "B) Paris", "(B) Paris", "B. Paris", "b: Paris". */
const LEADING_LETTER = /^[([]?([A-Za-z])[)\].:](?:\s|$)/;
/**
 * A labelled letter: "Answer: B", "the answer is (C)", "Option D", "final answer: b." A lower-case letter
 * needs closing punctuation or the end after it, so "the answer is a cat" is not read as option A.
 */
const LABELLED_LETTER = /\b(?:final\s+answer|answer|option|choice)\s*(?:is|:|=|-)?\s*(?:option\s+)?[([]?([A-Za-z])(?=[)\].:,;!?]|\s*$|\s)/gi;
/** A bracketed letter anywhere: "I'd pick (C)", "[B]". */
const BRACKETED_LETTER = /[([]([A-Z])[)\]]/g;
/** Upper-case single letters standing alone, used only for very short answers ("I think C"). */
const LONE_CAPITAL = /(?<![A-Za-z0-9'’])([A-Z])(?![A-Za-z0-9'’])/g;

const isUpperCase = (letter: string) => letter !== letter.toLowerCase();

function uniqueIndex(indices: readonly (number | null)[]): number | null {
  const distinct = new Set(indices.filter((index): index is number => index !== null));
  return distinct.size === 1 ? [...distinct][0]! : null;
}

/** The option whose text the answer states; when several do, the one whose text contains the others'. */
function optionByText(answer: string, choices: readonly string[]): number | null {
  const normalisedAnswer = normaliseAnswer(answer);
  const normalisedChoices = choices.map((choice) => normaliseAnswer(choice));
  const exact = normalisedChoices.indexOf(normalisedAnswer);
  if (exact >= 0 && normalisedAnswer !== '') return exact;
  const padded = ` ${normalisedAnswer} `;
  const mentioned = normalisedChoices
    .map((choice, index) => ({ choice, index }))
    .filter(({ choice }) => choice !== '' && padded.includes(` ${choice} `));
  // "New York City" mentions "New York" too; the longer, containing option is the one meant.
  const maximal = mentioned.filter(({ choice }) => !mentioned.some((other) => other.choice !== choice && other.choice.includes(choice)));
  return maximal.length === 1 ? maximal[0]!.index : null;
}

export function chosenOption(answer: string, choices: readonly string[]): number | null {
  // Markdown emphasis and code ticks carry no meaning here: "**B**" is "B".
  const text = answer.replace(/[*`]/g, '').trim();
  const count = choices.length;
  const whole = WHOLE_LETTER.exec(text);
  if (whole) return letterIndex(whole[1]!, count);
  const leading = LEADING_LETTER.exec(text);
  if (leading) {
    const index = letterIndex(leading[1]!, count);
    if (index !== null) return index;
  }
  const labelled = [...text.matchAll(LABELLED_LETTER)]
    .filter((match) => isUpperCase(match[1]!) || !/^\s+\S/.test(text.slice(match.index + match[0].length)))
    .map((match) => letterIndex(match[1]!, count))
    .filter((index) => index !== null);
  // Models restate their answer at the end ("… so the answer is C"): the last labelled letter counts.
  if (labelled.length > 0) return labelled[labelled.length - 1]!;
  const byText = optionByText(text, choices);
  if (byText !== null) return byText;
  const bracketed = uniqueIndex([...text.matchAll(BRACKETED_LETTER)].map((match) => letterIndex(match[1]!, count)));
  if (bracketed !== null) return bracketed;
  if (text.split(/\s+/).length <= 5) {
    // "I" is the pronoun in "I think C", never option I, in answers this short.
    const capitals = [...text.matchAll(LONE_CAPITAL)].filter((match) => !(match[1] === 'I' && /^I\s+[a-z]/.test(text.slice(match.index))));
    return uniqueIndex(capitals.map((match) => letterIndex(match[1]!, count)));
  }
  return null;
}

/** The option an expected answer designates: a letter ("B", "(b)") or the option's text. */
export function expectedOption(expected: string, choices: readonly string[]): number | null {
  const letter = WHOLE_LETTER.exec(expected.trim());
  if (letter) return letterIndex(letter[1]!, choices.length);
  const normalised = normaliseAnswer(expected);
  const index = choices.findIndex((choice) => normaliseAnswer(choice) === normalised);
  return index >= 0 ? index : null;
}
