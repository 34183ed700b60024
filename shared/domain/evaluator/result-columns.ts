import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { EvaluationResults, JudgeSummary, ModelResults, PairwiseSummary } from '../../contracts/evaluations/result-types.js';
import { modelFamily } from '../models/model-family.js';
import type { ScoreOutput, ScoreRow, ScoreRowShape } from '../ports/score-rows.js';
import { aggregate, comparePaired, mcnemarExact } from '../stats/index.js';
import { assembleComparison, seedFor } from './aggregate-results.js';
import type { ScoredMetric } from './scoring.js';

/**
 * Finalize's statistics over result rows streamed page by page. Each page is reduced to what the
 * statistics need and dropped: per item, one number per model and metric (a score, NaN for null), each
 * scored answer's latency, and each pairwise verdict's score, in typed columns; everything else is a
 * running count or sum. At the largest evaluation (200,000 items × 2 models × 20 metrics) that is about
 * 70 MB, where the rows themselves are gigabytes; docs/statistics.md ("Finalize at scale") has the bound.
 *
 * The results are those of `computeResults` in aggregate-results.ts for the same rows, value for value
 * (test/unit/evaluator/result-columns.test.ts checks it on randomised rows): the same arrays reach the
 * same statistics, and sums are added in the same (item) order.
 */

/**
 * Sums over a model's scored answers, reported under `usage`. A summed field is one entry here (and its
 * attribute in `scoreFields`, so the projected read keeps it).
 */
const usageSums = {
  input_tokens: (output: ScoreOutput) => output.usage?.input_tokens ?? 0,
  output_tokens: (output: ScoreOutput) => output.usage?.output_tokens ?? 0,
} satisfies Record<string, (output: ScoreOutput) => number>;

type UsageSums = { [name in keyof typeof usageSums]: number };

/** A float column that grows as rows arrive; NaN stands for null (a score can never be NaN: JSON and DynamoDB cannot hold one). */
class Column {
  private values: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(Math.max(16, capacity));
  }

  push(value: number | null | undefined): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value ?? Number.NaN;
  }

  at(index: number): number {
    return this.values[index]!;
  }

  /** The values as the statistics take them, null for a missing score: built for one call, then garbage. */
  nullable(): (number | null)[] {
    const values = new Array<number | null>(this.length);
    for (let i = 0; i < this.length; i++) {
      const value = this.values[i]!;
      values[i] = Number.isNaN(value) ? null : value;
    }
    return values;
  }

  sorted(): Float64Array {
    return this.values.slice(0, this.length).sort();
  }
}

class Counts {
  readonly byCode: Record<string, number> = {};

  add(code: string | undefined): void {
    if (code) this.byCode[code] = (this.byCode[code] ?? 0) + 1;
  }
}

class ModelColumns {
  completed = 0;
  failed = 0;
  readonly failureReasons: Record<string, number> = {};
  readonly latencies: Column;
  costSum = 0;
  costsKnown = 0;
  costsUnknown = 0;
  readonly usage = Object.fromEntries(Object.keys(usageSums).map((name) => [name, 0])) as UsageSums;
  /** By metric: the score of every row, NaN where the answer failed, is missing, or the metric did not apply. */
  readonly scores: Map<string, Column>;

  constructor(metrics: readonly ScoredMetric[], capacity: number) {
    this.latencies = new Column(capacity);
    this.scores = new Map(metrics.map((metric) => [metric.name, new Column(capacity)]));
  }

  add(output: ScoreOutput | undefined): void {
    const scored = output?.status === 'scored';
    for (const [name, column] of this.scores) column.push(scored ? output.scores[name] : null);
    if (output?.status === 'failed') {
      this.failed += 1;
      const code = output.error?.code ?? 'unknown';
      this.failureReasons[code] = (this.failureReasons[code] ?? 0) + 1;
    }
    if (!scored) return;
    this.completed += 1;
    this.latencies.push(output.latency_ms ?? 0);
    if (output.cost_usd === undefined) this.costsUnknown += 1;
    else {
      this.costsKnown += 1;
      this.costSum += output.cost_usd;
    }
    for (const name of Object.keys(usageSums) as (keyof UsageSums)[]) this.usage[name] += usageSums[name](output);
  }
}

/** A judged metric's judge calls: tokens and price summed over every judgement or verdict. */
class JudgeSpend {
  input_tokens = 0;
  output_tokens = 0;
  cost = 0;

  add(judgement: { usage?: { input_tokens: number; output_tokens: number }; cost_usd?: number }): void {
    this.input_tokens += judgement.usage?.input_tokens ?? 0;
    this.output_tokens += judgement.usage?.output_tokens ?? 0;
    this.cost += judgement.cost_usd ?? 0;
  }
}

class PairwiseColumns {
  readonly scores: Column;
  readonly spend = new JudgeSpend();
  scored = 0;
  wins = 0;
  losses = 0;
  flips = 0;
  judgeModelId: string | undefined;
  templateId: string | undefined;
  readonly failures = new Counts();

  constructor(capacity: number) {
    this.scores = new Column(capacity);
  }

  add(judgement: NonNullable<ScoreRow['pairwise']>[string] | undefined): void {
    this.scores.push(judgement?.score);
    if (judgement === undefined) return;
    this.judgeModelId ??= judgement.judge_model_id;
    this.templateId ??= judgement.template_id;
    this.failures.add(judgement.error?.code);
    this.spend.add(judgement);
    if (judgement.score === null) return;
    this.scored += 1;
    if (judgement.preferred === 'model_2') this.wins += 1;
    else if (judgement.preferred === 'model_1') this.losses += 1;
    if (judgement.flipped) this.flips += 1;
  }
}

/** Per judged metric (scored on each answer): its judge's failures and the template first seen. */
class JudgementCounts {
  templateId: string | undefined;
  readonly failures = new Counts();
  readonly spend = new JudgeSpend();
}

function percentile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export class ResultColumns {
  /** Which answers, judgements and verdicts to read of each row: the projection of `allScores`. */
  readonly shape: ScoreRowShape;
  rows = 0;
  private readonly seed: number;
  private readonly perModel: readonly ScoredMetric[];
  private readonly pairwiseMetrics: readonly ScoredMetric[];
  private readonly judged: readonly ScoredMetric[];
  private readonly models = new Map<string, ModelColumns>();
  private readonly pairwise = new Map<string, PairwiseColumns>();
  private readonly judgements = new Map<string, JudgementCounts>();

  constructor(
    private readonly evaluation: Evaluation,
    metrics: readonly ScoredMetric[],
  ) {
    this.seed = seedFor(evaluation.evaluation_id);
    // Pairwise metrics score pairs of answers, not one model's answers: they are reported with the comparison.
    this.perModel = metrics.filter((metric) => metric.kind !== 'pairwise');
    this.pairwiseMetrics = evaluation.model_id_2 ? metrics.filter((metric) => metric.kind === 'pairwise') : [];
    this.judged = metrics.filter((metric) => metric.kind !== 'computed' && evaluation.judges?.[metric.name]);
    const capacity = evaluation.plan ? evaluation.plan.chunk_size * evaluation.plan.chunk_count : 0;
    const modelIds = new Set([...evaluation.models.map((model) => model.model_id), evaluation.model_id]);
    if (evaluation.model_id_2) modelIds.add(evaluation.model_id_2);
    for (const modelId of modelIds) this.models.set(modelId, new ModelColumns(this.perModel, capacity));
    const judgedPairwise = this.judged.filter((metric) => metric.kind === 'pairwise');
    for (const metric of new Set([...this.pairwiseMetrics, ...judgedPairwise])) this.pairwise.set(metric.name, new PairwiseColumns(capacity));
    for (const metric of this.judged) if (metric.kind !== 'pairwise') this.judgements.set(metric.name, new JudgementCounts());
    this.shape = { modelIds: [...modelIds], judgedMetrics: [...this.judgements.keys()], pairwiseMetrics: [...this.pairwise.keys()] };
  }

  /** Takes one page of rows, in item order; nothing of them is kept beyond the columns. */
  add(rows: readonly ScoreRow[]): void {
    for (const row of rows) {
      this.rows += 1;
      for (const [modelId, columns] of this.models) columns.add(row.outputs[modelId]);
      for (const [name, columns] of this.pairwise) columns.add(row.pairwise?.[name]);
      if (this.judgements.size === 0) continue;
      for (const output of Object.values(row.outputs)) {
        for (const [name, counts] of this.judgements) {
          const judgement = output.judgements?.[name];
          if (!judgement) continue;
          counts.templateId ??= judgement.template_id;
          counts.failures.add(judgement.error?.code);
          counts.spend.add(judgement);
        }
      }
    }
  }

  /** Per-model aggregates and, in comparison mode, the paired comparison of model_id_2 against model_id. */
  results(): EvaluationResults {
    const results: EvaluationResults = {
      models: this.evaluation.models.map((model) => this.modelResults(model.model_id, model.baseline)),
      seed: this.seed,
    };
    if (this.evaluation.model_id_2) results.comparison = this.comparison(this.evaluation.model_id, this.evaluation.model_id_2);
    const judges = this.judgeSummaries();
    if (judges) results.judges = judges;
    return results;
  }

  private modelResults(modelId: string, baseline: boolean): ModelResults {
    const columns = this.models.get(modelId)!;
    const latencies = columns.latencies.sorted();
    return {
      model_id: modelId,
      baseline,
      completed_items: columns.completed,
      failed_items: columns.failed,
      metrics: Object.fromEntries(
        this.perModel.map((metric) => [
          metric.name,
          // Failed items are excluded from the means, and counted as exclusions.
          aggregate(columns.scores.get(metric.name)!.nullable(), { binary: metric.binary, seed: this.seed }),
        ]),
      ),
      usage: { ...columns.usage },
      cost_usd: columns.costsUnknown > 0 && columns.costsKnown === 0 ? null : columns.costSum,
      latency_ms: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
      failure_reasons: columns.failureReasons,
    };
  }

  private pairwiseStats(name: string): Omit<PairwiseSummary, 'p_value_adjusted' | 'verdict'> {
    const columns = this.pairwise.get(name)!;
    return {
      preference: aggregate(columns.scores.nullable(), { binary: false, seed: this.seed }),
      flip_rate: columns.scored === 0 ? null : columns.flips / columns.scored,
      wins: columns.wins,
      ties: columns.scored - columns.wins - columns.losses,
      losses: columns.losses,
      p_value: columns.scored === 0 ? null : mcnemarExact(columns.losses, columns.wins).p_value,
      judge_model_id: columns.judgeModelId ?? this.evaluation.judges?.[name] ?? '',
      template_id: columns.templateId ?? '',
      judge_failures: { ...columns.failures.byCode },
    };
  }

  private comparison(modelA: string, modelB: string): NonNullable<EvaluationResults['comparison']> {
    const left = this.models.get(modelA)!;
    const right = this.models.get(modelB)!;
    const compared = this.perModel.map((metric) => {
      const x = left.scores.get(metric.name)!;
      const y = right.scores.get(metric.name)!;
      const a: number[] = [];
      const b: number[] = [];
      // Paired: only items both models answered and the metric applied to.
      for (let i = 0; i < x.length; i++) {
        if (Number.isNaN(x.at(i)) || Number.isNaN(y.at(i))) continue;
        a.push(x.at(i));
        b.push(y.at(i));
      }
      return { metric, result: comparePaired(a, b, { binary: metric.binary, seed: this.seed, higherIsBetter: metric.higherIsBetter }) };
    });
    const pairwise = this.pairwiseMetrics.map((metric) => ({ metric, stats: this.pairwiseStats(metric.name) }));
    return assembleComparison(modelA, modelB, compared, pairwise);
  }

  /** Each judged metric's judge, its failures, and whether it shares a family with a candidate. */
  private judgeSummaries(): Record<string, JudgeSummary> | undefined {
    if (this.judged.length === 0) return undefined;
    return Object.fromEntries(
      this.judged.map((metric) => {
        const judgeId = this.evaluation.judges![metric.name]!;
        const judge = this.evaluation.judge_models?.find((model) => model.model_id === judgeId);
        const family = judge ? modelFamily(judge) : undefined;
        const sameFamily = this.evaluation.models
          .filter((model) => family !== undefined && modelFamily(model) === family)
          .map((model) => model.model_id);
        const counts = metric.kind === 'pairwise' ? this.pairwise.get(metric.name)! : this.judgements.get(metric.name)!;
        const summary: JudgeSummary = {
          judge_model_id: judgeId,
          template_id: counts.templateId ?? '',
          judge_same_family: sameFamily.length > 0,
          same_family_models: sameFamily,
          judge_failures: { ...counts.failures.byCode },
          usage: { input_tokens: counts.spend.input_tokens, output_tokens: counts.spend.output_tokens },
          // Unknown, not free, when the judge has no prices.
          cost_usd: judge?.pricing ? counts.spend.cost : null,
        };
        return [metric.name, summary];
      }),
    );
  }
}
