import * as v from 'valibot';
import { ModelIdSchema, MetricNameSchema } from '../identifiers.js';
import { metricTypes } from '../metrics/metric-names.js';
import { graderVariants, unsupportedGraderTypes } from './grader-schemas.js';

/**
 * `custom_metrics` as requests give it and evaluations echo it. Its own module so the request schemas
 * (`schemas.ts`) and the response schemas (`response-schemas.ts`) both build on it without importing each other.
 */

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

const strict = <TEntries extends v.ObjectEntries>(entries: TEntries) =>
  v.strictObject(entries, (issue) => (issue.expected === 'never' ? 'is not a known field' : 'is required'));

/**
 * Configured metrics, one shape per type (Arbiter's own, then OpenAI Evals graders); unknown fields are
 * refused so a typo never passes silently.
 */
export const MetricConfigSchema = v.variant(
  'type',
  [
    strict({
      name: MetricNameSchema,
      type: v.literal('regex'),
      pattern: v.pipe(
        v.string('must be a string'),
        v.nonEmpty('must not be empty'),
        v.maxLength(1000, 'must be at most 1000 characters'),
        v.check(isValidRegex, 'is not a valid regular expression'),
      ),
      flags: v.optional(v.pipe(v.string('must be a string'), v.regex(/^[ims]{0,3}$/, 'may only hold the flags i, m and s'))),
    }),
    strict({
      name: MetricNameSchema,
      type: v.literal('contains'),
      value: v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty'), v.maxLength(1000, 'must be at most 1000 characters')),
      case_sensitive: v.optional(v.boolean('must be true or false')),
    }),
    strict({
      name: MetricNameSchema,
      type: v.literal('exact_match'),
      ignore_case: v.optional(v.boolean('must be true or false')),
      ignore_punctuation: v.optional(v.boolean('must be true or false')),
      ignore_articles: v.optional(v.boolean('must be true or false')),
    }),
    strict({
      name: MetricNameSchema,
      type: v.literal('json_schema'),
      schema: v.record(v.string(), v.unknown(), 'must be a JSON Schema object'),
    }),
    strict({
      name: MetricNameSchema,
      type: v.literal('tool_arguments_match'),
      mode: v.optional(v.picklist(['exact', 'subset'], 'must be "exact" or "subset"')),
    }),
    strict({
      name: MetricNameSchema,
      type: v.literal('llm_judge'),
      rubric: v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty'), v.maxLength(5000, 'must be at most 5000 characters')),
      judge_model_id: v.optional(ModelIdSchema),
      scale: v.optional(
        v.pipe(
          v.tuple([v.pipe(v.number(), v.integer()), v.pipe(v.number(), v.integer())], 'must be [low, high] whole numbers'),
          v.check(([low, high]) => low < high, 'must be [low, high] with low < high'),
        ),
      ),
    }),
    ...graderVariants,
  ],
  (issue) =>
    issue.path?.some((item) => item.key === 'type')
      ? `must be one of: ${[...metricTypes, ...Object.keys(unsupportedGraderTypes)].join(', ')}`
      : 'must be a metric name or a configuration object with name and type',
);

// Chosen by the input's type rather than a union, so an object's error names the field that is wrong.
export const CustomMetricSchema = v.lazy((input) => (typeof input === 'string' ? MetricNameSchema : MetricConfigSchema));

const metricLabel = (metric: string | { name: string }) => (typeof metric === 'string' ? metric : metric.name);

export const CustomMetricsSchema = v.pipe(
  v.array(CustomMetricSchema, 'must be an array of metric names or configuration objects'),
  v.minLength(1, 'must name at least one metric (or be left out for the defaults)'),
  v.maxLength(20, 'may name at most 20 metrics'),
  v.check((metrics) => new Set(metrics.map(metricLabel)).size === metrics.length, 'must not name a metric twice'),
);
export type CustomMetric = v.InferOutput<typeof CustomMetricSchema>;
