import * as v from 'valibot';

/**
 * OpenAI Evals `testing_criteria` grader objects, accepted in `custom_metrics` so a team leaving OpenAI's
 * Evals API can bring its graders unchanged. They share the `type` key with Arbiter's own configuration
 * types (the names do not collide), so they are more variants of the same schema. Shapes follow OpenAI's
 * grader reference; whether a grader can run here (python cannot, some similarity metrics cannot) is
 * decided by the metric registry, which answers 422 with the reason rather than a 400 on the shape.
 */

/** OpenAI grader names are free text ("Exact match grader"); results report them as given. */
export const GraderNameSchema = v.pipe(
  v.string('must be a string'),
  v.nonEmpty('must not be empty'),
  v.maxLength(64, 'must be at most 64 characters'),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9 _.:-]*$/, 'may contain only letters, digits, spaces and _ . : -, starting with a letter or digit'),
);

const strict = <TEntries extends v.ObjectEntries>(entries: TEntries) =>
  v.strictObject(entries, (issue) => (issue.expected === 'never' ? 'is not a known field' : 'is required'));

const TemplateSchema = v.pipe(v.string('must be a string'), v.maxLength(20_000, 'must be at most 20000 characters'));

export const textSimilarityMetrics = [
  'fuzzy_match',
  'bleu',
  'gleu',
  'meteor',
  'cosine',
  'rouge_1',
  'rouge_2',
  'rouge_3',
  'rouge_4',
  'rouge_5',
  'rouge_l',
] as const;

const ContentPartSchema = v.object(
  { type: v.optional(v.string()), text: TemplateSchema },
  'must be a string or an {"type": "input_text", "text": "…"} part',
);

/** A chat message of a model grader's prompt; `content` may be text, one text part or a list of them. */
export const GraderMessageSchema = strict({
  type: v.optional(v.literal('message')),
  role: v.picklist(['system', 'developer', 'user', 'assistant'], 'must be one of: system, developer, user, assistant'),
  content: v.union([TemplateSchema, ContentPartSchema, v.pipe(v.array(ContentPartSchema), v.maxLength(20))], 'must be text or text parts'),
});
export type GraderMessage = v.InferOutput<typeof GraderMessageSchema>;

const GraderModelSchema = v.pipe(v.string('must be a model id'), v.nonEmpty('must not be empty'), v.maxLength(200, 'must be at most 200 characters'));
const MessagesSchema = v.pipe(
  v.array(GraderMessageSchema, 'must be an array of messages'),
  v.minLength(1, 'must hold at least one message'),
  v.maxLength(20, 'may hold at most 20 messages'),
);
const LabelsSchema = v.pipe(
  v.array(v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty'), v.maxLength(100)), 'must be an array of labels'),
  v.minLength(1, 'must hold at least one label'),
  v.maxLength(50, 'may hold at most 50 labels'),
);

/** OpenAI's sampling parameters: accepted for compatibility; the judge model's own parameters apply. */
const SamplingParamsSchema = v.object({
  temperature: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(2))),
  top_p: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  // The judge's max tokens, bounded as a model's own max_tokens is (model-fields.ts).
  max_completions_tokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(200_000, 'must be at most 200000'))),
});

export const graderVariants = [
  strict({
    name: GraderNameSchema,
    type: v.literal('string_check'),
    input: TemplateSchema,
    reference: TemplateSchema,
    operation: v.picklist(['eq', 'ne', 'like', 'ilike'], 'must be one of: eq, ne, like, ilike'),
  }),
  strict({
    name: GraderNameSchema,
    type: v.literal('text_similarity'),
    input: TemplateSchema,
    reference: TemplateSchema,
    evaluation_metric: v.picklist(textSimilarityMetrics, `must be one of: ${textSimilarityMetrics.join(', ')}`),
    pass_threshold: v.optional(v.pipe(v.number('must be a number'), v.minValue(0), v.maxValue(1))),
  }),
  strict({
    name: GraderNameSchema,
    type: v.literal('label_model'),
    model: GraderModelSchema,
    input: MessagesSchema,
    labels: LabelsSchema,
    passing_labels: LabelsSchema,
  }),
  strict({
    name: GraderNameSchema,
    type: v.literal('score_model'),
    model: GraderModelSchema,
    input: MessagesSchema,
    range: v.optional(
      v.pipe(
        v.tuple([v.number(), v.number()], 'must be [min, max]'),
        v.check(([low, high]) => low < high, 'must be [min, max] with min < max'),
      ),
    ),
    pass_threshold: v.optional(v.number('must be a number')),
    sampling_params: v.optional(SamplingParamsSchema),
  }),
  // Accepted as a shape only so that the registry can answer why it cannot run (422), not "unknown type".
  v.object({
    name: GraderNameSchema,
    type: v.literal('python'),
    source: v.optional(v.string()),
    image_tag: v.optional(v.string()),
    pass_threshold: v.optional(v.number()),
  }),
] as const;

/** Grader types Arbiter accepts but cannot run, with the reason given in the 422. */
export const unsupportedGraderTypes = {
  python:
    'Arbiter runs no user code: rewrite the python grader as a string_check, text_similarity, regex or json_schema metric, or as a score_model / llm_judge judged metric',
} as const;
