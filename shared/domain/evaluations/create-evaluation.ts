import { createHash } from 'node:crypto';
import { ConflictError, ServiceUnavailableError, UnprocessableEntityError } from '../errors.js';
import { newId } from '../../platform/ids.js';
import { logger } from '../../platform/logger.js';
import { startMessage } from '../../contracts/messages.js';
import { isKnownMetricName, metricNames } from '../../contracts/metrics/metric-names.js';
import { MetricResolutionError, resolveMetrics } from '../metrics/registry.js';
import type { ResolvedMetric } from '../metrics/types.js';
import type { WorkQueue } from '../ports/work-queue.js';
import { BenchmarkVersionChangedError, type CreateOutcome, type EvaluationStore } from '../ports/evaluation-store.js';
import { isoNow } from '../../platform/time.js';
import type { Benchmark } from '../../contracts/benchmarks/schemas.js';
import type { CredentialCheck } from '../ports/credential-check.js';
import { resolveEvaluationModels } from '../models/model-service.js';
import type { Model } from '../../contracts/models/schemas.js';
import { resolveJudges, type JudgeResolutionDeps, type MetricPath, type ResolvedJudges } from './judge-resolution.js';
import { checkBudgetPricing } from './budget-pricing.js';
import type { CreateEvaluationRequest, CreateEvaluationResponse, Evaluation } from '../../contracts/evaluations/schemas.js';
import { createUnderQuotas, type QuotaDeps } from '../tenants/admission.js';
import { DEFAULT_CACHE_MODE } from '../evaluator/response-cache.js';

export const CREATED_MESSAGE = 'Evaluation created successfully and queued for execution';

export interface CreateEvaluationDeps {
  evaluations: Pick<EvaluationStore, 'create' | 'failToQueue'> & Partial<Pick<EvaluationStore, 'previousCreate'>>;
  benchmarks: { get(tenantId: string, benchmarkId: string): Promise<Benchmark | undefined> };
  models: JudgeResolutionDeps['models'];
  credentials: CredentialCheck;
  queue: WorkQueue;
  /** The deployment's default judge model (`ARBITER_DEFAULT_JUDGE_MODEL`). */
  defaultJudgeModelId?: string;
  /** The tenant's quotas and default budget; without them a create is bounded by nothing of the tenant's. */
  quotas?: QuotaDeps;
}

export interface CreateEvaluationResult {
  response: CreateEvaluationResponse;
  /** False when an `Idempotency-Key` replayed an earlier create. */
  created: boolean;
}

export function checkMetricNames(request: CreateEvaluationRequest): void {
  const unknown = (request.custom_metrics ?? [])
    .map((metric, index) => ({ index, name: typeof metric === 'string' ? metric : undefined }))
    .filter((metric) => metric.name !== undefined && !isKnownMetricName(metric.name));
  if (unknown.length > 0) {
    throw new UnprocessableEntityError(
      'unknown_metric',
      `Unknown metric ${unknown.map((m) => m.name).join(', ')}; known metrics: ${metricNames.join(', ')}`,
      unknown.map((m) => ({ path: `custom_metrics.${m.index}`, message: `unknown metric ${m.name}` })),
    );
  }
}

/** The request's candidate models with the field each came from, for the 422's path. */
export function candidateRefs(request: CreateEvaluationRequest): { path: string; id: string }[] {
  return [{ path: 'model_id', id: request.model_id }, ...(request.model_id_2 ? [{ path: 'model_id_2', id: request.model_id_2 }] : [])];
}

function fingerprint(request: object): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/**
 * Records a pending evaluation and queues its one start message; the long work happens in the evaluator.
 * A record whose message could not be queued is marked failed at once, so it never waits forever.
 */
export async function createEvaluation(
  deps: CreateEvaluationDeps,
  tenantId: string,
  request: CreateEvaluationRequest,
  idempotencyKey?: string,
): Promise<CreateEvaluationResult> {
  checkMetricNames(request);
  // The benchmark is read while the models resolve: independent reads, so a create waits for one round
  // trip fewer. A model error still answers first; the read's own failure is reported where it is awaited.
  const benchmarkRead = deps.benchmarks.get(tenantId, request.benchmark_id);
  benchmarkRead.catch(() => undefined);
  const models = await resolveEvaluationModels(deps.models, deps.credentials, tenantId, candidateRefs(request));
  for (let attempt = 1; ; attempt += 1) {
    try {
      // A retry reads the benchmark again: the version it pins has moved on.
      const benchmark = await (attempt === 1 ? benchmarkRead : deps.benchmarks.get(tenantId, request.benchmark_id));
      return await createPinned(deps, tenantId, request, models, benchmark, idempotencyKey);
    } catch (error) {
      // An append committed between reading the benchmark and pinning it: read it again.
      if (!(error instanceof BenchmarkVersionChangedError) || attempt >= 3) throw error;
    }
  }
}

/** What create resolves against the benchmark it read: the metrics, their judges, and the checks that answer 422. */
export interface ResolvedAgainstBenchmark {
  benchmark: Benchmark;
  metrics: ResolvedMetric[];
  judges: ResolvedJudges;
  /** Where the request names each metric, for errors found after resolution (a tenant default budget's pricing). */
  pathOf: MetricPath;
}

/**
 * Create's checks of the benchmark, metrics and judges, without writing anything: the estimate route
 * (estimate-evaluation.ts) answers the same 422s as create by calling this too.
 */
export async function resolveAgainstBenchmark(
  deps: JudgeResolutionDeps,
  tenantId: string,
  request: CreateEvaluationRequest,
  models: readonly Model[],
  benchmark: Benchmark | undefined,
): Promise<ResolvedAgainstBenchmark> {
  if (!benchmark) {
    throw new UnprocessableEntityError(
      'unknown_benchmark',
      `Unknown benchmark ${request.benchmark_id}: create it with POST /api/v3/benchmarks, or list yours with GET /api/v3/benchmarks`,
      [{ path: 'benchmark_id', message: 'no benchmark with this id in your library' }],
    );
  }
  const pathOf = (name: string) => {
    const index = (request.custom_metrics ?? []).findIndex((metric) => (typeof metric === 'string' ? metric : metric.name) === name);
    return index >= 0 ? `custom_metrics.${index}` : 'benchmark_id';
  };
  let metrics: ResolvedMetric[];
  try {
    // Compiles configured metrics (regexes, JSON Schemas) now, so a bad one answers 422 instead of failing later.
    metrics = resolveMetrics(request.custom_metrics, { benchmarkDefaults: benchmark.default_metrics, taskType: benchmark.task_type });
  } catch (error) {
    if (!(error instanceof MetricResolutionError)) throw error;
    const path = pathOf(error.metric);
    // A configuration object's own field when the error names one (`custom_metrics.0.pattern`).
    throw new UnprocessableEntityError(error.code, error.message, [
      { path: error.field && path !== 'benchmark_id' ? `${path}.${error.field}` : path, message: error.message },
    ]);
  }
  const pairwise = metrics.find((metric) => metric.kind === 'pairwise');
  if (pairwise && !request.model_id_2) {
    throw new UnprocessableEntityError(
      'invalid_metric_config',
      `${pairwise.name} compares two models' answers: give model_id_2 (comparison mode), or leave it out`,
      [{ path: pathOf(pairwise.name), message: 'needs comparison mode (model_id_2)' }],
    );
  }
  checkToolSupport(benchmark, models);
  const judges: ResolvedJudges = await resolveJudges(deps, tenantId, metrics, pathOf);
  checkBudgetPricing(request.budget_usd, budgetCandidates(models), judges, pathOf);
  if (benchmark.item_count === 0) {
    throw new UnprocessableEntityError(
      'empty_benchmark',
      `Benchmark ${benchmark.benchmark_id} has no items yet: append some with POST /api/v3/benchmarks/${benchmark.benchmark_id}/items`,
      [{ path: 'benchmark_id', message: 'the benchmark has no items' }],
    );
  }
  return { benchmark, metrics, judges, pathOf };
}

/** Providers that can be sent tool definitions and answer with tool calls. */
const toolProviders: ReadonlySet<Model['provider']> = new Set(['openai', 'openai_compatible', 'anthropic', 'bedrock']);

/**
 * A benchmark with tools evaluated on a model that cannot be offered them would score every item as "no
 * call": refused up front instead of reported as a model that never calls tools.
 */
function checkToolSupport(benchmark: Benchmark, models: readonly Model[]): void {
  if (!benchmark.tools) return;
  models.forEach((model, index) => {
    if (toolProviders.has(model.provider)) return;
    const path = index === 0 ? 'model_id' : 'model_id_2';
    throw new UnprocessableEntityError(
      'tools_not_supported',
      `Benchmark ${benchmark.benchmark_id} offers tools, and model ${model.model_id} (provider ${model.provider}) cannot be sent them`,
      [{ path, message: `provider ${model.provider} does not support tool calls` }],
    );
  });
}

function budgetCandidates(models: readonly Model[]): { path: string; model: Model }[] {
  return models.map((model, index) => ({ path: index === 0 ? 'model_id' : 'model_id_2', model }));
}

/**
 * Writes the evaluation, pinned to the benchmark version it read, and queues its start. `source`: a
 * rescore, which covers the source's items, reuses its answers and so prices no candidate call.
 */
export async function createPinned(
  deps: CreateEvaluationDeps,
  tenantId: string,
  request: CreateEvaluationRequest,
  models: Model[],
  found: Benchmark | undefined,
  idempotencyKey?: string,
  source?: Evaluation,
): Promise<CreateEvaluationResult> {
  const pricedModels = source ? [] : models;
  const { benchmark, judges, pathOf } = await resolveAgainstBenchmark(deps, tenantId, request, pricedModels, found);
  const budgetUsd = request.budget_usd;
  // A rescore covers exactly its source's items (appends since then are not part of it).
  const totalItems = source ? source.progress.total_items : benchmark.item_count;
  // A rescore samples exactly as its source did: its rows are the source's samples.
  const repeats = source ? source.repeats : request.repeats;

  const now = isoNow();
  const evaluation: Evaluation = {
    evaluation_id: newId('eval'),
    tenant_id: tenantId,
    model_id: request.model_id,
    model_id_2: request.model_id_2,
    benchmark_id: request.benchmark_id,
    benchmark_version: benchmark.version,
    benchmark_content_hash: source ? source.benchmark_content_hash : benchmark.content_hash,
    custom_metrics: request.custom_metrics,
    ...(source ? { source_evaluation_id: source.evaluation_id } : {}),
    ...(request.tags ? { tags: request.tags } : {}),
    ...(budgetUsd !== undefined ? { budget_usd: budgetUsd } : {}),
    cache_mode: request.cache ?? DEFAULT_CACHE_MODE,
    models,
    ...(judges.judge_models.length > 0 ? judges : {}),
    status: 'pending',
    created_at: now,
    updated_at: now,
    ...(repeats !== undefined && repeats > 1 ? { repeats } : {}),
    progress: {
      total_items: totalItems,
      ...(repeats !== undefined && repeats > 1
        ? { total_samples: source ? (source.progress.total_samples ?? totalItems * repeats) : totalItems * repeats }
        : {}),
      completed_items: 0,
      failed_items: 0,
    },
    model_progress: Object.fromEntries(models.map((model) => [model.model_id, { scored: 0, failed: 0 }])),
  };
  const response: CreateEvaluationResponse = {
    evaluation_id: evaluation.evaluation_id,
    model_id: evaluation.model_id,
    ...(evaluation.model_id_2 ? { model_id_2: evaluation.model_id_2 } : {}),
    status: 'pending',
    benchmark_id: evaluation.benchmark_id,
    created_at: evaluation.created_at,
    message: CREATED_MESSAGE,
  };

  const fingerprinted = source ? { ...request, rescore_of: source.evaluation_id } : request;
  const idempotency = idempotencyKey ? { key: idempotencyKey, fingerprint: fingerprint(fingerprinted), response } : undefined;
  const outcome = await createUnderQuotas<CreateOutcome>(
    deps.quotas,
    tenantId,
    totalItems,
    (admission) => {
      const defaultBudget = admission?.settings.default_budget_usd;
      if (evaluation.budget_usd === undefined && defaultBudget !== undefined) {
        // The tenant's default holds like a request's budget, so it needs the same prices (422 before any write).
        checkBudgetPricing(defaultBudget, budgetCandidates(pricedModels), judges, pathOf, 'tenant_default');
        evaluation.budget_usd = defaultBudget;
      }
      return deps.evaluations.create(evaluation, idempotency, {
        alreadyPinned: benchmark.pinned_version === benchmark.version,
        activeGuardVersion: admission?.activeGuardVersion,
      });
    },
    // A retry of a create that went through answers its first response, though its evaluation may now fill the quota.
    idempotency && deps.evaluations.previousCreate
      ? async () => {
          const previous = await deps.evaluations.previousCreate?.(tenantId, idempotency.key);
          return previous && { created: false, previous };
        }
      : undefined,
  );
  if (!outcome.created) {
    if (outcome.previous.fingerprint !== idempotency?.fingerprint) {
      throw new ConflictError('This Idempotency-Key was already used with a different request body', 'idempotency_key_reused');
    }
    return { response: outcome.previous.response, created: false };
  }

  try {
    await deps.queue.send(startMessage(tenantId, evaluation.evaluation_id));
  } catch (error) {
    logger.error('could not queue the start message; marking the evaluation failed', {
      evaluation_id: evaluation.evaluation_id,
      error: error as Error,
    });
    await deps.evaluations.failToQueue(
      evaluation,
      { code: 'queue_unavailable', message: 'The evaluation could not be queued; nothing was run. Retry the request.' },
      idempotencyKey,
    );
    throw new ServiceUnavailableError('The evaluation could not be queued; nothing was run. Retry the request.');
  }
  logger.info('evaluation created', { evaluation_id: evaluation.evaluation_id, benchmark_id: evaluation.benchmark_id });
  return { response, created: true };
}
