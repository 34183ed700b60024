import * as v from 'valibot';
import { CountSchema } from '../primitives.js';

/**
 * The answer of `POST /api/v3/evaluations/estimate`: what an evaluation with this body would cost and take,
 * before anything is written. Types are derived from these schemas (`EstimateResponse`).
 */

const TokenRangeSchema = v.pipe(
  v.strictObject({ low: CountSchema, expected: CountSchema, high: CountSchema }),
  v.description('Tokens as three bounds of the tokenisation heuristic (see `tokenisation`).'),
);

const UsdRangeSchema = v.pipe(
  v.strictObject({ low: v.number(), expected: v.number(), high: v.number() }),
  v.description(
    'US dollars at the model’s `pricing`. low: the heuristic’s low input tokens and the observed output (none without history); ' +
      'expected: expected input and the observed output, else the max_tokens bound; high: high input and the max_tokens bound.',
  ),
);

export const OutputTokensEstimateSchema = v.strictObject({
  max_tokens_per_call: v.pipe(CountSchema, v.description('The output limit of one call.')),
  max_tokens_source: v.pipe(
    v.picklist(['parameters', 'default']),
    v.description('`parameters`: the model’s `max_tokens`; `default`: none is set, 1,024 is assumed.'),
  ),
  max_tokens_bound: v.pipe(CountSchema, v.description('calls × max_tokens_per_call: no call can answer more.')),
  observed_mean_per_call: v.pipe(
    v.nullable(v.number()),
    v.description("Mean output tokens per call in this tenant's recent completed evaluations of the model; null without history."),
  ),
  observed_based: v.pipe(v.nullable(CountSchema), v.description('calls × observed_mean_per_call; null without history.')),
  observed_from: v.pipe(
    v.nullable(v.strictObject({ evaluations: CountSchema, calls: CountSchema })),
    v.description('The completed evaluations (and their scored calls) the observed mean is taken from.'),
  ),
  expected: v.pipe(CountSchema, v.description('observed_based when there is history, else max_tokens_bound.')),
});

const CostSchema = v.strictObject({
  cost_usd: v.pipe(v.nullable(UsdRangeSchema), v.description('Null when the model has no pricing (`cost_note` says why).')),
  cost_note: v.optional(v.string()),
});

export const ModelCallEstimateSchema = v.strictObject({
  model_id: v.string(),
  calls: v.pipe(CountSchema, v.description('Calls if every item is answered once (retries of throttled or failed calls are extra).')),
  input_tokens: TokenRangeSchema,
  output_tokens: OutputTokensEstimateSchema,
  ...CostSchema.entries,
});

export const JudgeCallEstimateSchema = v.strictObject({
  judge_model_id: v.string(),
  metrics: v.pipe(
    v.array(
      v.strictObject({
        name: v.string(),
        kind: v.picklist(['judge', 'pairwise']),
        calls: v.pipe(CountSchema, v.description('Judged: one per answer the metric applies to; pairwise: two per item (both orders).')),
      }),
    ),
    v.description('The metrics this model judges.'),
  ),
  calls: CountSchema,
  input_tokens: v.pipe(
    TokenRangeSchema,
    v.description('The rendered judge prompts, plus the judged answers at their expected length (low: observed, high: max_tokens).'),
  ),
  output_tokens: OutputTokensEstimateSchema,
  ...CostSchema.entries,
});

export const DurationEstimateSchema = v.strictObject({
  low_seconds: v.pipe(
    v.number(),
    v.description("Every model's calls at its max_concurrency and requests_per_minute, which hold across the deployment."),
  ),
  high_seconds: v.pipe(
    v.number(),
    v.description("The evaluation's window of chunks in flight, run chunk by chunk: each chunk waits for its slowest calls."),
  ),
  chunk_size: CountSchema,
  chunk_count: CountSchema,
  parallel_chunks: v.pipe(
    CountSchema,
    v.description('Chunks of this evaluation in flight at once (the chunk window, ARBITER_CHUNK_WINDOW, at most chunk_count).'),
  ),
  bottleneck_model_id: v.pipe(v.nullable(v.string()), v.description('The model whose calls take longest at its concurrency.')),
  models: v.array(
    v.strictObject({
      model_id: v.string(),
      calls: v.pipe(CountSchema, v.description('As candidate and as judge.')),
      max_concurrency: CountSchema,
      latency_ms: v.number(),
      latency_source: v.picklist(['observed_p50', 'assumed', 'baseline']),
    }),
  ),
});

export const EstimateResponseSchema = v.strictObject({
  benchmark_id: v.string(),
  benchmark_version: CountSchema,
  item_count: CountSchema,
  items_rendered: v.pipe(
    CountSchema,
    v.description('Items whose prompts were rendered and counted; fewer than item_count means the rest is extrapolated.'),
  ),
  tokenisation: v.strictObject({
    method: v.pipe(v.string(), v.description('How tokens are counted.'), v.examples(['arbiter-heuristic-v1'])),
    description: v.string(),
  }),
  models: v.pipe(v.array(ModelCallEstimateSchema), v.description('Per candidate model, in request order.')),
  judges: v.pipe(v.array(JudgeCallEstimateSchema), v.description('Per judge model of the judged and pairwise metrics.')),
  totals: v.strictObject({
    calls: CountSchema,
    input_tokens: TokenRangeSchema,
    output_tokens: v.strictObject({ max_tokens_bound: CountSchema, expected: CountSchema }),
    cost_usd: v.pipe(v.nullable(UsdRangeSchema), v.description('Sum over the priced models; null when none is priced.')),
    cost_complete: v.pipe(v.boolean(), v.description('False when some model or judge has no pricing: the total leaves it out.')),
    unpriced_models: v.array(v.string()),
  }),
  duration: DurationEstimateSchema,
  assumptions: v.pipe(v.array(v.string()), v.description('What the figures assume, in words.')),
});

export type EstimateResponse = v.InferOutput<typeof EstimateResponseSchema>;
export type ModelCallEstimate = v.InferOutput<typeof ModelCallEstimateSchema>;
export type JudgeCallEstimate = v.InferOutput<typeof JudgeCallEstimateSchema>;
export type OutputTokensEstimate = v.InferOutput<typeof OutputTokensEstimateSchema>;
