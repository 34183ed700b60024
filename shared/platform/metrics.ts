import { AsyncLocalStorage } from 'node:async_hooks';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { serviceConfig } from './config.js';
import { logger } from './logger.js';
import { ERROR_CLASS_DIMENSION, METRICS_NAMESPACE, METRICS_SERVICE, MetricName, STAGE_DIMENSION } from './metric-names.js';

/**
 * Arbiter's metrics, published in CloudWatch Embedded Metric Format: a JSON line on stdout that CloudWatch
 * Logs turns into metrics, so no function needs cloudwatch:PutMetricData.
 *
 * Counts are summed per scope (one work message, one stalled evaluation) and published when the scope
 * ends, with the scope's keys (evaluation_id, tenant_id…) as EMF metadata: the metric line of an
 * evaluation's chunk can be found next to its log lines. Counts made outside any scope are published by
 * `flushMetrics()`, which each handler calls before returning, so nothing waits for a later invocation.
 */
const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: METRICS_SERVICE,
  defaultDimensions: { [STAGE_DIMENSION]: serviceConfig.stage },
  logger,
});

interface Tally {
  metadata: Record<string, string>;
  counts: Map<MetricName, number>;
  providerErrors: Map<string, number>;
}

const fresh = (metadata: Record<string, string>): Tally => ({ metadata, counts: new Map(), providerErrors: new Map() });
const scopes = new AsyncLocalStorage<Tally>();
const unscoped = fresh({});

function current(): Tally {
  return scopes.getStore() ?? unscoped;
}

/** Adds to a count. A zero is kept too: ItemsFailed = 0 beside ItemsEvaluated is a datapoint the failure ratio needs. */
export function countMetric(name: MetricName, value = 1): void {
  if (!(value >= 0)) return;
  const tally = current();
  tally.counts.set(name, (tally.counts.get(name) ?? 0) + value);
}

/** One failed provider call (any attempt), by the class of its failure. */
export function countProviderError(errorClass: string): void {
  const tally = current();
  tally.providerErrors.set(errorClass, (tally.providerErrors.get(errorClass) ?? 0) + 1);
}

function publish(tally: Tally): void {
  const withMetadata = () => {
    for (const [key, value] of Object.entries(tally.metadata)) metrics.addMetadata(key, value);
  };
  // publishStoredMetrics is synchronous, so two scopes ending together cannot mix their lines.
  if (tally.counts.size > 0) {
    withMetadata();
    for (const [name, value] of tally.counts) metrics.addMetric(name, MetricUnit.Count, value);
    metrics.publishStoredMetrics();
  }
  // One line per class: a dimension applies to every metric of an EMF line.
  for (const [errorClass, value] of tally.providerErrors) {
    withMetadata();
    metrics.addDimension(ERROR_CLASS_DIMENSION, errorClass);
    metrics.addMetric(MetricName.ProviderErrors, MetricUnit.Count, value);
    metrics.publishStoredMetrics();
  }
  tally.counts.clear();
  tally.providerErrors.clear();
}

/** Runs `work` counting into a scope of its own, published (with `metadata`) when it ends, even by throwing. */
export async function withMetricsScope<T>(metadata: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
  const defined = Object.fromEntries(Object.entries(metadata).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const tally = fresh({ ...scopes.getStore()?.metadata, ...defined });
  try {
    return await scopes.run(tally, work);
  } finally {
    publish(tally);
  }
}

/** Publishes what was counted outside any scope; handlers call it once per invocation. */
export function flushMetrics(): void {
  publish(unscoped);
}
