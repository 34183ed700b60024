export type MetricErrorCode = 'unknown_metric' | 'invalid_metric_config' | 'unsupported_grader';

/** A metric that cannot be resolved; `metric` names it as the request or benchmark did. */
export class MetricResolutionError extends Error {
  constructor(
    readonly code: MetricErrorCode,
    readonly metric: string,
    message: string,
  ) {
    super(message);
    this.name = 'MetricResolutionError';
  }
}
