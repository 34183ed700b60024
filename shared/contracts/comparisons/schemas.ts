import * as v from 'valibot';
import { MetricNameSchema, ModelIdSchema } from '../identifiers.js';
import { JsonObjectSchema, pageSchema } from '../primitives.js';
import { PageQuerySchema } from '../pagination.js';
import { BaselineSelectorSchema } from '../evaluations/schemas.js';

const EvaluationRefSchema = v.pipe(v.string('must be a string'), v.regex(/^eval-[A-Za-z0-9_-]{1,64}$/, 'must be an evaluation id (eval-…)'));

/** Items compared at most when the caller names them: the body stays well under its size limit. */
export const MAX_COMPARED_ITEM_IDS = 10_000;
export const MAX_COMPARED_METRICS = 20;

export const CreateComparisonRequestSchema = v.pipe(
  JsonObjectSchema,
  v.strictObject(
    {
      baseline_evaluation_id: v.optional(v.pipe(EvaluationRefSchema, v.description('The finished evaluation to compare against.'))),
      baseline: v.optional(BaselineSelectorSchema),
      candidate_evaluation_id: v.pipe(EvaluationRefSchema, v.description('The finished evaluation being judged against the baseline.')),
      model_id: v.optional(
        v.pipe(
          ModelIdSchema,
          v.description('Which model of each evaluation to compare, when they ran in comparison mode (default: each one’s `model_id`).'),
        ),
      ),
      metrics: v.optional(
        v.pipe(
          v.array(MetricNameSchema),
          v.minLength(1, 'must name at least one metric'),
          v.maxLength(MAX_COMPARED_METRICS, `must name at most ${MAX_COMPARED_METRICS} metrics`),
          v.description('Metrics to compare (default: every metric both evaluations scored).'),
        ),
      ),
      margin: v.optional(
        v.pipe(
          v.record(
            MetricNameSchema,
            v.pipe(v.number('must be a number'), v.minValue(0, 'must be at least 0'), v.maxValue(1e12, 'must be at most 1e12')),
          ),
          v.description(
            'Per metric, the non-inferiority margin: the candidate passes when it is not worse than the baseline by more than this (one-sided paired t-test at 5%; the metric’s direction decides what worse means).',
          ),
          v.examples([{ exact_match: 0.02 }]),
        ),
      ),
      item_ids: v.optional(
        v.pipe(
          v.array(v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(200, 'must be at most 200 characters'))),
          v.minLength(1, 'must name at least one item'),
          v.maxLength(MAX_COMPARED_ITEM_IDS, `must name at most ${MAX_COMPARED_ITEM_IDS} items`),
          v.description('Compare only these items (by `item_id`); required when the two benchmarks’ content differs.'),
        ),
      ),
    },
    (issue) => (issue.expected === 'never' ? 'is not a known field' : 'is required'),
  ),
  v.forward(
    v.check(
      (request) => (request.baseline_evaluation_id === undefined) !== (request.baseline === undefined),
      'give exactly one of baseline_evaluation_id and baseline',
    ),
    ['baseline_evaluation_id'],
  ),
);
export type CreateComparisonRequest = v.InferOutput<typeof CreateComparisonRequestSchema>;

const nullableNumber = v.nullable(v.number());
export const comparisonVerdicts = ['improved', 'regressed', 'no_difference'] as const;

export const MetricComparisonResultSchema = v.strictObject({
  higher_is_better: v.boolean(),
  baseline_mean: nullableNumber,
  candidate_mean: nullableNumber,
  difference: v.pipe(nullableNumber, v.description('Mean of candidate − baseline over the aligned items both scored.')),
  ci95: v.nullable(v.tuple([v.number(), v.number()])),
  ci_method: v.nullable(v.string()),
  p_value: nullableNumber,
  p_value_holm: v.pipe(nullableNumber, v.description('Holm-adjusted across the compared metrics.')),
  test: v.string(),
  verdict: v.picklist(comparisonVerdicts),
  n: v.number(),
  n_excluded: v.number(),
  improved: v.number(),
  ties: v.number(),
  regressed: v.number(),
  non_inferiority: v.optional(
    v.strictObject({
      margin: v.number(),
      test: v.literal('paired_t_one_sided'),
      t: nullableNumber,
      p_value: nullableNumber,
      bound: v.pipe(nullableNumber, v.description('One-sided 95% bound of candidate − baseline on the side that matters.')),
      non_inferior: v.boolean(),
    }),
  ),
});

export const ComparisonSchema = v.strictObject({
  comparison_id: v.string(),
  created_at: v.string(),
  baseline_evaluation_id: v.string(),
  candidate_evaluation_id: v.string(),
  baseline_model_id: v.string(),
  candidate_model_id: v.string(),
  benchmark_id: v.string(),
  candidate_benchmark_id: v.string(),
  same_content: v.pipe(v.boolean(), v.description('Whether both evaluations pinned the same benchmark content hash.')),
  aligned_items: v.pipe(v.number(), v.description('Items present in both evaluations (by item_id), after any item_ids filter.')),
  baseline_only_items: v.number(),
  candidate_only_items: v.number(),
  regressed_items: v.pipe(v.number(), v.description('Items worse on at least one compared metric.')),
  improved_items: v.pipe(v.number(), v.description('Items better on at least one compared metric.')),
  metrics: v.record(v.string(), MetricComparisonResultSchema),
});
export type Comparison = v.InferOutput<typeof ComparisonSchema>;

export const ComparedItemSchema = v.strictObject({
  item_id: v.string(),
  position: v.pipe(v.number(), v.description("The item's position in the candidate evaluation.")),
  scores: v.record(
    v.string(),
    v.strictObject({ baseline: v.number(), candidate: v.number(), change: v.picklist(['improved', 'regressed', 'same']) }),
  ),
});
export type ComparedItem = v.InferOutput<typeof ComparedItemSchema>;

export const ComparedItemPageSchema = pageSchema(ComparedItemSchema, 'The changed items, in the order the comparison found them.');

export const ListComparedItemsQuerySchema = v.object({
  ...PageQuerySchema.entries,
  change: v.optional(v.picklist(['regressed', 'improved'], 'must be regressed or improved'), 'regressed'),
});
export type ListComparedItemsQuery = v.InferOutput<typeof ListComparedItemsQuerySchema>;
