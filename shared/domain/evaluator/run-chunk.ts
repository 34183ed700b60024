import type { BenchmarkItem } from '../../contracts/benchmarks/schemas.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import { callCost, type ItemResult, type ModelOutput } from '../../contracts/evaluations/result-types.js';
import { logger } from '../../platform/logger.js';
import type { ChunkMessage } from '../../contracts/messages.js';
import { MetricName } from '../../platform/metric-names.js';
import { countMetric } from '../../platform/metrics.js';
import type { ScoreInput } from '../metrics/types.js';
import type { Model } from '../../contracts/models/schemas.js';
import { ProviderError } from '../ports/model-client.js';
import type { ChunkTally } from '../../adapters/dynamodb/evaluation-store.js';
import { boundAnswer } from './bounded-answer.js';
import { limiterFor } from './concurrency.js';
import { judgeAnswer, judgePair, judgePlan } from './judging.js';
import { evaluationMetrics } from './metric-scorer.js';
import type { EvaluatorDeps } from './deps.js';
import { finalizeIfComplete } from './finalize.js';
import { renderPrompt } from './render-prompt.js';
import type { Scorer } from './scoring.js';

/** Results are written this many items at a time, so a chunk cut short resumes from what it had done. */
const FLUSH_EVERY = 25;
/** How often a running chunk re-reads the evaluation to notice a cancel. */
const CANCEL_CHECK_MS = 2000;
/** No new model call starts with less invocation time than this left. */
const START_CALLS_UNTIL_MS = 20_000;
/** Calls still in flight this close to the invocation's timeout are abandoned, leaving time to write. */
const STOP_CALLS_AT_MS = 10_000;

/** Raised when the invocation is about to time out: the message is retried and resumes from stored results. */
export class ChunkOutOfTimeError extends Error {
  constructor(chunk: number) {
    super(`Chunk ${chunk} ran out of invocation time; it will resume from its stored results`);
    this.name = 'ChunkOutOfTimeError';
  }
}

function isFinished(result: ItemResult | undefined, models: readonly Model[]): boolean {
  return result !== undefined && models.every((model) => result.outputs[model.model_id] !== undefined);
}

function tallyOf(results: Iterable<ItemResult>, models: readonly Model[], outcome: ChunkTally['outcome']): ChunkTally {
  const tally: ChunkTally = {
    outcome,
    completed_items: 0,
    failed_items: 0,
    models: Object.fromEntries(models.map((model) => [model.model_id, { scored: 0, failed: 0 }])),
  };
  for (const result of results) {
    const outputs = models.map((model) => result.outputs[model.model_id]);
    if (outputs.some((output) => output === undefined)) continue;
    if (outputs.every((output) => output?.status === 'scored')) tally.completed_items += 1;
    else tally.failed_items += 1;
    models.forEach((model, index) => {
      const counts = tally.models[model.model_id]!;
      if (outputs[index]?.status === 'scored') counts.scored += 1;
      else counts.failed += 1;
    });
  }
  return tally;
}

function sampleOf(item: BenchmarkItem, output: string): ScoreInput {
  return { output, input: item.input, expected: item.expected, choices: item.choices, context: item.context, metadata: item.metadata };
}

/** One model's answer to one item; undefined when the call was abandoned because the evaluation was cancelled. */
async function answer(
  deps: EvaluatorDeps,
  model: Model,
  item: BenchmarkItem,
  prompt: string,
  scorer: Scorer,
  signal: AbortSignal,
): Promise<ModelOutput | undefined> {
  try {
    const result = await deps.clientFor(model).generate({
      prompt,
      parameters: model.parameters,
      timeoutMs: model.timeout_ms,
      signal,
      reference: { expected: item.expected, choices: item.choices },
    });
    const bounded = boundAnswer(result);
    const cost = callCost(model, bounded.usage);
    return {
      status: 'scored',
      ...bounded,
      scores: scorer.score({ item, output: bounded.output, latency_ms: result.latency_ms, output_tokens: bounded.usage.output_tokens, cost_usd: cost }),
      latency_ms: result.latency_ms,
      cost_usd: cost,
      finish_reason: result.finish_reason,
      attempts: result.attempts,
    };
  } catch (error) {
    if (signal.aborted) return undefined;
    // A provider that kept failing fails this item only; anything else is a fault of ours: retry the chunk.
    if (!(error instanceof ProviderError)) throw error;
    return { status: 'failed', scores: {}, error: error.toJSON(), attempts: error.attempts };
  }
}

/**
 * Runs one chunk: every item of its range for every model, with each model's concurrency limit; writes
 * results as they complete; then counts the chunk exactly once and finalizes if it was the last.
 */
export async function runChunk(deps: EvaluatorDeps, message: ChunkMessage, remainingMs: () => number): Promise<void> {
  const { tenant_id: tenantId, evaluation_id: evaluationId } = message;
  const evaluation = await deps.evaluations.getConsistent(tenantId, evaluationId);
  if (!evaluation || evaluation.status === 'completed' || evaluation.status === 'failed') {
    logger.info('chunk skipped: evaluation finished or gone', { evaluation_id: evaluationId, chunk: message.chunk });
    return;
  }
  if (evaluation.status === 'cancelled') {
    await completeChunk(deps, evaluation, message, tallyOf([], evaluation.models, 'cancelled'));
    return;
  }

  const benchmark = await deps.benchmarks.get(tenantId, evaluation.benchmark_id);
  // Only the pinned items: positions past the pinned count were appended after the evaluation was created.
  const count = Math.min(message.count, evaluation.progress.total_items - message.first_position);
  const items = benchmark ? await deps.benchmarks.readRange(tenantId, evaluation.benchmark_id, message.first_position, count) : [];
  const stored = await deps.evaluations.getResults(tenantId, evaluationId, message.first_position, count);
  const scorer = benchmark ? deps.scorerFor(evaluation, benchmark) : undefined;
  const judging = benchmark ? judgePlan(evaluation, evaluationMetrics(evaluation, benchmark)) : { judged: [], pairwise: [] };

  const results = new Map(stored);
  let pending: ItemResult[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    if (batch.length > 0) await deps.evaluations.putResults(tenantId, evaluationId, batch);
  };

  const abort = new AbortController();
  let cancelled = false;
  let lastCheck = Date.now();
  const stillWanted = async (): Promise<boolean> => {
    if (cancelled) return false;
    if (remainingMs() < START_CALLS_UNTIL_MS) return false;
    if (Date.now() - lastCheck > CANCEL_CHECK_MS) {
      lastCheck = Date.now();
      const current = await deps.evaluations.getConsistent(tenantId, evaluationId);
      if (current?.status === 'cancelled') {
        cancelled = true;
        abort.abort();
      }
    }
    return !cancelled;
  };

  // Calls in flight stop too when the invocation is about to time out, not only new ones: a provider that
  // hangs would otherwise hold the chunk past the function's timeout, and the whole batch would be retried
  // with this chunk's unwritten answers lost. What was answered is written; the rest resumes on redelivery.
  let outOfTime = false;
  const stopInMs = remainingMs() - STOP_CALLS_AT_MS;
  const stopTimer = Number.isFinite(stopInMs)
    ? setTimeout(() => {
        outOfTime = true;
        abort.abort(new ChunkOutOfTimeError(message.chunk));
      }, Math.max(0, stopInMs))
    : undefined;

  const todo = items.filter((item) => !isFinished(results.get(item.position), evaluation.models));
  await Promise.all(
    todo.map(async (item) => {
      const prompt = renderPrompt(benchmark!.prompt_template, item, benchmark!.task_type);
      const previous = results.get(item.position);
      const outputs: Record<string, ModelOutput> = { ...previous?.outputs };
      await Promise.all(
        evaluation.models
          .filter((model) => outputs[model.model_id] === undefined)
          .map(async (model) => {
            const output = await limiterFor(model.model_id, model.max_concurrency)(async () => {
              if (!(await stillWanted())) return undefined;
              return answer(deps, model, item, prompt, scorer!, abort.signal);
            });
            // Judged outside the candidate's limiter slot: a judge that is also a candidate shares its
            // limiter, and waiting on it while holding a slot could deadlock.
            if (output?.status === 'scored' && judging.judged.length > 0) {
              const judgements = await judgeAnswer(deps, judging, sampleOf(item, output.output ?? ''), abort.signal);
              for (const [name, judgement] of Object.entries(judgements)) output.scores[name] = judgement.score;
              output.judgements = judgements;
            }
            if (output) outputs[model.model_id] = output;
          }),
      );
      const result: ItemResult = {
        item_id: item.item_id,
        position: item.position,
        input: item.input,
        expected: item.expected,
        choices: item.choices,
        outputs,
        ...(previous?.pairwise ? { pairwise: previous.pairwise } : {}),
      };
      const [first, second] = evaluation.models.map((model) => outputs[model.model_id]);
      if (evaluation.model_id_2 && judging.pairwise.length > 0 && !result.pairwise && first?.status === 'scored' && second?.status === 'scored') {
        result.pairwise = await judgePair(deps, judging, item, { model_1: first.output ?? '', model_2: second.output ?? '' }, abort.signal);
      }
      // An item still working when time ran out may hold judgements cut short as if cancelled: redo it.
      if (Object.keys(outputs).length === 0 || outOfTime) return;
      results.set(item.position, result);
      pending.push(result);
      if (pending.length >= FLUSH_EVERY) await flush();
    }),
  ).finally(() => clearTimeout(stopTimer));
  await flush();

  if (cancelled) {
    logger.info('chunk stopped: evaluation cancelled', { evaluation_id: evaluationId, chunk: message.chunk });
    await completeChunk(deps, evaluation, message, tallyOf(results.values(), evaluation.models, 'cancelled'));
    return;
  }
  if (!benchmark) {
    await failMissingItems(deps, evaluation, message, results, 'benchmark_deleted', 'The benchmark was deleted before this chunk ran');
    return;
  }
  if ([...Array(count).keys()].some((offset) => !isFinished(results.get(message.first_position + offset), evaluation.models))) {
    throw new ChunkOutOfTimeError(message.chunk);
  }
  await completeChunk(deps, evaluation, message, tallyOf(results.values(), evaluation.models, 'done'));
}

async function completeChunk(deps: EvaluatorDeps, evaluation: Evaluation, message: ChunkMessage, tally: ChunkTally): Promise<void> {
  const counted = await deps.evaluations.recordChunk(evaluation.tenant_id, evaluation.evaluation_id, message.chunk, tally);
  // Only when counted: a redelivered chunk's items were measured by the delivery that counted it.
  if (counted) {
    countMetric(MetricName.ItemsEvaluated, tally.completed_items + tally.failed_items);
    countMetric(MetricName.ItemsFailed, tally.failed_items);
  }
  logger.info(counted ? 'chunk counted' : 'chunk already counted (duplicate delivery)', {
    evaluation_id: evaluation.evaluation_id,
    chunk: message.chunk,
    outcome: tally.outcome,
    completed_items: tally.completed_items,
    failed_items: tally.failed_items,
  });
  // Also on a duplicate: the first delivery may have counted the chunk and died before finalizing.
  await finalizeIfComplete(deps, evaluation.tenant_id, evaluation.evaluation_id);
}

/**
 * Marks every unanswered item × model of the chunk failed with `reason` and counts the chunk: used when
 * the chunk cannot run (its benchmark is gone, or its message was dead-lettered), so nothing hangs.
 */
export async function failMissingItems(
  deps: Pick<EvaluatorDeps, 'evaluations' | 'benchmarks' | 'queue' | 'scorerFor' | 'clientFor'>,
  evaluation: Evaluation,
  message: ChunkMessage,
  known: Map<number, ItemResult> | undefined,
  code: string,
  reason: string,
): Promise<void> {
  const { tenant_id: tenantId, evaluation_id: evaluationId } = evaluation;
  const count = Math.min(message.count, evaluation.progress.total_items - message.first_position);
  const results = known ?? (await deps.evaluations.getResults(tenantId, evaluationId, message.first_position, count));
  const items = await deps.benchmarks.readRange(tenantId, evaluation.benchmark_id, message.first_position, count);
  const byPosition = new Map(items.map((item) => [item.position, item]));
  const updated: ItemResult[] = [];
  for (let position = message.first_position; position < message.first_position + count; position += 1) {
    const previous = results.get(position);
    const item = byPosition.get(position);
    const outputs: Record<string, ModelOutput> = { ...previous?.outputs };
    for (const model of evaluation.models) {
      outputs[model.model_id] ??= { status: 'failed', scores: {}, error: { code, message: reason } };
    }
    const result: ItemResult = {
      item_id: previous?.item_id ?? item?.item_id ?? `position-${position}`,
      position,
      input: previous?.input ?? item?.input ?? '',
      expected: previous?.expected ?? item?.expected,
      choices: previous?.choices ?? item?.choices,
      outputs,
    };
    results.set(position, result);
    updated.push(result);
  }
  await deps.evaluations.putResults(tenantId, evaluationId, updated);
  await completeChunk(deps as EvaluatorDeps, evaluation, message, tallyOf(results.values(), evaluation.models, 'dead_lettered'));
}
