/**
 * sacreBLEU's default tokeniser `13a`, the one of mteval-v13a.pl used by WMT: BLEU scores are only
 * comparable when computed on the same tokenisation, so this follows it rule for rule.
 */

import { splitPythonWhitespace } from './python-whitespace.js';

// Punctuation and symbols in the ASCII ranges {-~, [-`, space-&, (-+, :-@ and /, padded with spaces.
const SYMBOLS = /([{-~[-` -&(-+:-@/])/g;
// Periods and commas split off unless inside a number (3.14, 1,000).
const PERIOD_COMMA_AFTER_NON_DIGIT = /([^0-9])([.,])/g;
const PERIOD_COMMA_BEFORE_NON_DIGIT = /([.,])([^0-9])/g;
const DASH_AFTER_DIGIT = /([0-9])(-)/g;

export function tokenize13a(line: string): string[] {
  let text = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (text.includes('&')) {
    text = text.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  }
  text = ` ${text} `
    .replace(SYMBOLS, ' $1 ')
    .replace(PERIOD_COMMA_AFTER_NON_DIGIT, '$1 $2 ')
    .replace(PERIOD_COMMA_BEFORE_NON_DIGIT, ' $1 $2')
    .replace(DASH_AFTER_DIGIT, '$1 $2 ');
  return splitPythonWhitespace(text);
}
