/**
 * Answer normalisation of the SQuAD evaluation script (Rajpurkar et al. 2016), the usual basis of exact
 * match and token F1: lower-case, drop ASCII punctuation, drop the articles a/an/the, collapse whitespace.
 * Each step can be switched off (the `exact_match` configuration). Text is put in Unicode NFC first, so
 * "é" typed as one code point or as e + accent compares equal; SQuAD itself does not do this.
 */

export interface AnswerNormalisation {
  ignoreCase?: boolean;
  ignorePunctuation?: boolean;
  ignoreArticles?: boolean;
}

// Python's string.punctuation, which SQuAD strips: ASCII only, so "é" or "—" survive as SQuAD's do.
const ASCII_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
// Case-insensitive so the article rule still applies when case is kept.
const ARTICLES = /\b(?:a|an|the)\b/gi;

export function normaliseAnswer(text: string, options: AnswerNormalisation = {}): string {
  const { ignoreCase = true, ignorePunctuation = true, ignoreArticles = true } = options;
  let normalised = text.normalize('NFC');
  if (ignoreCase) normalised = normalised.toLowerCase();
  if (ignorePunctuation) normalised = normalised.replace(ASCII_PUNCTUATION, '');
  if (ignoreArticles) normalised = normalised.replace(ARTICLES, ' ');
  return normalised.split(/\s+/).filter(Boolean).join(' ');
}

/** The normalised answer's words. */
export function answerTokens(text: string, options: AnswerNormalisation = {}): string[] {
  const normalised = normaliseAnswer(text, options);
  return normalised === '' ? [] : normalised.split(' ');
}
