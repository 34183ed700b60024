import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { EvaluationResults, JudgeSummary, ModelResults, PairwiseSummary, RepeatSummary } from '../../contracts/evaluations/result-types.js';
import { modelFamily } from '../models/model-family.js';
import type { ScoreOutput, ScoreRow, ScoreRowShape } from '../ports/score-rows.js';
import { aggregate, comparePaired, itemRepeatStats, mcnemarExact, passAtK, passHatK } from '../stats/index.js';
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
    this.count(output);
  }

  /**
   * The samples of one repeated item: one score per metric, the mean of its scored samples (the item is the
   * unit of every mean, interval and paired test), while counts, latencies, usage and cost take every sample.
   */
  addSamples(outputs: readonly (ScoreOutput | undefined)[], repeats: RepeatTally): void {
    const scoresOf = (name: string) => outputs.map((output) => (output?.status === 'scored' ? (output.scores[name] ?? null) : null));
    for (const [name, column] of this.scores) {
      const values = scoresOf(name).filter((value): value is number => value !== null);
      column.push(values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length);
    }
    repeats.add(outputs.length, scoresOf);
    for (const output of outputs) this.count(output);
  }

  private count(output: ScoreOutput | undefined): void {
    const scored = output?.status === 'scored';
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

interface RepeatMetricTally {
  passAtK: number;
  passHatK: number;
  passItems: number;
  flaky: number;
  flakinessSum: number;
  flakinessItems: number;
}

/** Per model, over repeated items: pass@k, pass^k and flakiness per metric (stats/repeats.ts). */
class RepeatTally {
  samples = 0;
  items = 0;
  flakyItems = 0;
  readonly metrics: Map<string, RepeatMetricTally>;

  constructor(
    private readonly perModel: readonly ScoredMetric[],
    private readonly k: number,
  ) {
    this.metrics = new Map(
      perModel.map((metric) => [metric.name, { passAtK: 0, passHatK: 0, passItems: 0, flaky: 0, flakinessSum: 0, flakinessItems: 0 }]),
    );
  }

  add(samples: number, scoresOf: (name: string) => (number | null)[]): void {
    this.samples += samples;
    this.items += 1;
    let flaky = false;
    for (const metric of this.perModel) {
      const tally = this.metrics.get(metric.name)!;
      const stats = itemRepeatStats(scoresOf(metric.name), metric.binary);
      if (stats.n >= 2) {
        tally.flakinessSum += stats.flakiness_rate;
        tally.flakinessItems += 1;
      }
      if (stats.flaky) {
        tally.flaky += 1;
        flaky = true;
      }
      if (metric.binary && stats.passed !== undefined && stats.n >= this.k) {
        tally.passAtK += passAtK(stats.n, stats.passed, this.k);
        tally.passHatK += passHatK(stats.n, stats.passed, this.k);
        tally.passItems += 1;
      }
    }
    if (flaky) this.flakyItems += 1;
  }

  summary(): RepeatSummary {
    return {
      samples: this.samples,
      items: this.items,
      flaky_items: this.flakyItems,
      metrics: Object.fromEntries(
        this.perModel.map((metric) => {
          const tally = this.metrics.get(metric.name)!;
          const passes = metric.binary && tally.passItems > 0;
          return [
            metric.name,
            {
              k: this.k,
              pass_at_k: passes ? tally.passAtK / tally.passItems : null,
              pass_hat_k: passes ? tally.passHatK / tally.passItems : null,
              items: tally.passItems,
              flaky_items: tally.flaky,
              flakiness_rate: tally.flakinessItems === 0 ? null : tally.flakinessSum / tally.flakinessItems,
            },
          ];
        }),
      ),
    };
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
    this.count(judgement);
  }

  /** A repeated item's verdicts: the mean preference of its samples, every verdict counted. */
  addSamples(judgements: readonly (NonNullable<ScoreRow['pairwise']>[string] | undefined)[]): void {
    const values = judgements.map((judgement) => judgement?.score).filter((score): score is number => typeof score === 'number');
    this.scores.push(values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length);
    for (const judgement of judgements) this.count(judgement);
  }

  private count(judgement: NonNullable<ScoreRow['pairwise']>[string] | undefined): void {
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
  /** The rows of the item being read: a repeated item's samples are consecutive, but may straddle pages. */
  private group: ScoreRow[] = [];
  private readonly repeats = new Map<string, RepeatTally>();
  private readonly repeatK: number;

  constructor(
    private readonly evaluation: Evaluation,
    metrics: readonly ScoredMetric[],
  ) {
    this.seed = seedFor(evaluation.evaluation_id);
    this.repeatK = Math.max(1, evaluation.repeats ?? 1);
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
      if (this.group.length > 0 && this.group[0]!.position !== row.position) this.takeGroup();
      this.group.push(row);
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

  /** One item's rows into the columns: as they are when it has one sample, collapsed to the item when repeated. */
  private takeGroup(): void {
    const rows = this.group;
    this.group = [];
    if (rows.length === 0) return;
    if (rows.length === 1 && this.repeatK === 1) {
      const row = rows[0]!;
      for (const [modelId, columns] of this.models) columns.add(row.outputs[modelId]);
      for (const [name, columns] of this.pairwise) columns.add(row.pairwise?.[name]);
      return;
    }
    for (const [modelId, columns] of this.models) {
      let tally = this.repeats.get(modelId);
      if (!tally) {
        tally = new RepeatTally(this.perModel, this.repeatK);
        this.repeats.set(modelId, tally);
      }
      columns.addSamples(
        rows.map((row) => row.outputs[modelId]),
        tally,
      );
    }
    for (const [name, columns] of this.pairwise) columns.addSamples(rows.map((row) => row.pairwise?.[name]));
  }

  /** Per-model aggregates and, in comparison mode, the paired comparison of model_id_2 against model_id. */
  results(): EvaluationResults {
    this.takeGroup();
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
          // Repeated, a pass/fail metric's per-item means are proportions: the bootstrap over items (a cluster
          // bootstrap of the samples) gives their interval, not Wilson's, which would take samples as independent.
          aggregate(columns.scores.get(metric.name)!.nullable(), { binary: metric.binary && !this.repeats.has(modelId), seed: this.seed }),
        ]),
      ),
      usage: { ...columns.usage },
      cost_usd: columns.costsUnknown > 0 && columns.costsKnown === 0 ? null : columns.costSum,
      latency_ms: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
      failure_reasons: columns.failureReasons,
      ...(this.repeats.has(modelId) ? { repeats: this.repeats.get(modelId)!.summary() } : {}),
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
      // Per-item means of repeated samples are not 0/1: paired tests for continuous scores over items.
      const binary = metric.binary && this.repeats.size === 0;
      return { metric, result: comparePaired(a, b, { binary, seed: this.seed, higherIsBetter: metric.higherIsBetter }) };
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
