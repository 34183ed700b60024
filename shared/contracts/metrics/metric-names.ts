/**
 * The metric names and configurable metric types Arbiter knows. `custom_metrics` is checked against this
 * list at creation, so a typo answers 422 at once instead of failing an evaluation later.
 */
export const metricNames = [
  'exact_match',
  'accuracy',
  'contains',
  'icontains',
  'starts_with',
  'token_f1',
  'bleu',
  'chrf',
  'rouge_1',
  'rouge_2',
  'rouge_l',
  'edit_similarity',
  'json_valid',
  'tool_name_match',
  'tool_arguments_match',
  'tool_call_f1',
  'latency_ms',
  'output_tokens',
  'cost_usd',
  'relevance',
  'correctness',
  'faithfulness',
  'helpfulness',
  'pairwise_preference',
] as const;

/** Types a configuration object in `custom_metrics` may name; the last four are OpenAI Evals graders. */
export const metricTypes = [
  'regex',
  'contains',
  'exact_match',
  'json_schema',
  'tool_arguments_match',
  'llm_judge',
  'string_check',
  'text_similarity',
  'label_model',
  'score_model',
] as const;

export type MetricName = (typeof metricNames)[number];

export function isKnownMetricName(name: string): name is MetricName {
  return (metricNames as readonly string[]).includes(name);
}

export type MetricType = (typeof metricTypes)[number];
