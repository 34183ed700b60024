import type { Schemas } from '../client/index.js';
import type { Received } from './api.js';
import { UsageError } from './errors.js';
import { formatNumber } from './table.js';

export interface Threshold {
  metric: string;
  minimum: number;
}

/** `accuracy=0.8` → { metric: 'accuracy', minimum: 0.8 }; anything else is a usage error naming the option. */
export function parseThreshold(text: string): Threshold {
  const match = /^([a-z][a-z0-9_]{0,63})=(-?\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!match) throw new UsageError(`--fail-under expects metric=value, such as accuracy=0.8 (got "${text}")`);
  return { metric: match[1]!, minimum: Number(match[2]) };
}

export interface ThresholdCheck {
  missed: string[];
  met: string[];
}

/**
 * Every threshold against every model of the evaluation: a mean under the minimum misses it, and so does
 * a metric without a mean (every item excluded) or one the evaluation did not compute.
 */
export function checkThresholds(results: Received<Schemas['EvaluationResults']>, thresholds: readonly Threshold[]): ThresholdCheck {
  const check: ThresholdCheck = { missed: [], met: [] };
  for (const { metric, minimum } of thresholds) {
    const computed = results.models.filter((model) => metric in model.metrics);
    if (computed.length === 0) {
      const known = [...new Set(results.models.flatMap((model) => Object.keys(model.metrics)))].join(', ');
      check.missed.push(`${metric}: not computed by this evaluation (its metrics: ${known || 'none'})`);
      continue;
    }
    for (const model of computed) {
      const mean = model.metrics[metric]!.mean;
      const label = `${metric} of ${model.model_id}`;
      if (mean === null) check.missed.push(`${label} has no mean (every item was excluded), needs at least ${minimum}`);
      else if (mean < minimum) check.missed.push(`${label} is ${formatNumber(mean)}, under ${minimum}`);
      else check.met.push(`${label} is ${formatNumber(mean)}, at least ${minimum}`);
    }
  }
  return check;
}
