import type * as v from 'valibot';
import type { Model } from '../models/schemas.js';
import type {
  BudgetSummarySchema,
  EvaluationResultsSchema,
  ItemResultSchema,
  JudgementSchema,
  JudgeSummarySchema,
  MetricAggregateSchema,
  MetricComparisonSchema,
  ModelOutputSchema,
  ModelResultsSchema,
  RepeatSummarySchema,
  PairwiseJudgementSchema,
  PairwiseSummarySchema,
  StopReasonSchema,
  TokenUsageSchema,
} from './response-schemas.js';

/**
 * Results as the API shows them. The shapes are the response schemas the OpenAPI document is generated
 * from (`response-schemas.ts`); the types are derived from them, so code and document cannot disagree.
 */
export type TokenUsage = v.InferOutput<typeof TokenUsageSchema>;
/** One model's answer to one item, scored or failed with its reason. */
export type ModelOutput = v.InferOutput<typeof ModelOutputSchema>;
/**
 * A judge's verdict on one answer. A failed judgement (refusal, no score, provider error) has a null
 * score and an `error`: the item is excluded from that metric's mean, never failed for it.
 */
export type Judgement = v.InferOutput<typeof JudgementSchema>;
/** One pairwise preference verdict, reconciled from both orders. */
export type PairwiseJudgement = v.InferOutput<typeof PairwiseJudgementSchema>;
/** One row of `GET /evaluations/{id}/results`: the item and every model's answer side by side. */
export type ItemResult = v.InferOutput<typeof ItemResultSchema>;
export type MetricAggregate = v.InferOutput<typeof MetricAggregateSchema>;
export type ModelResults = v.InferOutput<typeof ModelResultsSchema>;
export type RepeatSummary = v.InferOutput<typeof RepeatSummarySchema>;
export type MetricComparison = v.InferOutput<typeof MetricComparisonSchema>;
/**
 * A pairwise metric over the evaluation: how often model 2's answer was preferred, with its interval,
 * and how often the judge's verdict followed the position rather than the answer.
 */
export type PairwiseSummary = v.InferOutput<typeof PairwiseSummarySchema>;
/** Who judged a judged metric, and whether the judge shares a family with a candidate (self-preference risk). */
export type JudgeSummary = v.InferOutput<typeof JudgeSummarySchema>;
export type EvaluationResults = v.InferOutput<typeof EvaluationResultsSchema>;
export type StopReason = v.InferOutput<typeof StopReasonSchema>;
/** What an evaluation run under a budget spent, and what the budget left undone. */
export type BudgetSummary = v.InferOutput<typeof BudgetSummarySchema>;

/** Price of one call from the model's per-million-token prices, when the model has them. */
export function callCost(model: Pick<Model, 'pricing'>, usage: TokenUsage): number | undefined {
  if (!model.pricing) return undefined;
  return (usage.input_tokens * model.pricing.input_per_million + usage.output_tokens * model.pricing.output_per_million) / 1_000_000;
}
