import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type {
  EvaluationResults,
  ItemResult,
  Judgement,
  JudgeSummary,
  MetricComparison,
  ModelResults,
  PairwiseJudgement,
  PairwiseSummary,
  TokenUsage,
} from '../../contracts/evaluations/result-types.js';
import { modelFamily } from '../models/model-family.js';
import { aggregate, comparePaired, holmAdjust, mcnemarExact, verdict } from '../stats/index.js';
import type { ScoredMetric } from './scoring.js';

/** Seeds are derived from the evaluation id, so a recomputation gives the same intervals. */
export function seedFor(evaluationId: string): number {
  let hash = 2166136261;
  for (const char of evaluationId) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

function modelResults(modelId: string, baseline: boolean, rows: readonly ItemResult[], metrics: readonly ScoredMetric[], seed: number): ModelResults {
  const outputs = rows.map((row) => row.outputs[modelId]);
  const scored = outputs.filter((output) => output?.status === 'scored');
  const failed = outputs.filter((output) => output?.status === 'failed');
  const failureReasons: Record<string, number> = {};
  for (const output of failed) {
    const code = output?.error?.code ?? 'unknown';
    failureReasons[code] = (failureReasons[code] ?? 0) + 1;
  }
  const latencies = scored.map((output) => output!.latency_ms ?? 0).sort((a, b) => a - b);
  const costs = scored.map((output) => output!.cost_usd);
  return {
    model_id: modelId,
    baseline,
    completed_items: scored.length,
    failed_items: failed.length,
    metrics: Object.fromEntries(
      metrics.map((metric) => [
        metric.name,
        // Failed items are excluded from the means, and counted as exclusions.
        aggregate(
          outputs.map((output) => (output?.status === 'scored' ? (output.scores[metric.name] ?? null) : null)),
          { binary: metric.binary, seed },
        ),
      ]),
    ),
    usage: {
      input_tokens: scored.reduce((sum, output) => sum + (output!.usage?.input_tokens ?? 0), 0),
      output_tokens: scored.reduce((sum, output) => sum + (output!.usage?.output_tokens ?? 0), 0),
    },
    cost_usd:
      costs.some((cost) => cost === undefined) && !costs.some((cost) => cost !== undefined)
        ? null
        : costs.reduce<number>((sum, cost) => sum + (cost ?? 0), 0),
    latency_ms: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    failure_reasons: failureReasons,
  };
}

function countBy(codes: Iterable<string | undefined>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) if (code) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

export type PairwiseStats = Omit<PairwiseSummary, 'p_value_adjusted' | 'verdict'>;

/**
 * A pairwise metric over the items: the mean of model 2's preference share with a bootstrap interval, the
 * flip rate, and an exact sign test of the items model 2 won against those it lost (ties and flips say
 * nothing about which is better). Items the judge failed on are excluded and counted.
 */
function pairwiseStats(name: string, rows: readonly ItemResult[], judgeModelId: string, seed: number): PairwiseStats {
  const judged = rows.map((row) => row.pairwise?.[name]).filter((judgement) => judgement !== undefined);
  const scored = judged.filter((judgement) => judgement.score !== null);
  const wins = scored.filter((judgement) => judgement.preferred === 'model_2').length;
  const losses = scored.filter((judgement) => judgement.preferred === 'model_1').length;
  return {
    preference: aggregate(
      rows.map((row) => row.pairwise?.[name]?.score ?? null),
      { binary: false, seed },
    ),
    flip_rate: scored.length === 0 ? null : scored.filter((judgement) => judgement.flipped).length / scored.length,
    wins,
    ties: scored.length - wins - losses,
    losses,
    p_value: scored.length === 0 ? null : mcnemarExact(losses, wins).p_value,
    judge_model_id: judged[0]?.judge_model_id ?? judgeModelId,
    template_id: judged[0]?.template_id ?? '',
    judge_failures: countBy(judged.map((judgement) => judgement.error?.code)),
  };
}

export function pairwiseVerdict(stats: PairwiseStats, adjusted: number | null): MetricComparison['verdict'] {
  if (adjusted === null || adjusted >= 0.05 || stats.wins === stats.losses) return 'no significant difference';
  return stats.wins > stats.losses ? 'model_2 better' : 'model_1 better';
}

type PairedResult = ReturnType<typeof comparePaired>;

/**
 * The comparison from each metric's paired test and each pairwise metric's statistics: one Holm family
 * (pairwise metrics are among the metrics asked for, so their tests join it), then each verdict. Shared
 * by the streamed finalize (result-columns.ts) and the row-based reference here.
 */
export function assembleComparison(
  modelA: string,
  modelB: string,
  compared: readonly { metric: ScoredMetric; result: PairedResult }[],
  pairwise: readonly { metric: ScoredMetric; stats: PairwiseStats }[],
): NonNullable<EvaluationResults['comparison']> {
  const adjusted = holmAdjust([...compared.map(({ result }) => result.p_value), ...pairwise.map(({ stats }) => stats.p_value)]);
  const entries = compared.map(({ metric, result }, index): [string, MetricComparison] => [
    metric.name,
    {
      ...result,
      p_value_adjusted: adjusted[index] ?? null,
      verdict: verdict(result, adjusted[index] ?? null, { higherIsBetter: metric.higherIsBetter }),
    },
  ]);
  const pairwiseEntries = pairwise.map(({ metric, stats }, index): [string, PairwiseSummary] => {
    const p = adjusted[compared.length + index] ?? null;
    return [metric.name, { ...stats, p_value_adjusted: p, verdict: pairwiseVerdict(stats, p) }];
  });
  return {
    model_id: modelA,
    model_id_2: modelB,
    metrics: Object.fromEntries(entries),
    ...(pairwiseEntries.length > 0 ? { pairwise: Object.fromEntries(pairwiseEntries) } : {}),
  };
}

function comparison(
  evaluation: Evaluation,
  modelA: string,
  modelB: string,
  rows: readonly ItemResult[],
  metrics: readonly ScoredMetric[],
  seed: number,
) {
  const compared = metrics
    .filter((metric) => metric.kind !== 'pairwise')
    .map((metric) => {
      const a: number[] = [];
      const b: number[] = [];
      for (const row of rows) {
        const left = row.outputs[modelA];
        const right = row.outputs[modelB];
        const x = left?.status === 'scored' ? left.scores[metric.name] : null;
        const y = right?.status === 'scored' ? right.scores[metric.name] : null;
        // Paired: only items both models answered and the metric applied to.
        if (typeof x === 'number' && typeof y === 'number') {
          a.push(x);
          b.push(y);
        }
      }
      return { metric, result: comparePaired(a, b, { binary: metric.binary, seed, higherIsBetter: metric.higherIsBetter }) };
    });
  const pairwise = metrics
    .filter((metric) => metric.kind === 'pairwise')
    .map((metric) => ({ metric, stats: pairwiseStats(metric.name, rows, evaluation.judges?.[metric.name] ?? '', seed) }));
  return assembleComparison(modelA, modelB, compared, pairwise);
}

/** What a metric's judge calls used and cost, summed over its judgements; the cost is null for a judge without pricing. */
function judgeSpend(
  judgements: readonly ({ usage?: TokenUsage; cost_usd?: number } | undefined)[],
  judge: Evaluation['models'][number] | undefined,
): Pick<JudgeSummary, 'usage' | 'cost_usd'> {
  const usage: TokenUsage = { input_tokens: 0, output_tokens: 0 };
  let cost = 0;
  for (const judgement of judgements) {
    usage.input_tokens += judgement?.usage?.input_tokens ?? 0;
    usage.output_tokens += judgement?.usage?.output_tokens ?? 0;
    cost += judgement?.cost_usd ?? 0;
  }
  return { usage, cost_usd: judge?.pricing ? cost : null };
}

/** Each judged metric's judge, its failures, what it spent, and whether it shares a family with a candidate. */
function judgeSummaries(
  evaluation: Evaluation,
  rows: readonly ItemResult[],
  metrics: readonly ScoredMetric[],
): Record<string, JudgeSummary> | undefined {
  const judged = metrics.filter((metric) => metric.kind !== 'computed' && evaluation.judges?.[metric.name]);
  if (judged.length === 0) return undefined;
  return Object.fromEntries(
    judged.map((metric) => {
      const judgeId = evaluation.judges![metric.name]!;
      const judge = evaluation.judge_models?.find((model) => model.model_id === judgeId);
      const family = judge ? modelFamily(judge) : undefined;
      const sameFamily = evaluation.models.filter((model) => family !== undefined && modelFamily(model) === family).map((model) => model.model_id);
      const judgements: readonly (Judgement | PairwiseJudgement | undefined)[] =
        metric.kind === 'pairwise'
          ? rows.map((row) => row.pairwise?.[metric.name])
          : rows.flatMap((row) => Object.values(row.outputs).map((output) => output.judgements?.[metric.name]));
      const errors = judgements.map((judgement) => judgement?.error?.code);
      const templateId =
        metric.kind === 'pairwise'
          ? rows.find((row) => row.pairwise?.[metric.name])?.pairwise?.[metric.name]?.template_id
          : rows.flatMap((row) => Object.values(row.outputs)).find((output) => output.judgements?.[metric.name])?.judgements?.[metric.name]
              ?.template_id;
      const summary: JudgeSummary = {
        judge_model_id: judgeId,
        template_id: templateId ?? '',
        judge_same_family: sameFamily.length > 0,
        same_family_models: sameFamily,
        judge_failures: countBy(errors),
        ...judgeSpend(judgements, judge),
      };
      return [metric.name, summary];
    }),
  );
}

/** Per-model aggregates and, in comparison mode, the paired comparison of model_id_2 against model_id. */
export function computeResults(evaluation: Evaluation, rows: readonly ItemResult[], metrics: readonly ScoredMetric[]): EvaluationResults {
  const seed = seedFor(evaluation.evaluation_id);
  // Pairwise metrics score pairs of answers, not one model's answers: they are reported with the comparison.
  const perModel = metrics.filter((metric) => metric.kind !== 'pairwise');
  const results: EvaluationResults = {
    models: evaluation.models.map((model) => modelResults(model.model_id, model.baseline, rows, perModel, seed)),
    seed,
  };
  if (evaluation.model_id_2) results.comparison = comparison(evaluation, evaluation.model_id, evaluation.model_id_2, rows, metrics, seed);
  const judges = judgeSummaries(evaluation, rows, metrics);
  if (judges) results.judges = judges;
  return results;
}
