import * as v from 'valibot';
import { MAX_REPEATS } from '../repeats.js';
import { BenchmarkIdSchema, ModelIdSchema } from '../identifiers.js';
import { JsonObjectSchema } from '../primitives.js';
import type { Model } from '../models/schemas.js';
import { CustomMetricsSchema, type CustomMetric } from './custom-metric-schemas.js';
import type { CreateEvaluationResponseSchema } from './response-schemas.js';
import type { EvaluationResults } from './result-types.js';
import type { EvaluationStatus } from './status.js';

/** The most one evaluation may be allowed to spend: a typo of a few zeros should not pass for a budget. */
export const MAX_BUDGET_USD = 1_000_000;
/** A micro-dollar: the least a budget can be, far above the ledger's nano-dollar resolution. */
export const MIN_BUDGET_USD = 0.000001;

export const BudgetUsdSchema = v.pipe(
  v.number('must be a number'),
  v.minValue(MIN_BUDGET_USD, `must be greater than 0 (at least ${MIN_BUDGET_USD})`),
  v.maxValue(MAX_BUDGET_USD, `must be at most ${MAX_BUDGET_USD}`),
  v.description(
    'Hard limit on what the evaluation may spend on model and judge calls, in USD. Every candidate and judge model needs `pricing`. Spend is reserved before each call (worst case) and settled after; once a reservation is refused no new call starts, and the evaluation completes with `stop_reason: "budget_exhausted"`.',
  ),
  v.examples([5]),
);

export { MAX_REPEATS } from '../repeats.js';

export const RepeatsSchema = v.pipe(
  v.number('must be a number'),
  v.integer('must be a whole number'),
  v.minValue(1, 'must be at least 1'),
  v.maxValue(MAX_REPEATS, `must be at most ${MAX_REPEATS}`),
  v.description(
    'Samples per item (1–20; default 1). Each sample is stored with its index; per item the mean score, pass@k and pass^k for pass/fail metrics and a flakiness rate; aggregates treat the item as the unit (docs/statistics.md "Repeats"). An item may set its own count in `metadata.repeats`.',
  ),
  v.examples([5]),
);

export const cacheModes = ['use', 'refresh', 'off'] as const;
export const CacheModeSchema = v.pipe(
  v.picklist(cacheModes, 'must be one of: use, refresh, off'),
  v.description(
    'Response cache for candidate model calls (tenant-scoped; docs/reliability.md "Response cache"). `use` answers from the cache when the same call was made before and stores new answers; `refresh` calls the model and overwrites the cache; `off` neither reads nor writes it. Default `use`.',
  ),
);
export type CacheMode = v.InferOutput<typeof CacheModeSchema>;

export const MAX_TAGS = 20;
export const TagKeySchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'tag names must be 1 to 64 letters, digits or _ . : -'));
export const TagsSchema = v.pipe(
  v.record(
    TagKeySchema,
    v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(256, 'must be at most 256 characters')),
  ),
  v.check((tags) => Object.keys(tags).length <= MAX_TAGS, `must have at most ${MAX_TAGS} tags`),
  v.description('Free-form labels, e.g. `{"branch": "main", "commit": "3f2a9c1"}`; `baseline: "latest:branch=main"` finds evaluations by them.'),
  v.examples([{ branch: 'main', commit: '3f2a9c1' }]),
);
export type Tags = v.InferOutput<typeof TagsSchema>;

/** `latest:<tag>=<value>[,<tag>=<value>…]` or an evaluation id. */
export const BaselineSelectorSchema = v.pipe(
  v.string('must be a string'),
  v.regex(
    /^(latest:[A-Za-z0-9_.:-]{1,64}=[^,=]{1,256}(,[A-Za-z0-9_.:-]{1,64}=[^,=]{1,256})*|eval-[A-Za-z0-9_-]{1,64})$/,
    'must be an evaluation id or latest:<tag>=<value>[,<tag>=<value>…]',
  ),
  v.description(
    'The evaluation to compare against: an evaluation id, or `latest:branch=main` for the newest completed evaluation with those tags, the same benchmark and the same model. Resolved at create; the comparison is computed when this evaluation finishes and linked as `comparison_id`.',
  ),
  v.examples(['latest:branch=main']),
);

export const CreateEvaluationRequestSchema = v.pipe(
  JsonObjectSchema,
  v.strictObject(
    {
      model_id: v.pipe(ModelIdSchema, v.description('ID of the model to evaluate'), v.examples(['model-xyz789'])),
      benchmark_id: v.pipe(BenchmarkIdSchema, v.description('ID of existing benchmark from BenchmarkTask table'), v.examples(['benchmark-abc123'])),
      model_id_2: v.optional(
        v.pipe(ModelIdSchema, v.description('ID of second model for comparison mode (eval-compare)'), v.examples(['model-def456'])),
      ),
      custom_metrics: v.optional(v.pipe(CustomMetricsSchema, v.description('Custom metrics configuration: metric names, or configuration objects'))),
      budget_usd: v.optional(BudgetUsdSchema),
      repeats: v.optional(RepeatsSchema),
      cache: v.optional(CacheModeSchema),
      tags: v.optional(TagsSchema),
      baseline: v.optional(BaselineSelectorSchema),
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

/** `POST /api/v3/evaluations/{id}/rescore`: the new metrics; the models, benchmark and answers are the source's. */
export const RescoreRequestSchema = v.pipe(
  JsonObjectSchema,
  v.strictObject(
    {
      custom_metrics: v.pipe(
        CustomMetricsSchema,
        v.description(
          'The metrics to score the stored answers with: names or configuration objects, as on create (judged metrics call their judge).',
        ),
      ),
      budget_usd: v.optional(v.pipe(BudgetUsdSchema, v.description('Caps what the judges may spend, in USD (candidates are not called).'))),
      tags: v.optional(TagsSchema),
    },
    (issue) => (issue.expected === 'never' ? 'is not a known field' : 'is required'),
  ),
);
export type RescoreRequest = v.InferOutput<typeof RescoreRequestSchema>;

/** `Idempotency-Key` header of `POST /evaluations`: a retried create returns the first response. */
export const IdempotencyKeySchema = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1 to 128 letters, digits or _ . : -'),
  v.description(
    'Makes the create safe to retry: the same key and body answer the first response (with `Idempotent-Replayed: true`) instead of creating twice; the same key with another body answers 409.',
  ),
);

export interface EvaluationProgress {
  total_items: number;
  /**
   * With repeats: the samples to answer (items × repeats, corrected chunk by chunk for items with their own
   * `metadata.repeats`); `completed_items` and `failed_items` then count samples.
   */
  total_samples?: number;
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
  /** Hard spending limit in USD: the request's, else the tenant's default (see docs/reliability.md "Budgets"). */
  budget_usd?: number;
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
  /**
   * Chunks whose message was claimed for sending (the first `chunks_sent` of the plan): the start claims
   * the plan's window and each counted chunk one more. Absent on evaluations started before the window,
   * which sent every chunk at once.
   */
  chunks_sent?: number;
  /** Times the reconciler re-drove a stalled evaluation. */
  redrives?: number;
  /** When its lost messages were last sent again after a restart of the local stack (not a re-drive). */
  resumed_at?: string;
  /** Times it was resumed so. */
  resumes?: number;
  /** Why it was last resumed, e.g. `local_stack_start`. */
  resume_reason?: string;
  results?: EvaluationResults;
  error?: EvaluationError;
  /** Samples per item (absent: 1); an item's `metadata.repeats` overrides it for that item. */
  repeats?: number;
  /** The response-cache mode the run uses (absent: `use`). */
  cache_mode?: CacheMode;
  /** Candidate calls answered from the response cache, and what they would have cost. */
  cache_hits?: number;
  cache_saved_usd?: number;
  tags?: Tags;
  /** The baseline selector as requested, and the evaluation it resolved to at create. */
  baseline?: string;
  baseline_evaluation_id?: string;
  /** The comparison against the baseline, computed when this evaluation finished. */
  comparison_id?: string;
  /** A rescore's source: the evaluation whose stored answers it scores again (no candidate calls). */
  source_evaluation_id?: string;
  /** Times failed answers were retried (`POST …/retry`), and when last. */
  retries?: number;
  retried_at?: string;
}

export interface EvaluationPlan {
  chunk_size: number;
  chunk_count: number;
  /**
   * Chunks in flight at most (sent, not yet counted), pinned when the evaluation starts so that a change
   * of `ARBITER_CHUNK_WINDOW` never changes a running evaluation's arithmetic. Absent: every chunk at once.
   */
  chunk_window?: number;
}

/** The seed's response to `POST /api/v3/evaluations`, field for field (plus `model_id_2` when comparing). */
export type CreateEvaluationResponse = v.InferOutput<typeof CreateEvaluationResponseSchema>;
