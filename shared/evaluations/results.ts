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
}

/** One row of `GET /evaluations/{id}/results`: the item and every model's answer side by side. */
export interface ItemResult {
  item_id: string;
  position: number;
  input: string;
  expected?: string;
  choices?: string[];
  outputs: Record<string, ModelOutput>;
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

export interface EvaluationResults {
  models: ModelResults[];
  comparison?: { model_id: string; model_id_2: string; metrics: Record<string, MetricComparison> };
  /** Seeds of every resampling step, so the same inputs give the same numbers. */
  seed: number;
}

/** Price of one call from the model's per-million-token prices, when the model has them. */
export function callCost(model: Pick<Model, 'pricing'>, usage: TokenUsage): number | undefined {
  if (!model.pricing) return undefined;
  return (usage.input_tokens * model.pricing.input_per_million + usage.output_tokens * model.pricing.output_per_million) / 1_000_000;
}
