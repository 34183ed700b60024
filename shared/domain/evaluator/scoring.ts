import type { BenchmarkItem } from '../../contracts/benchmarks/schemas.js';
import type { ToolCall } from '../../contracts/benchmarks/tools.js';
import type { MetricKind } from '../metrics/types.js';

/** What scoring needs to know of a metric, whatever computes it. */
export interface ScoredMetric {
  name: string;
  /** Pairwise metrics score pairs of answers, not one model's: results report them apart. */
  kind: MetricKind;
  binary: boolean;
  higherIsBetter: boolean;
}

export interface ScoreSample {
  item: BenchmarkItem;
  output: string;
  tool_calls?: readonly ToolCall[];
  latency_ms: number;
  output_tokens: number;
  cost_usd?: number;
}

/** Scores one answer on every metric of the evaluation; null where a metric does not apply. */
export interface Scorer {
  metrics: readonly ScoredMetric[];
  score(sample: ScoreSample): Record<string, number | null>;
}
