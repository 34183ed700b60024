import type { ComparedItem, Comparison, CreateComparisonRequest } from '../../contracts/comparisons/schemas.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import { isKnownMetricName } from '../../contracts/metrics/metric-names.js';
import { NotFoundError, UnprocessableEntityError } from '../errors.js';
import { resolveMetrics } from '../metrics/registry.js';
import type { ComparisonStore } from '../ports/comparison-store.js';
import type { EvaluationStore } from '../ports/evaluation-store.js';
import { newId } from '../../platform/ids.js';
import { isoNow } from '../../platform/time.js';
import { seedFor } from '../evaluator/aggregate-results.js';
import { comparePaired, holmAdjust, nonInferiority, verdict } from '../stats/index.js';
import { nearlyEqual } from '../stats/ranks.js';
import { checkBaselineUsable, resolveBaseline } from './baseline.js';

export interface ComparisonDeps {
  evaluations: Pick<EvaluationStore, 'get' | 'findLatestTagged' | 'allScores'>;
  comparisons: ComparisonStore;
}

interface MetricTraits {
  binary: boolean;
  higherIsBetter: boolean;
}

/** A metric's direction and kind as the candidate ran it: a configured metric keeps its configuration's traits. */
function traitsOf(evaluation: Evaluation, name: string): MetricTraits {
  const configured = (evaluation.custom_metrics ?? []).find((metric) => typeof metric !== 'string' && metric.name === name);
  if (configured || isKnownMetricName(name)) {
    try {
      const [metric] = resolveMetrics([configured ?? name], { taskType: 'free_text' });
      if (metric) return { binary: metric.binary, higherIsBetter: metric.higherIsBetter };
    } catch {
      // A configuration that no longer compiles still has scores; they are compared as graded, higher better.
    }
  }
  return { binary: false, higherIsBetter: true };
}

async function finishedEvaluation(deps: ComparisonDeps, tenantId: string, evaluationId: string, path: string): Promise<Evaluation> {
  const evaluation = await deps.evaluations.get(tenantId, evaluationId);
  if (!evaluation) throw new NotFoundError('evaluation', evaluationId, path);
  checkBaselineUsable(evaluation, path);
  return evaluation;
}

function sideModel(evaluation: Evaluation, requested: string | undefined): string {
  if (!requested) return evaluation.model_id;
  if (evaluation.model_id !== requested && evaluation.model_id_2 !== requested) {
    throw new UnprocessableEntityError('unknown_model', `Evaluation ${evaluation.evaluation_id} did not evaluate ${requested}`, [
      { path: 'model_id', message: `not a model of ${evaluation.evaluation_id}` },
    ]);
  }
  return requested;
}

function metricsOf(evaluation: Evaluation, modelId: string): string[] {
  return Object.keys(evaluation.results?.models.find((model) => model.model_id === modelId)?.metrics ?? {});
}

type Scores = Record<string, number | null>;

/** One model's scores per item id, read page by page (only the projected scores, never the answers). */
async function scoresById(deps: ComparisonDeps, tenantId: string, evaluation: Evaluation, modelId: string, metrics: readonly string[]) {
  const byId = new Map<string, { position: number; scores: Scores }>();
  const shape = { modelIds: [modelId], judgedMetrics: [], pairwiseMetrics: [] };
  for await (const page of deps.evaluations.allScores(tenantId, evaluation.evaluation_id, shape)) {
    for (const row of page) {
      if (row.item_id === undefined) continue;
      const output = row.outputs[modelId];
      const scores: Scores = {};
      for (const metric of metrics) {
        const value = output?.status === 'scored' ? output.scores[metric] : undefined;
        scores[metric] = typeof value === 'number' && Number.isFinite(value) ? value : null;
      }
      byId.set(row.item_id, { position: row.position, scores });
    }
  }
  return byId;
}

const verdictWord = { 'model_2 better': 'improved', 'model_1 better': 'regressed', 'no significant difference': 'no_difference' } as const;

/**
 * Compares two finished evaluations of the caller's, item by item: per metric the paired difference
 * (candidate − baseline), its interval and test as the in-evaluation comparison computes them, Holm
 * across the metrics, a verdict, and the non-inferiority test where a margin is given. Stored, with the
 * items that changed, before it is answered.
 */
export async function createComparison(deps: ComparisonDeps, tenantId: string, request: CreateComparisonRequest): Promise<Comparison> {
  const candidate = await finishedEvaluation(deps, tenantId, request.candidate_evaluation_id, 'candidate_evaluation_id');
  const baseline = request.baseline_evaluation_id
    ? await finishedEvaluation(deps, tenantId, request.baseline_evaluation_id, 'baseline_evaluation_id')
    : await resolveBaseline(deps.evaluations, tenantId, request.baseline ?? '', candidate);
  const sameContent = baseline.benchmark_content_hash === candidate.benchmark_content_hash;
  if (!sameContent && !request.item_ids) {
    throw new UnprocessableEntityError(
      'benchmark_mismatch',
      `The evaluations ran different benchmark content (${baseline.benchmark_id} v${baseline.benchmark_version} and ${candidate.benchmark_id} v${candidate.benchmark_version}); name the items to compare in item_ids`,
      [{ path: 'candidate_evaluation_id', message: 'its benchmark content differs from the baseline’s' }],
    );
  }
  const baselineModel = sideModel(baseline, request.model_id);
  const candidateModel = sideModel(candidate, request.model_id);
  const available = new Set(metricsOf(baseline, baselineModel).filter((name) => metricsOf(candidate, candidateModel).includes(name)));
  const metrics = request.metrics ?? [...available];
  const missing = metrics.map((name, index) => ({ name, index })).filter(({ name }) => !available.has(name));
  if (missing.length > 0) {
    throw new UnprocessableEntityError(
      'unknown_metric',
      `Not scored by both evaluations: ${missing.map((m) => m.name).join(', ')}; both have: ${[...available].join(', ') || 'none'}`,
      missing.map(({ index, name }) => ({ path: `metrics.${index}`, message: `${name} is not scored by both evaluations` })),
    );
  }
  const unknownMargin = Object.keys(request.margin ?? {}).filter((name) => !metrics.includes(name));
  if (unknownMargin.length > 0) {
    throw new UnprocessableEntityError(
      'unknown_metric',
      `A margin names a metric that is not compared: ${unknownMargin.join(', ')}`,
      unknownMargin.map((name) => ({ path: `margin.${name}`, message: 'not a compared metric' })),
    );
  }

  const [base, cand] = await Promise.all([
    scoresById(deps, tenantId, baseline, baselineModel, metrics),
    scoresById(deps, tenantId, candidate, candidateModel, metrics),
  ]);
  const wanted = request.item_ids ? new Set(request.item_ids) : undefined;
  const aligned: { itemId: string; position: number; base: Scores; cand: Scores }[] = [];
  for (const [itemId, row] of cand) {
    const other = base.get(itemId);
    if (other && (!wanted || wanted.has(itemId))) aligned.push({ itemId, position: row.position, base: other.scores, cand: row.scores });
  }
  aligned.sort((a, b) => a.position - b.position);
  const inBoth = [...cand.keys()].filter((id) => base.has(id)).length;

  const seed = seedFor(`${baseline.evaluation_id}/${candidate.evaluation_id}`);
  const traits = Object.fromEntries(metrics.map((name) => [name, traitsOf(candidate, name)]));
  const compared = metrics.map((name) => {
    const { binary, higherIsBetter } = traits[name]!;
    const a = aligned.map((item) => item.base[name] ?? null);
    const b = aligned.map((item) => item.cand[name] ?? null);
    return { name, higherIsBetter, a, b, result: comparePaired(a, b, { binary, seed, higherIsBetter }) };
  });
  const adjusted = holmAdjust(compared.map(({ result }) => result.p_value));
  const meanOf = (values: (number | null)[]) => {
    const present = values.filter((value): value is number => value !== null);
    return present.length === 0 ? null : present.reduce((sum, value) => sum + value, 0) / present.length;
  };

  const changed: ComparedItem[] = [];
  let regressedItems = 0;
  let improvedItems = 0;
  for (const item of aligned) {
    const scores: ComparedItem['scores'] = {};
    let regressed = false;
    let improved = false;
    for (const { name, higherIsBetter } of compared) {
      const before = item.base[name];
      const after = item.cand[name];
      if (before === null || before === undefined || after === null || after === undefined) continue;
      const change = nearlyEqual(after, before) ? 'same' : after > before === higherIsBetter ? 'improved' : 'regressed';
      regressed ||= change === 'regressed';
      improved ||= change === 'improved';
      scores[name] = { baseline: before, candidate: after, change };
    }
    if (regressed) regressedItems += 1;
    if (improved) improvedItems += 1;
    if (regressed || improved) changed.push({ item_id: item.itemId, position: item.position, scores });
  }

  const comparison: Comparison = {
    comparison_id: newId('cmp'),
    created_at: isoNow(),
    baseline_evaluation_id: baseline.evaluation_id,
    candidate_evaluation_id: candidate.evaluation_id,
    baseline_model_id: baselineModel,
    candidate_model_id: candidateModel,
    benchmark_id: baseline.benchmark_id,
    candidate_benchmark_id: candidate.benchmark_id,
    same_content: sameContent,
    aligned_items: aligned.length,
    baseline_only_items: base.size - inBoth,
    candidate_only_items: cand.size - inBoth,
    regressed_items: regressedItems,
    improved_items: improvedItems,
    metrics: Object.fromEntries(
      compared.map(({ name, higherIsBetter, a, b, result }, index) => {
        const margin = request.margin?.[name];
        const differences: number[] = [];
        for (let i = 0; i < a.length; i++) {
          const x = a[i];
          const y = b[i];
          if (x !== null && x !== undefined && y !== null && y !== undefined) differences.push(y - x);
        }
        const ni = margin === undefined ? undefined : nonInferiority(differences, margin, higherIsBetter);
        return [
          name,
          {
            higher_is_better: higherIsBetter,
            baseline_mean: meanOf(a),
            candidate_mean: meanOf(b),
            difference: result.difference,
            ci95: result.ci95,
            ci_method: result.ci_method,
            p_value: result.p_value,
            p_value_holm: adjusted[index] ?? null,
            test: result.test,
            verdict: verdictWord[verdict(result, adjusted[index] ?? null)],
            n: result.n,
            n_excluded: result.n_excluded,
            improved: result.wins,
            ties: result.ties,
            regressed: result.losses,
            ...(ni
              ? {
                  non_inferiority: { margin: ni.margin, test: ni.test, t: ni.t, p_value: ni.p_value, bound: ni.bound, non_inferior: ni.non_inferior },
                }
              : {}),
          },
        ];
      }),
    ),
  };
  await deps.comparisons.put(tenantId, comparison, changed);
  return comparison;
}

export async function getComparison(store: Pick<ComparisonStore, 'get'>, tenantId: string, comparisonId: string): Promise<Comparison> {
  const comparison = await store.get(tenantId, comparisonId);
  if (!comparison) throw new NotFoundError('comparison', comparisonId, 'comparison_id');
  return comparison;
}

/** The items that regressed or improved on at least one compared metric, in candidate order. */
export async function listComparedItems(
  store: Pick<ComparisonStore, 'get' | 'listItems'>,
  tenantId: string,
  comparisonId: string,
  query: { change: 'regressed' | 'improved'; limit: number; cursor?: string },
) {
  await getComparison(store, tenantId, comparisonId);
  return store.listItems(tenantId, comparisonId, query.change, { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
}
