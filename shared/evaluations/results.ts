import type { Model } from '../models/schemas.js';

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
}

/** One model's answer to one item, scored or failed with its reason. */
export interface ModelOutput {
  status: 'scored' | 'failed';
  output?: string;
  scores: Record<string, number | null>;
  latency_ms?: number;
  usage?: TokenUsage;
  cost_usd?: number;
  finish_reason?: string;
  attempts?: number;
  error?: { code: string; message: string; attempts?: number };
  /** Per judged metric: what the judge said. Its `score` is also in `scores`. */
  judgements?: Record<string, Judgement>;
}

/**
 * A judge's verdict on one answer. A failed judgement (refusal, no score, provider error) has a null
 * score and an `error`: the item is excluded from that metric's mean, never failed for it.
 */
export interface Judgement {
  score: number | null;
  /** The score on the judge's scale as given, or the label a label grader chose. */
  raw?: number | string;
  rationale?: string;
  judge_model_id: string;
  template_id: string;
  error?: { code: string; message: string };
}

/** One pairwise preference verdict, reconciled from both orders. */
export interface PairwiseJudgement {
  preferred: 'model_1' | 'model_2' | 'tie' | null;
  /** Model 2's share of the preference (0, 0.25, 0.5, 0.75, 1); null when the judge failed. */
  score: number | null;
  flipped: boolean;
  judge_model_id: string;
  template_id: string;
  rationale?: { model_1_first?: string; model_2_first?: string };
  error?: { code: string; message: string };
}

/** One row of `GET /evaluations/{id}/results`: the item and every model's answer side by side. */
export interface ItemResult {
  item_id: string;
  position: number;
  input: string;
  expected?: string;
  choices?: string[];
  outputs: Record<string, ModelOutput>;
  /** Comparison mode: per pairwise metric, the judge's preference between the two answers. */
  pairwise?: Record<string, PairwiseJudgement>;
}

export interface MetricAggregate {
  mean: number | null;
  std_error: number | null;
  ci95: [number, number] | null;
  n: number;
  n_excluded: number;
}

export interface ModelResults {
  model_id: string;
  baseline: boolean;
  completed_items: number;
  failed_items: number;
  metrics: Record<string, MetricAggregate>;
  usage: TokenUsage;
  cost_usd: number | null;
  latency_ms: { p50: number | null; p95: number | null };
  /** Why items failed, by error code: the first place to look when failed_items is not zero. */
  failure_reasons: Record<string, number>;
}

export interface MetricComparison {
  difference: number | null;
  ci95: [number, number] | null;
  p_value: number | null;
  p_value_adjusted: number | null;
  test: string;
  wins: number;
  ties: number;
  losses: number;
  n: number;
  verdict: 'model_2 better' | 'model_1 better' | 'no significant difference';
}

/**
 * A pairwise metric over the evaluation: how often model 2's answer was preferred, with its interval,
 * and how often the judge's verdict followed the position rather than the answer.
 */
export interface PairwiseSummary {
  /** Mean of model 2's preference share: 0.5 is no preference. */
  preference: MetricAggregate;
  /** Share of judged items whose verdict flipped with the order (counted as ties). */
  flip_rate: number | null;
  /** Items where model 2 / neither / model 1 was preferred. */
  wins: number;
  ties: number;
  losses: number;
  /** Exact sign test of wins against losses; ties and flips carry no preference. */
  p_value: number | null;
  p_value_adjusted: number | null;
  verdict: MetricComparison['verdict'];
  judge_model_id: string;
  template_id: string;
  /** Judge failures by code; those items are excluded. */
  judge_failures: Record<string, number>;
}

/** Who judged a judged metric, and whether the judge shares a family with a candidate (self-preference risk). */
export interface JudgeSummary {
  judge_model_id: string;
  template_id: string;
  judge_same_family: boolean;
  /** The candidates of the judge's family. */
  same_family_models: string[];
  /** Judge failures by code, over all models' answers; those items are excluded from the metric. */
  judge_failures: Record<string, number>;
}

export interface EvaluationResults {
  models: ModelResults[];
  comparison?: {
    model_id: string;
    model_id_2: string;
    metrics: Record<string, MetricComparison>;
    /** Pairwise metrics (they compare answers directly, so they are not per-model metrics). */
    pairwise?: Record<string, PairwiseSummary>;
  };
  /** Judged and pairwise metrics: their judge, and the same-family flag. */
  judges?: Record<string, JudgeSummary>;
  /** Seeds of every resampling step, so the same inputs give the same numbers. */
  seed: number;
}

/** Price of one call from the model's per-million-token prices, when the model has them. */
export function callCost(model: Pick<Model, 'pricing'>, usage: TokenUsage): number | undefined {
  if (!model.pricing) return undefined;
  return (usage.input_tokens * model.pricing.input_per_million + usage.output_tokens * model.pricing.output_per_million) / 1_000_000;
}
