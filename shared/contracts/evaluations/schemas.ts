import * as v from 'valibot';
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
  v.description(
    'Makes the create safe to retry: the same key and body answer the first response (with `Idempotent-Replayed: true`) instead of creating twice; the same key with another body answers 409.',
  ),
);

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
