import type { ChatMessage } from '../../contracts/benchmarks/chat.js';
import type { ItemResult, ModelOutput } from '../../contracts/evaluations/result-types.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { MetricKind, MetricRange } from '../metrics/types.js';
import type { TaskType } from '../../contracts/benchmarks/task-types.js';

/** What the report needs to know of a metric to draw it: its scale and direction. */
export interface ReportMetric {
  name: string;
  kind: MetricKind;
  /** [min, max], or null for counts, times and money (the axis then follows the data). */
  range: MetricRange;
  higherIsBetter: boolean;
  binary: boolean;
}

/** One answer as the disagreement table shows it. */
export interface ReportAnswer {
  status: ModelOutput['status'];
  output?: string;
  scores: Record<string, number | null>;
  error?: { code: string; message: string };
}

/** An item the models disagree on (comparison), or one the model scored worst on (single model). */
export interface RankedItem {
  position: number;
  item_id: string;
  input: string;
  /** A chat item's conversation, shown instead of the input alone. */
  messages?: ChatMessage[];
  expected?: string;
  choices?: string[];
  outputs: Record<string, ReportAnswer>;
  /** 0–1: mean normalised score gap between the models, or mean shortfall from a perfect score. */
  rank_score: number;
}

/** What scanning the per-item results yields; the aggregates themselves come from the record. */
export interface ResultsSample {
  /** Items read, and whether the scan stopped at its cap before the last one. */
  scanned: number;
  capped: boolean;
  /** Scored values by metric, then by model, in item order (failed answers and nulls left out). */
  scores: Record<string, Record<string, number[]>>;
  ranking: 'disagreement' | 'lowest';
  /** Highest rank_score first. */
  items: RankedItem[];
  /** Metrics the ranking used (bounded, per answer). */
  ranked_by: string[];
}

export interface ReportBenchmark {
  name: string;
  task_type: TaskType;
  description?: string;
}

/** Everything the renderer draws from; rendering is a pure function of it. */
export interface ReportData {
  evaluation: Evaluation;
  /** Undefined when the benchmark has been deleted since. */
  benchmark?: ReportBenchmark;
  /** Metrics in the order the evaluation asked for them (per-answer and pairwise). */
  metrics: ReportMetric[];
  sample?: ResultsSample;
  arbiterVersion: string;
  /** When the report was rendered (ISO-8601); progress rates and ETAs are measured to it. */
  generatedAt: string;
}

/** How many of the top-ranked items the table shows. */
export const RANKED_ITEMS = 10;

const isBounded = (metric: ReportMetric): metric is ReportMetric & { range: readonly [number, number] } =>
  metric.kind !== 'pairwise' && metric.range !== null && metric.range[1] > metric.range[0];

const normalise = (value: number, [min, max]: readonly [number, number]) => (value - min) / (max - min);

function toAnswer(output: ModelOutput): ReportAnswer {
  return {
    status: output.status,
    ...(output.output === undefined ? {} : { output: output.output }),
    scores: output.scores ?? {},
    ...(output.error ? { error: { code: output.error.code, message: output.error.message } } : {}),
  };
}

/**
 * Reads result pages one at a time and keeps only what the report draws: every score (numbers), and the
 * few items that rank highest, so memory stays flat however many items are scanned.
 */
export class ResultsSampler {
  private scanned = 0;
  private readonly scores: Record<string, Record<string, number[]>> = {};
  private readonly items: RankedItem[] = [];
  private readonly ranked: (ReportMetric & { range: readonly [number, number] })[];
  private readonly models: string[];

  constructor(
    models: readonly string[],
    metrics: readonly ReportMetric[],
    private readonly keep = RANKED_ITEMS,
  ) {
    this.models = [...models];
    this.ranked = metrics.filter(isBounded);
    for (const metric of metrics.filter((m) => m.kind !== 'pairwise')) {
      this.scores[metric.name] = Object.fromEntries(this.models.map((model) => [model, []]));
    }
  }

  add(rows: readonly ItemResult[]): void {
    for (const row of rows) {
      this.scanned++;
      for (const [metric, byModel] of Object.entries(this.scores)) {
        for (const model of this.models) {
          const output = row.outputs[model];
          const value = output?.status === 'scored' ? output.scores?.[metric] : null;
          if (typeof value === 'number' && Number.isFinite(value)) byModel[model]!.push(value);
        }
      }
      const rank = this.rankOf(row);
      if (rank !== undefined && rank > 0) this.offer(row, rank);
    }
  }

  /** Gap between the two models (comparison), or shortfall from perfect (single); undefined when unrankable. */
  private rankOf(row: ItemResult): number | undefined {
    const outputs = this.models.map((model) => row.outputs[model]);
    // Failed answers are counted with their reasons elsewhere; ranking them would crowd out real disagreements.
    if (outputs.some((output) => output?.status !== 'scored')) return undefined;
    const parts: number[] = [];
    for (const metric of this.ranked) {
      const values = outputs.map((output) => output!.scores?.[metric.name]);
      if (values.some((value) => typeof value !== 'number' || !Number.isFinite(value))) continue;
      const normalised = (values as number[]).map((value) => Math.min(1, Math.max(0, normalise(value, metric.range))));
      if (normalised.length >= 2) parts.push(Math.abs(normalised[1]! - normalised[0]!));
      else parts.push(metric.higherIsBetter ? 1 - normalised[0]! : normalised[0]!);
    }
    if (parts.length === 0) return undefined;
    return parts.reduce((sum, part) => sum + part, 0) / parts.length;
  }

  private offer(row: ItemResult, rank: number): void {
    if (this.items.length >= this.keep && rank <= this.items[this.items.length - 1]!.rank_score) return;
    const item: RankedItem = {
      position: row.position,
      item_id: row.item_id,
      input: row.input,
      ...(row.messages ? { messages: row.messages } : {}),
      ...(row.expected === undefined ? {} : { expected: row.expected }),
      ...(row.choices ? { choices: row.choices } : {}),
      outputs: Object.fromEntries(this.models.filter((model) => row.outputs[model]).map((model) => [model, toAnswer(row.outputs[model]!)])),
      rank_score: rank,
    };
    // Stable: among equal ranks the earlier item stays ahead.
    const at = this.items.findIndex((kept) => kept.rank_score < rank);
    this.items.splice(at === -1 ? this.items.length : at, 0, item);
    if (this.items.length > this.keep) this.items.pop();
  }

  result(capped: boolean): ResultsSample {
    return {
      scanned: this.scanned,
      capped,
      scores: this.scores,
      ranking: this.models.length >= 2 ? 'disagreement' : 'lowest',
      items: this.items,
      ranked_by: this.ranked.map((metric) => metric.name),
    };
  }
}
