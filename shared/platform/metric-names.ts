/**
 * The names under which Arbiter's own CloudWatch metrics are published (as EMF log lines, see
 * `metrics.ts`). The CDK stack builds its alarms from the same constants, so a renamed metric cannot
 * leave an alarm watching nothing.
 */
export const METRICS_NAMESPACE = 'Arbiter';
/** Powertools publishes it as the `service` dimension. */
export const METRICS_SERVICE = 'arbiter';
/** The stage a function runs in: the stack sets ARBITER_STAGE; the local stack runs as `local`. */
export const STAGE_DIMENSION = 'stage';
/** Extra dimension of ProviderErrors only. */
export const ERROR_CLASS_DIMENSION = 'error_class';

export const MetricName = {
  /** Items whose chunk was counted (scored or failed); a redelivered chunk is not counted again. */
  ItemsEvaluated: 'ItemsEvaluated',
  /** Of those, items with at least one model's answer failed. */
  ItemsFailed: 'ItemsFailed',
  /** Failed provider calls, every attempt, by `error_class` (rate_limited, timeout, server_error…). */
  ProviderErrors: 'ProviderErrors',
  /** Provider calls repeated after a retryable failure. */
  ProviderRetries: 'ProviderRetries',
  /** Provider calls that waited for a deployment-wide slot, request window or Retry-After block. */
  ProviderLimitWaits: 'ProviderLimitWaits',
  /** 429s that halved a model's shared concurrency limit (AIMD's multiplicative decrease). */
  ProviderLimitDecreases: 'ProviderLimitDecreases',
  /** Work messages that reached the dead-letter handler. */
  DeadLetteredMessages: 'DeadLetteredMessages',
  /** Stalled evaluations the reconciler sent their missing messages again. */
  EvaluationsRedriven: 'EvaluationsRedriven',
  /** Stalled evaluations the reconciler gave up on. */
  EvaluationsStalled: 'EvaluationsStalled',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** The dimensions every Arbiter metric but ProviderErrors carries, as the alarms must name them. */
export function metricDimensions(stage: string): Record<string, string> {
  return { service: METRICS_SERVICE, [STAGE_DIMENSION]: stage };
}
