import type { MetricName } from '../../contracts/metrics/metric-names.js';
import { defaultJudgeScale, judgeTemplates, pairwiseTemplate } from './judge/templates.js';
import { accuracy } from './lexical/accuracy.js';
import { EDIT_SIMILARITY_MAX_CODE_POINTS, ROUGE_L_MAX_TOKENS, SIMILARITY_MAX_CHARS } from './lexical/caps.js';
import { sentenceBleu } from './lexical/bleu.js';
import { sentenceChrf } from './lexical/chrf.js';
import { contains, startsWith } from './lexical/contains.js';
import { editSimilarity } from './lexical/edit-similarity.js';
import { exactMatch } from './lexical/exact-match.js';
import { MAX_PATTERN_CHARS, MAX_PROGRAM_SIZE, regexMatch } from './lexical/regex.js';
import { rougeL, rougeN } from './lexical/rouge.js';
import { tokenF1 } from './lexical/token-f1.js';
import { jsonSchemaMatch, jsonValid } from './structured/json.js';
import { toolArgumentsMatch, toolCallF1, toolNameMatch } from './structured/tool-calls.js';
import type {
  ComputedMetricDefinition,
  JudgeMetricDefinition,
  MetricConfigOf,
  MetricDefinition,
  MetricTraits,
  PairwiseMetricDefinition,
  ParameterDoc,
  ScoreInput,
} from './types.js';

/** Parameters of the configurable metrics, exactly as their configuration objects carry them. */
type ConfigParams<TType extends 'regex' | 'contains' | 'exact_match' | 'json_schema' | 'tool_arguments_match'> = Omit<
  MetricConfigOf<TType>,
  'name' | 'type'
>;
export type RegexParams = ConfigParams<'regex'>;
export type ExactMatchParams = ConfigParams<'exact_match'>;
export type JsonSchemaParams = ConfigParams<'json_schema'>;
export type ToolArgumentsParams = ConfigParams<'tool_arguments_match'>;
/** `value` defaults to the item's expected answer, so the built-in `contains` needs no configuration. */
export type ContainsParams = Partial<ConfigParams<'contains'>>;
export interface RougeParams {
  stem?: boolean;
}

const fraction = [0, 1] as const;

// What the similarity metrics read (lexical/caps.ts), said in their descriptions and so in docs/metrics.md.
const count = (value: number) => value.toLocaleString('en-US');
const readsChars = `Reads the first ${count(SIMILARITY_MAX_CHARS)} characters of each text.`;

// Lexical metrics compare with the expected answer; without one they do not apply (null), which the
// statistics count as an exclusion rather than a zero.
function versusExpected<TParams>(compare: (output: string, expected: string, sample: ScoreInput, params?: TParams) => number) {
  return (sample: ScoreInput, params?: TParams): number | null =>
    sample.expected === undefined ? null : compare(sample.output, sample.expected, sample, params);
}

const computed = <TParams>(
  traits: Omit<MetricTraits, 'parameters'> & { parameters?: readonly ParameterDoc[] },
  score: (sample: ScoreInput, params?: TParams) => number | null,
): ComputedMetricDefinition<TParams> => ({ kind: 'computed', parameters: [], ...traits, score });

const passFail = { range: fraction, higherIsBetter: true, binary: true } as const;
const graded = { range: fraction, higherIsBetter: true, binary: false } as const;
const cost = { range: null, higherIsBetter: false, binary: false } as const;

const valueParameter: ParameterDoc = { name: 'value', type: 'string', default: 'the expected answer', description: 'Text to look for.' };
const caseParameter: ParameterDoc = { name: 'case_sensitive', type: 'boolean', default: 'true', description: 'Match letter case exactly.' };
const stemParameter: ParameterDoc = {
  name: 'stem',
  type: 'boolean',
  default: 'false',
  description: 'Porter-stem words longer than three letters (rouge-score `use_stemmer`).',
};

// Needle of contains/starts_with: the configured value, else the expected answer; empty means "not applicable".
const needle = (sample: ScoreInput, params?: ContainsParams) => params?.value ?? sample.expected;

export const exactMatchMetric = computed<ExactMatchParams>(
  {
    name: 'exact_match',
    description: 'Output equals the expected answer after SQuAD normalisation (case, punctuation, articles a/an/the, whitespace).',
    ...passFail,
    parameters: [
      { name: 'ignore_case', type: 'boolean', default: 'true', description: 'Compare lower-cased.' },
      { name: 'ignore_punctuation', type: 'boolean', default: 'true', description: 'Drop ASCII punctuation.' },
      { name: 'ignore_articles', type: 'boolean', default: 'true', description: 'Drop the articles a, an, the.' },
    ],
  },
  versusExpected((output, expected, _sample, params?: ExactMatchParams) =>
    exactMatch(output, expected, {
      ...(params?.ignore_case === undefined ? {} : { ignoreCase: params.ignore_case }),
      ...(params?.ignore_punctuation === undefined ? {} : { ignorePunctuation: params.ignore_punctuation }),
      ...(params?.ignore_articles === undefined ? {} : { ignoreArticles: params.ignore_articles }),
    }),
  ),
);

export const containsMetric = computed<ContainsParams>(
  {
    name: 'contains',
    description: 'Output contains the expected answer (or the configured value), case-sensitively unless configured otherwise.',
    ...passFail,
    parameters: [valueParameter, caseParameter],
  },
  (sample, params) => {
    const text = needle(sample, params);
    return text ? contains(sample.output, text, { caseSensitive: params?.case_sensitive ?? true }) : null;
  },
);

export const regexMetric = computed<RegexParams>(
  {
    name: 'regex',
    description: `Output matches the configured regular expression anywhere. JavaScript syntax, matched in linear time by RE2 (re2js): backreferences, lookaround and patterns that compile to more than ${count(MAX_PROGRAM_SIZE)} instructions are refused with 422 at creation; \`\\s\` is ASCII whitespace and \`.\` excludes only \`\\n\`. The whole output is matched (cutting it could make \`$\` match where it does not).`,
    ...passFail,
    parameters: [
      { name: 'pattern', type: 'string', description: 'The regular expression.' },
      { name: 'flags', type: 'string', default: '""', description: 'Any of i (ignore case), m (multi-line), s (dot matches newline).' },
    ],
  },
  (sample, params) => {
    if (!params) throw new TypeError('the regex metric needs a pattern');
    return regexMatch(sample.output, params.pattern, params.flags ?? '');
  },
);

export const jsonSchemaMetric = computed<JsonSchemaParams>(
  {
    name: 'json_schema',
    description: `Output is JSON that satisfies the configured JSON Schema (draft-07 unless \`$schema\` names 2019-09 or 2020-12; \`format\` is not checked). \`pattern\` and \`patternProperties\` run on RE2 in linear time, with the \`regex\` metric's rules, and are at most ${count(MAX_PATTERN_CHARS)} characters.`,
    ...passFail,
    parameters: [{ name: 'schema', type: 'object', description: 'The JSON Schema.' }],
  },
  (sample, params) => {
    if (!params) throw new TypeError('the json_schema metric needs a schema');
    return jsonSchemaMatch(sample.output, params.schema);
  },
);

/** The judged metrics the API accepts by name; `rubric` is reached through an `llm_judge` configuration. */
export type NamedJudgeMetric = Exclude<keyof typeof judgeTemplates, 'rubric'>;

const judge = (name: NamedJudgeMetric, description: string): JudgeMetricDefinition => ({
  kind: 'judge',
  name,
  description: `${description} Judged on a ${defaultJudgeScale[0]}–${defaultJudgeScale[1]} scale, normalised to 0–1 (template \`${judgeTemplates[name].id}\`).`,
  ...graded,
  parameters: [],
  template: judgeTemplates[name],
});

export const pairwisePreferenceMetric: PairwiseMetricDefinition = {
  kind: 'pairwise',
  name: 'pairwise_preference',
  description: `Comparison mode only: a judge picks the better of the two models' answers, asked in both orders to cancel position bias; 1 = model 2 preferred both times, 0.5 = tie or flipped verdict, 0 = model 1 preferred (template \`${pairwiseTemplate.id}\`).`,
  ...graded,
  parameters: [],
  templateId: pairwiseTemplate.id,
};

/** Every metric the API accepts by name. Typed by the catalogue, so a name without a definition fails to compile. */
// Tool metrics compare with the item's expected calls; without them they do not apply (null).
function versusExpectedCalls<TParams>(
  compare: (actual: NonNullable<ScoreInput['tool_calls']>, expected: NonNullable<ScoreInput['expected_tool_calls']>, params?: TParams) => number,
) {
  return (sample: ScoreInput, params?: TParams): number | null =>
    sample.expected_tool_calls === undefined ? null : compare(sample.tool_calls ?? [], sample.expected_tool_calls, params);
}

export const toolArgumentsMatchMetric = computed<ToolArgumentsParams>(
  {
    name: 'tool_arguments_match',
    description:
      "Every expected tool call is made, with equal arguments, by a call of its own (needs the item's `expected_tool_calls`). JSON-aware: key order and number formatting do not matter; an expected call without `arguments` accepts any; arguments that are not a JSON object never match.",
    ...passFail,
    parameters: [
      {
        name: 'mode',
        type: '"exact" | "subset"',
        default: '"exact"',
        description: '`subset`: the call may carry keys the expected arguments do not name (at any depth).',
      },
    ],
  },
  versusExpectedCalls<ToolArgumentsParams>((actual, expected, params) => toolArgumentsMatch(actual, expected, params?.mode ?? 'exact')),
);

export const builtinMetrics: Record<MetricName, MetricDefinition> = {
  exact_match: exactMatchMetric,
  accuracy: computed(
    {
      name: 'accuracy',
      description:
        'Multiple choice: the option the answer picks ("B", "(B)", "Answer: B", "b)", the option text…) is the expected one (a letter or the option text). Numeric answers: numerically equal ("42.0", "$42", "42 apples" match 42). Otherwise exact match.',
      ...passFail,
    },
    versusExpected((output, expected, sample) => accuracy(output, expected, sample.choices)),
  ),
  contains: containsMetric,
  icontains: computed<ContainsParams>(
    {
      name: 'icontains',
      description: 'Output contains the expected answer (or the configured value), ignoring case.',
      ...passFail,
      parameters: [valueParameter],
    },
    (sample, params) => {
      const text = needle(sample, params);
      return text ? contains(sample.output, text, { caseSensitive: false }) : null;
    },
  ),
  starts_with: computed<ContainsParams>(
    {
      name: 'starts_with',
      description: 'Output (leading whitespace ignored) starts with the expected answer (or the configured value).',
      ...passFail,
      parameters: [valueParameter, caseParameter],
    },
    (sample, params) => {
      const text = needle(sample, params);
      return text ? startsWith(sample.output, text, { caseSensitive: params?.case_sensitive ?? true }) : null;
    },
  ),
  token_f1: computed(
    {
      name: 'token_f1',
      description: `SQuAD token F1: harmonic mean of word precision and recall after SQuAD normalisation. ${readsChars}`,
      ...graded,
    },
    versusExpected((output, expected) => tokenF1(output, expected)),
  ),
  bleu: computed(
    {
      name: 'bleu',
      description: `Sentence BLEU as sacreBLEU (13a tokenisation, mixed case, exp smoothing, effective order), divided by 100. ${readsChars}`,
      ...graded,
    },
    // sacreBLEU's arithmetic gives 100.00000000000004 for identical texts; scores stay inside their range.
    (sample) => (sample.expected ? Math.min(1, sentenceBleu(sample.output, sample.expected).score / 100) : null),
  ),
  chrf: computed(
    { name: 'chrf', description: `chrF as sacreBLEU (character 6-grams, β = 2, whitespace ignored), divided by 100. ${readsChars}`, ...graded },
    (sample) => (sample.expected ? Math.min(1, sentenceChrf(sample.output, sample.expected).score / 100) : null),
  ),
  rouge_1: computed<RougeParams>(
    {
      name: 'rouge_1',
      description: `ROUGE-1 F-measure (unigram overlap), tokenised as Google rouge-score. ${readsChars}`,
      ...graded,
      parameters: [stemParameter],
    },
    versusExpected((output, expected, _sample, params?: RougeParams) => rougeN(output, expected, 1, params).fmeasure),
  ),
  rouge_2: computed<RougeParams>(
    {
      name: 'rouge_2',
      description: `ROUGE-2 F-measure (bigram overlap), tokenised as Google rouge-score. ${readsChars}`,
      ...graded,
      parameters: [stemParameter],
    },
    versusExpected((output, expected, _sample, params?: RougeParams) => rougeN(output, expected, 2, params).fmeasure),
  ),
  rouge_l: computed<RougeParams>(
    {
      name: 'rouge_l',
      description: `ROUGE-L F-measure (longest common subsequence of words), tokenised as Google rouge-score. ${readsChars} The subsequence is O(n·m), so at most the first ${count(ROUGE_L_MAX_TOKENS)} tokens of each text are aligned.`,
      ...graded,
      parameters: [stemParameter],
    },
    versusExpected((output, expected, _sample, params?: RougeParams) => rougeL(output, expected, params).fmeasure),
  ),
  edit_similarity: computed(
    {
      name: 'edit_similarity',
      description: `1 − Levenshtein distance / length of the longer text, over Unicode code points. The distance is O(n·m), so it compares the first ${count(EDIT_SIMILARITY_MAX_CODE_POINTS)} code points of each text.`,
      ...graded,
    },
    versusExpected((output, expected) => editSimilarity(output, expected)),
  ),
  json_valid: computed({ name: 'json_valid', description: 'The whole output (surrounding whitespace aside) is valid JSON.', ...passFail }, (sample) =>
    jsonValid(sample.output),
  ),
  tool_name_match: computed(
    {
      name: 'tool_name_match',
      description:
        "The names of the tools called equal the expected ones as a multiset: order and arguments aside, each tool called as many times as expected (needs the item's `expected_tool_calls`; `[]` expects no call).",
      ...passFail,
    },
    versusExpectedCalls((actual, expected) => toolNameMatch(actual, expected)),
  ),
  tool_arguments_match: toolArgumentsMatchMetric,
  tool_call_f1: computed(
    {
      name: 'tool_call_f1',
      description:
        'F1 of the calls made against the calls expected, a call being correct when it matches an expected one by name and exact arguments (each expected call matched at most once); no calls expected and none made scores 1.',
      ...graded,
    },
    versusExpectedCalls((actual, expected) => toolCallF1(actual, expected)),
  ),
  latency_ms: computed(
    { name: 'latency_ms', description: 'Response latency in milliseconds, as measured by the evaluator.', ...cost },
    (sample) => sample.latency_ms ?? null,
  ),
  output_tokens: computed(
    { name: 'output_tokens', description: 'Tokens the model generated, as reported by its provider.', ...cost },
    (sample) => sample.output_tokens ?? null,
  ),
  cost_usd: computed(
    { name: 'cost_usd', description: "Cost of the call in US dollars, from the model's token prices.", ...cost },
    (sample) => sample.cost_usd ?? null,
  ),
  relevance: judge('relevance', 'How relevant the answer is to the question.'),
  correctness: judge('correctness', 'How correct the answer is against the expected answer (needs `expected`).'),
  faithfulness: judge('faithfulness', "Whether every claim is supported by the item's context (needs `context`)."),
  helpfulness: judge('helpfulness', 'How helpful the answer is to the person asking.'),
  pairwise_preference: pairwisePreferenceMetric,
};
