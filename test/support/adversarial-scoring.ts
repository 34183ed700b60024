/**
 * Child process of test/unit/metrics/bounded-time.test.ts: scores one adversarial input with one metric
 * or parser and prints `{"ms": …, "value": …}`, the time of the scoring call alone. A process of its own
 * because a backtracking match cannot be interrupted from inside: the parent kills a case that hangs.
 */
import { parseLabelReply } from '#shared/domain/metrics/graders/openai-graders.js';
import { parsePairwiseReply } from '#shared/domain/metrics/judge/pairwise.js';
import { parseJudgeScore } from '#shared/domain/metrics/judge/parse-score.js';
import { resolveMetrics } from '#shared/domain/metrics/registry.js';
import type { MetricConfig, ScoreInput } from '#shared/domain/metrics/types.js';

const megabyte = 1_000_000;

/** Distinct pseudo-random words, so that no long common prefix or suffix lets a metric skip its work. */
function words(characters: number, seed: number): string {
  let state = seed;
  const out: string[] = [];
  let length = 0;
  while (length < characters) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const word = state.toString(36).slice(0, 2 + (state % 5));
    out.push(word);
    length += word.length + 1;
  }
  return out.join(' ').slice(0, characters);
}

function computed(config: string | MetricConfig, sample: ScoreInput): number | null {
  const [metric] = resolveMetrics([config], { taskType: 'free_text' });
  if (metric?.kind !== 'computed') throw new Error('expected a computed metric');
  return metric.score(sample);
}

const catastrophic = `${'a'.repeat(100_000)}!`;
const answer = words(megabyte, 1);
const reference = words(megabyte, 2);
const long = { input: 'Summarise.', output: answer, expected: reference };

const cases: Record<string, () => unknown> = {
  regex_metric: () => computed({ name: 'nested', type: 'regex', pattern: '^(a+)+$' }, { input: 'q', output: catastrophic }),
  json_schema_pattern: () =>
    computed(
      { name: 'shape', type: 'json_schema', schema: { type: 'string', pattern: '^(a+)+$' } },
      { input: 'q', output: JSON.stringify(catastrophic) },
    ),
  json_schema_pattern_properties: () =>
    computed(
      { name: 'keys', type: 'json_schema', schema: { type: 'object', patternProperties: { '^(a+)+$': { type: 'number' } } } },
      { input: 'q', output: JSON.stringify({ [catastrophic]: 'not a number' }) },
    ),
  edit_similarity: () => computed('edit_similarity', long),
  rouge_l: () => computed('rouge_l', long),
  bleu: () => computed('bleu', long),
  chrf: () => computed('chrf', long),
  fuzzy_match_grader: () =>
    computed(
      { name: 'Fuzzy', type: 'text_similarity', evaluation_metric: 'fuzzy_match', input: '{{sample.output_text}}', reference: '{{item.expected}}' },
      long,
    ),
  gleu_grader: () =>
    computed(
      { name: 'Gleu', type: 'text_similarity', evaluation_metric: 'gleu', input: '{{sample.output_text}}', reference: '{{item.expected}}' },
      long,
    ),
  meteor_grader: () =>
    computed(
      { name: 'Meteor', type: 'text_similarity', evaluation_metric: 'meteor', input: '{{sample.output_text}}', reference: '{{item.expected}}' },
      long,
    ),
  // The longest replies the parsers read (reply-json.ts), so that the parsing itself runs.
  judge_reply_spaces_at_cap: () => parseJudgeScore(`Score:${' '.repeat(99_990)}`, [1, 5]),
  judge_reply_braces_at_cap: () => parseJudgeScore(`${'{'.repeat(49_995)}${'}'.repeat(49_995)}`, [1, 5]),
  pairwise_reply_spaces_at_cap: () => parsePairwiseReply(`Winner is${' '.repeat(99_990)}`),
  judge_reply_spaces: () => parseJudgeScore(`Score:${' '.repeat(megabyte)}`, [1, 5]),
  judge_reply_braces: () => parseJudgeScore(`${'{'.repeat(megabyte / 2)}${'}'.repeat(megabyte / 2)}`, [1, 5]),
  judge_reply_digits: () => parseJudgeScore('1'.repeat(megabyte), [1, 5]),
  pairwise_reply_braces: () => parsePairwiseReply(`${'{'.repeat(megabyte / 2)}${'}'.repeat(megabyte / 2)}`),
  pairwise_reply_spaces: () => parsePairwiseReply(`Winner is${' '.repeat(megabyte)}`),
  label_reply_braces: () => parseLabelReply(`${'{'.repeat(megabyte / 2)}${'}'.repeat(megabyte / 2)}`, ['yes', 'no'], ['yes']),
};

const name = process.argv[2] ?? '';
const run = cases[name];
if (!run) throw new Error(`unknown case ${name}; known: ${Object.keys(cases).join(', ')}`);
const started = performance.now();
const value = run();
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ ms, value }));
