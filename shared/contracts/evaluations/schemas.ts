import * as v from 'valibot';
import { metricTypes } from '../metrics/metric-names.js';
import { graderVariants, unsupportedGraderTypes } from './grader-schemas.js';
import type { Model } from '../models/schemas.js';
import type { CreateEvaluationResponseSchema } from './response-schemas.js';
import type { EvaluationResults } from './result-types.js';

export const evaluationStatuses = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export const EvaluationStatusSchema = v.picklist(evaluationStatuses);
export type EvaluationStatus = v.InferOutput<typeof EvaluationStatusSchema>;
export const finalStatuses: readonly EvaluationStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * Model ids and metric names become object keys (per-model progress, per-metric scores): one that names a
 * property every object has (`__proto__`, `constructor`, `toString`…) would corrupt those objects.
 */
const notAnObjectProperty = v.check((name: string) => !(name in Object.prototype), 'is a reserved name');

/** Model ids fit one URL path segment: letters, digits and `.` `_` `:` `-` (Bedrock ids use `:`). */
export const ModelIdSchema = v.pipe(
  v.string('must be a string'),
  v.nonEmpty('must not be empty'),
  v.maxLength(200, 'must be at most 200 characters'),
  v.regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -'),
  notAnObjectProperty,
);

export const BenchmarkIdSchema = v.pipe(
  v.string('must be a string'),
  v.nonEmpty('must not be empty'),
  v.maxLength(200, 'must be at most 200 characters'),
  v.regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -'),
);

export const MetricNameSchema = v.pipe(
  v.string('must be a metric name or a configuration object'),
  v.regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lower-case letters, digits and _, starting with a letter (at most 64)'),
  notAnObjectProperty,
);

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
  v.check(
    (metrics) => new Set(metrics.map(metricLabel)).size === metrics.length,
    'must not name a metric twice',
  ),
);

/** A JSON object and nothing else: valibot's object schemas would take an array for one. */
export const JsonObjectSchema = v.pipe(
  v.unknown(),
  v.check((input) => typeof input === 'object' && input !== null && !Array.isArray(input), 'the body must be a JSON object'),
);

export const CreateEvaluationRequestSchema = v.pipe(
  JsonObjectSchema,
  v.strictObject(
    {
      model_id: v.pipe(ModelIdSchema, v.description('ID of the model to evaluate'), v.examples(['model-xyz789'])),
      benchmark_id: v.pipe(BenchmarkIdSchema, v.description('ID of existing benchmark from BenchmarkTask table'), v.examples(['benchmark-abc123'])),
      model_id_2: v.optional(v.pipe(ModelIdSchema, v.description('ID of second model for comparison mode (eval-compare)'), v.examples(['model-def456']))),
      custom_metrics: v.optional(v.pipe(CustomMetricsSchema, v.description('Custom metrics configuration: metric names, or configuration objects'))),
    },
    (issue) => (issue.expected === 'never' ? 'is not a known field' : 'is required'),
  ),
  v.forward(
    v.partialCheck(
      [['model_id'], ['model_id_2']],
      (input) => input.model_id_2 === undefined || input.model_id_2 !== input.model_id,
      'must differ from model_id (comparison mode compares two models)',
    ),
    ['model_id_2'],
  ),
);
export type CreateEvaluationRequest = v.InferOutput<typeof CreateEvaluationRequestSchema>;

/** `Idempotency-Key` header of `POST /evaluations`: a retried create returns the first response. */
export const IdempotencyKeySchema = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1 to 128 letters, digits or _ . : -'),
  v.description('Makes the create safe to retry: the same key and body answer the first response (with `Idempotent-Replayed: true`) instead of creating twice; the same key with another body answers 409.'),
);
export type CustomMetric = v.InferOutput<typeof CustomMetricSchema>;

export interface EvaluationProgress {
  total_items: number;
  completed_items: number;
  failed_items: number;
}

export interface EvaluationError {
  code: string;
  message: string;
}

/** An evaluation as stored and as the API shows it (storage keys stripped). */
export interface Evaluation {
  evaluation_id: string;
  tenant_id: string;
  model_id: string;
  model_id_2?: string;
  benchmark_id: string;
  /** The benchmark version and content the evaluation runs on: its first `progress.total_items` items. */
  benchmark_version: number;
  benchmark_content_hash: string;
  custom_metrics?: CustomMetric[];
  /** The models as resolved at creation (registered or built in), so the run is reproducible. */
  models: Model[];
  /** Judged metrics' judge model ids by metric name, resolved at creation (absent without judged metrics). */
  judges?: Record<string, string>;
  /** The judge models as resolved at creation, snapshotted like `models`. */
  judge_models?: Model[];
  status: EvaluationStatus;
  created_at: string;
  updated_at: string;
  started_at?: string;
  completed_at?: string;
  progress: EvaluationProgress;
  /** Per model: items answered and scored, and items that failed for good. */
  model_progress: Record<string, { scored: number; failed: number }>;
  plan?: EvaluationPlan;
  /** Chunks finished (done, skipped after a cancel, or dead-lettered). */
  chunks_done?: number;
  /** Times the reconciler re-drove a stalled evaluation. */
  redrives?: number;
  results?: EvaluationResults;
  error?: EvaluationError;
}

export interface EvaluationPlan {
  chunk_size: number;
  chunk_count: number;
}

/** The seed's response to `POST /api/v3/evaluations`, field for field (plus `model_id_2` when comparing). */
export type CreateEvaluationResponse = v.InferOutput<typeof CreateEvaluationResponseSchema>;
