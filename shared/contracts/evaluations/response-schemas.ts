import { ChatMessageSchema } from '../benchmarks/chat.js';
import * as v from 'valibot';
import { ExpectedToolCallViewSchema, ToolCallSchema } from '../benchmarks/tools.js';
import { ModelSchema } from '../models/response-schemas.js';
import { CountSchema, pageSchema, TimestampSchema } from '../primitives.js';
import { CustomMetricSchema } from './custom-metric-schemas.js';
import { EvaluationStatusSchema } from './status.js';

const nullableNumber = v.nullable(v.number());
const Interval = v.pipe(
  v.nullable(v.strictTuple([v.number(), v.number()])),
  v.description('95% confidence interval [low, high]; null when it cannot be computed.'),
);
const Verdict = v.picklist(['model_2 better', 'model_1 better', 'no significant difference']);
const ErrorReason = v.strictObject({ code: v.string(), message: v.string() });
// Optional: results computed before it was recorded do not have it.
const IntervalMethod = v.optional(
  v.pipe(
    v.nullable(v.picklist(['wilson', 'bootstrap_bca', 'normal'])),
    v.description('How `ci95` was computed: Wilson score (pass/fail), bias-corrected bootstrap, or normal approximation; null without an interval.'),
  ),
);

export const TokenUsageSchema = v.strictObject({ input_tokens: CountSchema, output_tokens: CountSchema });

export const EvaluationErrorSchema = v.pipe(ErrorReason, v.description('Why the evaluation failed as a whole.'));

/** Why an evaluation stopped calling models before every item was answered (absent when nothing stopped it). */
export const StopReasonSchema = v.pipe(
  v.picklist(['budget_exhausted']),
  v.description(
    '`budget_exhausted`: a reservation against `budget_usd` was refused, so no further model or judge call started; items not answered are failed with error code `budget_exhausted`, judgements not made carry that error.',
  ),
);

/** Optional: judgements and results recorded before judge spend was recorded do not have it. */
const JudgeUsage = v.optional(v.pipe(TokenUsageSchema, v.description("Tokens the judge's calls used, as the provider reported them.")));
const JudgeCost = v.optional(v.pipe(v.number(), v.description("Price of the judge's calls from the judge model's pricing.")));

/** The seed's response to `POST /api/v3/evaluations`, field for field (plus `model_id_2` when comparing). */
export const CreateEvaluationResponseSchema = v.strictObject({
  evaluation_id: v.pipe(v.string(), v.description('Unique identifier for the evaluation'), v.examples(['eval-abc123'])),
  model_id: v.pipe(v.string(), v.description('ID of the model being evaluated'), v.examples(['model-xyz789'])),
  model_id_2: v.optional(v.pipe(v.string(), v.description('ID of the second model, in comparison mode'), v.examples(['model-def456']))),
  status: v.pipe(v.literal('pending'), v.description('Current status of the evaluation (always pending at creation)')),
  benchmark_id: v.pipe(v.string(), v.description('Benchmark ID used'), v.examples(['benchmark-abc123'])),
  created_at: v.pipe(v.string(), v.isoTimestamp(), v.description('timestamp of evaluation creation'), v.examples(['2024-02-24T10:00:00Z'])),
  message: v.pipe(v.string(), v.description('Status message'), v.examples(['Evaluation created successfully'])),
});

export const EvaluationStatusViewSchema = v.strictObject({
  evaluation_id: v.string(),
  status: v.pipe(EvaluationStatusSchema, v.description('`pending` → `running` → `completed` | `failed` | `cancelled`.')),
  model_id: v.string(),
  model_id_2: v.optional(v.string()),
  benchmark_id: v.string(),
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
  budget_usd: v.optional(v.pipe(v.number(), v.description('The hard spending limit the evaluation runs under, in USD.'))),
  stop_reason: v.optional(StopReasonSchema),
  source_evaluation_id: v.optional(
    v.pipe(v.string(), v.description('A rescore: the evaluation whose stored answers this one scores again, calling no candidate model.')),
  ),
  cache_mode: v.pipe(
    v.picklist(['use', 'refresh', 'off']),
    v.description('The response-cache mode the evaluation runs with (`use` unless the create said otherwise).'),
  ),
  cache_hits: v.pipe(CountSchema, v.description('Candidate answers taken from the response cache so far (counted chunks only): calls not made.')),
  cache_saved_usd: v.pipe(v.number(), v.description("What those calls would have cost at the models' pricing, in USD.")),
  started_at: v.optional(TimestampSchema),
  completed_at: v.optional(TimestampSchema),
  progress: v.strictObject({
    total_items: CountSchema,
    total_samples: v.optional(
      v.pipe(
        CountSchema,
        v.description(
          'With repeats: samples to answer (items × repeats). `completed_items`, `failed_items`, `percent` and the rate then count samples.',
        ),
      ),
    ),
    completed_items: v.pipe(CountSchema, v.description('Items (with repeats: samples) every model answered and that were scored.')),
    failed_items: v.pipe(CountSchema, v.description('Items (with repeats: samples) that failed for good, with their reason in the results.')),
    percent: v.pipe(v.number(), v.description('Share of items (with repeats: samples) finished (scored or failed), 0–100, one decimal.')),
    items_per_second: v.pipe(nullableNumber, v.description('Items finished per second since the evaluation started running.')),
    eta_seconds: v.pipe(nullableNumber, v.description('Estimated seconds to completion at that rate; null when unknown or finished.')),
    models: v.array(v.strictObject({ model_id: v.string(), scored: CountSchema, failed: CountSchema, percent: v.number() })),
  }),
  error: v.optional(EvaluationErrorSchema),
  resumed_at: v.optional(
    v.pipe(
      TimestampSchema,
      v.description('When the unfinished work was last sent again at once after a restart of the local stack (chunks are idempotent).'),
    ),
  ),
  resumes: v.optional(
    v.pipe(CountSchema, v.description('Times it was resumed so; unlike a stall re-drive, a resume does not count towards failing it as `stalled`.')),
  ),
});

export const MetricAggregateSchema = v.strictObject({
  mean: v.pipe(nullableNumber, v.description('Mean over scored items; null when none could be scored.')),
  std_error: nullableNumber,
  ci95: Interval,
  n: v.pipe(CountSchema, v.description('Items in the mean.')),
  n_excluded: v.pipe(CountSchema, v.description('Items excluded (failed answers, failed judgements).')),
  ci_method: IntervalMethod,
});

export const RepeatMetricSummarySchema = v.strictObject({
  k: v.pipe(CountSchema, v.description("The k of pass@k and pass^k: the evaluation's repeats.")),
  pass_at_k: v.pipe(nullableNumber, v.description('Mean over items of the unbiased pass@k (Chen et al. 2021); pass/fail metrics only.')),
  pass_hat_k: v.pipe(nullableNumber, v.description('Mean over items of the unbiased pass^k (all k samples pass); pass/fail metrics only.')),
  items: v.pipe(CountSchema, v.description('Items with at least k scored samples, the ones pass@k and pass^k average.')),
  flaky_items: v.pipe(CountSchema, v.description('Items whose scored samples disagree.')),
  flakiness_rate: v.pipe(
    nullableNumber,
    v.description("Mean over items with two or more scored samples of the share disagreeing with the item's majority."),
  ),
});

export const RepeatSummarySchema = v.strictObject({
  samples: v.pipe(CountSchema, v.description('Result rows (one per sample) of the model.')),
  items: v.pipe(CountSchema, v.description('Items: the unit of every mean and interval.')),
  flaky_items: v.pipe(CountSchema, v.description('Items flaky in at least one metric.')),
  metrics: v.record(v.string(), RepeatMetricSummarySchema),
});

export const ModelResultsSchema = v.strictObject({
  model_id: v.string(),
  baseline: v.boolean(),
  completed_items: CountSchema,
  failed_items: CountSchema,
  metrics: v.record(v.string(), MetricAggregateSchema),
  usage: TokenUsageSchema,
  cost_usd: nullableNumber,
  latency_ms: v.strictObject({ p50: nullableNumber, p95: nullableNumber }),
  failure_reasons: v.pipe(v.record(v.string(), CountSchema), v.description('Why items failed, by error code.')),
  repeats: v.optional(
    v.pipe(RepeatSummarySchema, v.description('With repeats: per-item statistics over the samples (docs/statistics.md "Repeats").')),
  ),
});

export const MetricComparisonSchema = v.strictObject({
  difference: v.pipe(nullableNumber, v.description('Paired mean difference, model_id_2 − model_id.')),
  ci95: Interval,
  p_value: nullableNumber,
  p_value_adjusted: v.pipe(nullableNumber, v.description('Holm-adjusted over the compared metrics.')),
  test: v.pipe(v.string(), v.description('The test behind the p-value, chosen to fit the metric.')),
  wins: v.pipe(CountSchema, v.description('Items where model_id_2 scored higher.')),
  ties: CountSchema,
  losses: CountSchema,
  n: v.pipe(CountSchema, v.description('Items both models have a score for (the pairs compared).')),
  // Optional like `ci_method`: results computed before they were recorded do not have them.
  n_excluded: v.optional(v.pipe(CountSchema, v.description('Items missing a score for either model.'))),
  ci_method: IntervalMethod,
  direction: v.optional(
    v.pipe(
      v.picklist([-1, 0, 1]),
      v.description("The way the test's statistic leans (+1: model_id_2 larger); the verdict needs it to agree with the difference."),
    ),
  ),
  higher_is_better: v.optional(v.pipe(v.boolean(), v.description("The metric's direction: wins and the verdict mean better, not larger."))),
  verdict: Verdict,
});

export const PairwiseSummarySchema = v.strictObject({
  preference: v.pipe(MetricAggregateSchema, v.description("Mean of model 2's preference share: 0.5 is no preference.")),
  flip_rate: v.pipe(nullableNumber, v.description('Share of judged items whose verdict flipped with the order (counted as ties).')),
  wins: CountSchema,
  ties: CountSchema,
  losses: CountSchema,
  p_value: nullableNumber,
  p_value_adjusted: nullableNumber,
  verdict: Verdict,
  judge_model_id: v.string(),
  template_id: v.string(),
  judge_failures: v.record(v.string(), CountSchema),
});

export const JudgeSummarySchema = v.strictObject({
  judge_model_id: v.string(),
  template_id: v.string(),
  judge_same_family: v.pipe(v.boolean(), v.description('The judge shares a family with a candidate (self-preference risk).')),
  same_family_models: v.array(v.string()),
  judge_failures: v.record(v.string(), CountSchema),
  usage: JudgeUsage,
  cost_usd: v.optional(v.pipe(nullableNumber, v.description("Price of this metric's judge calls; null when the judge model has no pricing."))),
});

export const BudgetSummarySchema = v.strictObject({
  budget_usd: v.number(),
  spent_usd: v.pipe(
    v.number(),
    v.description(
      'What the calls cost, as settled against the budget: the results’ own costs plus calls whose answers were not kept (a chunk redone after a crash) and calls abandoned mid-flight, which are charged their whole reservation.',
    ),
  ),
  reserved_usd: v.pipe(v.number(), v.description('Reservations never settled (an evaluator died mid-call); charged, never refunded.')),
  unscored_items: v.pipe(v.record(v.string(), CountSchema), v.description('Per model: items not answered because the budget ran out.')),
  skipped_judgements: v.pipe(
    v.record(v.string(), CountSchema),
    v.description('Per judged or pairwise metric: judgements not made because the budget ran out.'),
  ),
});

export const EvaluationResultsSchema = v.strictObject({
  models: v.array(ModelResultsSchema),
  comparison: v.optional(
    v.strictObject({
      model_id: v.string(),
      model_id_2: v.string(),
      metrics: v.record(v.string(), MetricComparisonSchema),
      pairwise: v.optional(v.record(v.string(), PairwiseSummarySchema)),
    }),
  ),
  judges: v.optional(v.record(v.string(), JudgeSummarySchema)),
  spend_usd: v.optional(
    v.pipe(nullableNumber, v.description("Total of the results' costs, models and judges; null when no model or judge has pricing.")),
  ),
  stop_reason: v.optional(StopReasonSchema),
  budget: v.optional(v.pipe(BudgetSummarySchema, v.description('Present when the evaluation ran under `budget_usd`.'))),
  seed: v.pipe(v.number(), v.integer(), v.description('Seed of every resampling step: the same inputs give the same numbers.')),
});

export const EvaluationViewSchema = v.strictObject({
  ...EvaluationStatusViewSchema.entries,
  benchmark_version: v.pipe(v.number(), v.integer(), v.description('The benchmark version the evaluation runs on.')),
  benchmark_content_hash: v.string(),
  custom_metrics: v.optional(v.array(CustomMetricSchema)),
  models: v.pipe(v.array(ModelSchema), v.description('The models as resolved at creation, so the run is reproducible.')),
  judges: v.optional(v.pipe(v.record(v.string(), v.string()), v.description('Judge model id by judged metric.'))),
  judge_models: v.optional(v.array(ModelSchema)),
  results: v.pipe(v.nullable(EvaluationResultsSchema), v.description('Null until the evaluation has finished.')),
});

export const JudgementSchema = v.strictObject({
  score: nullableNumber,
  raw: v.optional(v.union([v.number(), v.string()])),
  rationale: v.optional(v.string()),
  judge_model_id: v.string(),
  template_id: v.string(),
  error: v.optional(ErrorReason),
  usage: JudgeUsage,
  cost_usd: JudgeCost,
});

export const PairwiseJudgementSchema = v.strictObject({
  preferred: v.nullable(v.picklist(['model_1', 'model_2', 'tie'])),
  score: v.pipe(nullableNumber, v.description("Model 2's share of the preference; null when the judge failed.")),
  flipped: v.boolean(),
  judge_model_id: v.string(),
  template_id: v.string(),
  rationale: v.optional(v.strictObject({ model_1_first: v.optional(v.string()), model_2_first: v.optional(v.string()) })),
  error: v.optional(ErrorReason),
  usage: v.optional(v.pipe(TokenUsageSchema, v.description('Both orders together.'))),
  cost_usd: JudgeCost,
});

export const ModelOutputSchema = v.strictObject({
  status: v.picklist(['scored', 'failed']),
  output: v.optional(v.string()),
  truncated: v.optional(
    v.pipe(
      v.literal(true),
      v.description('The answer was longer than the stored limit (64 KiB of UTF-8 by default): `output` holds its start, which is what was scored.'),
    ),
  ),
  notes: v.optional(
    v.pipe(
      v.array(v.string()),
      v.description('What Arbiter changed in what the provider sent (a cut answer, token counts it could not use), in words.'),
    ),
  ),
  tool_calls: v.optional(
    v.pipe(v.array(ToolCallSchema), v.description('The tools the model called, in order, as `{name, arguments}` whichever provider answered.')),
  ),
  scores: v.record(v.string(), nullableNumber),
  latency_ms: v.optional(v.number()),
  usage: v.optional(TokenUsageSchema),
  cost_usd: v.optional(v.number()),
  finish_reason: v.optional(v.string()),
  attempts: v.optional(v.pipe(v.number(), v.integer())),
  reused_from: v.optional(
    v.pipe(
      v.string(),
      v.description(
        "A rescore's answer, reused from this evaluation: no call was made, so `cost_usd` is 0 and `usage` is left out (the source shows both); latency and cost metrics score the answer as it was made.",
      ),
    ),
  ),
  cached: v.optional(
    v.pipe(
      v.literal(true),
      v.description(
        'Answered from the response cache (docs/reliability.md "Response cache"): no model call was made, so `usage` and `cost_usd` are 0 and count towards no spend, budget or usage; `cached_usage` and `latency_ms` are those of the call that produced the answer, `cache_saved_usd` what this call would have cost.',
      ),
    ),
  ),
  cached_usage: v.optional(v.pipe(TokenUsageSchema, v.description('Tokens the call that produced a cached answer used.'))),
  cache_saved_usd: v.optional(v.pipe(v.number(), v.description("What a cached answer would have cost at the model's pricing."))),
  error: v.optional(
    v.strictObject({
      code: v.pipe(v.string(), v.description('Why the model call failed (`rate_limited`, `timeout`, `bad_request`, …).')),
      message: v.string(),
      status: v.optional(v.pipe(v.number(), v.integer(), v.description("The provider's HTTP status, when it answered."))),
      attempts: v.optional(v.pipe(v.number(), v.integer())),
    }),
  ),
  judgements: v.optional(v.record(v.string(), JudgementSchema)),
});

export const ItemResultSchema = v.strictObject({
  item_id: v.string(),
  position: CountSchema,
  repeat: v.optional(v.pipe(CountSchema, v.description('Sample index of a repeated item (absent: 0); one row per sample.'))),
  input: v.string(),
  messages: v.optional(v.pipe(v.array(ChatMessageSchema), v.description('A chat item’s conversation; `input` is its last user turn.'))),
  expected: v.optional(v.string()),
  expected_tool_calls: v.optional(v.array(ExpectedToolCallViewSchema)),
  choices: v.optional(v.array(v.string())),
  outputs: v.pipe(v.record(v.string(), ModelOutputSchema), v.description("Each model's answer, by model id.")),
  pairwise: v.optional(v.record(v.string(), PairwiseJudgementSchema)),
});

export const EvaluationPageSchema = pageSchema(EvaluationStatusViewSchema, 'Evaluations, newest first.');
export const ItemResultPageSchema = pageSchema(ItemResultSchema, 'One row per benchmark item, in benchmark order.');
