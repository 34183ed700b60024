export type MetricErrorCode = 'unknown_metric' | 'invalid_metric_config' | 'unsupported_grader';

/**
 * A metric that cannot be resolved; `metric` names it as the request or benchmark did, `field` the key of
 * its configuration at fault (`pattern`, `schema.properties.name.pattern`) when there is one.
 */
export class MetricResolutionError extends Error {
  constructor(
    readonly code: MetricErrorCode,
    readonly metric: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'MetricResolutionError';
  }
}
