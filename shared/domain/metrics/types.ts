import type * as v from 'valibot';
import type { MetricConfigSchema } from '../../contracts/evaluations/custom-metric-schemas.js';
import type { GenerationParameters } from '../../contracts/models/model-fields.js';
import type { ExpectedToolCall, ToolCall } from '../../contracts/benchmarks/tools.js';
import type { JudgeScore } from './judge/parse-score.js';
import type { PairwiseOutcome, PairwiseReply, PairwiseVerdict } from './judge/pairwise.js';
import type { JudgeTemplate } from './judge/templates.js';

/** One model answer to one benchmark item: everything a metric may look at. */
export interface ScoreInput {
  output: string;
  expected?: string;
  choices?: string[];
  input: string;
  context?: string;
  /** The item's free-form fields; OpenAI grader templates read them as `{{item.<key>}}`. */
  metadata?: Readonly<Record<string, string | number | boolean | null>>;
  /** The tools the model called (empty: none); absent where no call was made (judges' samples). */
  tool_calls?: readonly ToolCall[];
  /** The item's expected tool calls; the tool metrics do not apply without them. */
  expected_tool_calls?: readonly ExpectedToolCall[];
  latency_ms?: number;
  output_tokens?: number;
  cost_usd?: number;
}

/** What the evaluator sends to the judge model; `judge/render.ts` builds it. */
export interface JudgePrompt {
  template_id: string;
  system: string;
  user: string;
}

/** The item both answers respond to; each model's own output comes in `PairwiseOutputs`. */
export type PairwiseItem = Pick<ScoreInput, 'input' | 'context' | 'expected'>;

export interface PairwiseOutputs {
  model_1: string;
  model_2: string;
}

export type MetricKind = 'computed' | 'judge' | 'pairwise';

/** [min, max] of a score, or null when unbounded (counts, time, money). */
export type MetricRange = readonly [min: number, max: number] | null;

/** A configured metric as `custom_metrics` accepts it. */
export type MetricConfig = v.InferOutput<typeof MetricConfigSchema>;
export type MetricConfigOf<TType extends MetricConfig['type']> = Extract<MetricConfig, { type: TType }>;

/** A parameter as docs/metrics.md lists it. */
export interface ParameterDoc {
  name: string;
  type: string;
  default?: string;
  description: string;
}

/** What every metric declares about its scores; the statistics and the docs rely on it. */
export interface MetricTraits {
  name: string;
  description: string;
  range: MetricRange;
  higherIsBetter: boolean;
  /** Scores are 0 or 1 (pass/fail): Wilson intervals and McNemar's test apply. */
  binary: boolean;
  parameters: readonly ParameterDoc[];
}

/**
 * A metric computed from the sample alone. `score` returns null when the metric does not apply (no
 * expected answer, no latency recorded): the item is excluded from that metric's mean and counted.
 */
export interface ComputedMetricDefinition<TParams = undefined> extends MetricTraits {
  kind: 'computed';
  // Method syntax on purpose: definitions with different parameter types share one registry.
  score(sample: ScoreInput, params?: TParams): number | null;
}

/** A metric scored by a judge model, which the evaluator calls; this library builds and parses. */
export interface JudgeMetricDefinition extends MetricTraits {
  kind: 'judge';
  template: JudgeTemplate;
}

/** Pairwise preference between two models' answers, judged in both orders. */
export interface PairwiseMetricDefinition extends MetricTraits {
  kind: 'pairwise';
  templateId: string;
}

export type MetricDefinition = ComputedMetricDefinition<unknown> | JudgeMetricDefinition | PairwiseMetricDefinition;

/** Where a resolved metric came from: a built-in name, or a configuration object. */
export type MetricSource = { kind: 'builtin'; metric: string } | { kind: 'config'; config: MetricConfig };

interface ResolvedTraits extends Omit<MetricTraits, 'parameters'> {
  source: MetricSource;
}

export interface ResolvedComputedMetric extends ResolvedTraits {
  kind: 'computed';
  score(sample: ScoreInput): number | null;
}

export interface ResolvedJudgeMetric extends ResolvedTraits {
  kind: 'judge';
  templateId: string;
  scale: readonly [number, number];
  /** The judge model the configuration asked for; the deployment's default judge (resolved at creation) otherwise. */
  judgeModelId?: string;
  /** The prompt for this sample, or null when the metric does not apply to it. */
  buildPrompt(sample: ScoreInput): JudgePrompt | null;
  /** The judge's reply as a score in [0, 1], or a typed failure; never throws. */
  parseReply(reply: string): JudgeScore;
  /** Sampling the metric's configuration asks of the judge (score_model `sampling_params`), over the judge model's own. */
  sampling?: JudgeSampling;
}

export type JudgeSampling = Pick<GenerationParameters, 'temperature' | 'top_p' | 'max_tokens' | 'seed'>;

export interface ResolvedPairwiseMetric extends ResolvedTraits {
  kind: 'pairwise';
  templateId: string;
  /** Both orders' prompts (model 1's answer first, then model 2's). */
  buildPrompts(item: PairwiseItem, outputs: PairwiseOutputs): { model_1_first: JudgePrompt; model_2_first: JudgePrompt };
  parseReply(reply: string): PairwiseReply;
  /** The per-item outcome; its `score` (model 2's preference share, 0–1) is the metric's value. */
  reconcile(model1First: PairwiseVerdict, model2First: PairwiseVerdict): PairwiseOutcome;
}

export type ResolvedMetric = ResolvedComputedMetric | ResolvedJudgeMetric | ResolvedPairwiseMetric;
