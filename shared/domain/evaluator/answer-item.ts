import type { BenchmarkItem } from '../../contracts/benchmarks/schemas.js';
import { callCost, type ItemResult, type ModelOutput } from '../../contracts/evaluations/result-types.js';
import type { ScoreInput } from '../metrics/types.js';
import type { Model } from '../../contracts/models/schemas.js';
import { type GenerateRequest, ProviderError } from '../ports/model-client.js';
import type { CachedAnswer } from '../ports/response-cache.js';
import { logger } from '../../platform/logger.js';
import { cacheable, cacheModeOf, readsCache, responseCacheKey, writesCache } from './response-cache.js';
import type { ChunkWatch } from './chunk-watch.js';
import { withModelSlot } from './concurrency.js';
import type { TenantModelClients } from './deps.js';
import { judgeAnswer, judgePair } from './judging.js';
import type { ChunkWork } from './load-chunk.js';
import { sampleKey } from '../ports/evaluation-store.js';
import { judgeInput, renderItem, type RenderedItem } from './render-conversation.js';
import { boundAnswer, boundToolCalls } from './bounded-answer.js';
import { BUDGET_DEFAULT_MAX_TOKENS, BudgetExhaustedError } from './budget.js';
import { repeatsOf, type Sample } from './samples.js';

function sampleOf(item: BenchmarkItem, output: string, rendered: RenderedItem): ScoreInput {
  return {
    output,
    input: judgeInput(rendered, item),
    expected: item.expected,
    choices: item.choices,
    context: item.context,
    metadata: item.metadata,
  };
}

/** Answers a chunk's items: calls each model that has not answered yet, scores and judges the answers. */
export class ItemAnswerer {
  private readonly deps: TenantModelClients;
  private readonly work: ChunkWork;
  private readonly watch: ChunkWatch;

  constructor(deps: TenantModelClients, work: ChunkWork, watch: ChunkWatch) {
    this.deps = deps;
    this.work = work;
    this.watch = watch;
  }

  /** The sample's result, `previous`'s outputs kept; undefined when no model answered it. */
  async answer(sample: Sample, previous: ItemResult | undefined): Promise<ItemResult | undefined> {
    const { item, repeat } = sample;
    const { evaluation, benchmark, judging } = this.work;
    const prompt = renderItem(benchmark, item);
    const outputs: Record<string, ModelOutput> = { ...previous?.outputs };
    await Promise.all(
      evaluation.models
        .filter((model) => outputs[model.model_id] === undefined)
        .map(async (model) => {
          const output = await this.answerAndJudge(model, item, prompt, repeat);
          if (output) outputs[model.model_id] = output;
        }),
    );
    const result: ItemResult = {
      item_id: item.item_id,
      position: item.position,
      // Every sample of a repeated item says which it is, so a reader never mistakes two for one.
      ...(repeatsOf(evaluation, item) > 1 ? { repeat } : {}),
      input: item.input,
      ...(item.messages ? { messages: item.messages } : {}),
      ...(item.expected_tool_calls ? { expected_tool_calls: item.expected_tool_calls } : {}),
      expected: item.expected,
      choices: item.choices,
      outputs,
      ...(previous?.pairwise ? { pairwise: previous.pairwise } : {}),
    };
    const [first, second] = evaluation.models.map((model) => outputs[model.model_id]);
    if (evaluation.model_id_2 && judging.pairwise.length > 0 && !result.pairwise && first?.status === 'scored' && second?.status === 'scored') {
      result.pairwise = await judgePair(
        this.deps,
        judging,
        { ...item, input: judgeInput(prompt, item) },
        { model_1: first.output ?? '', model_2: second.output ?? '' },
        this.watch.signal,
      );
    }
    return Object.keys(outputs).length === 0 ? undefined : result;
  }

  private async answerAndJudge(model: Model, item: BenchmarkItem, prompt: RenderedItem, repeat: number): Promise<ModelOutput | undefined> {
    // A rescore answers from its source's stored answers: no call, no cache.
    if (this.work.source) return this.judged(item, prompt, this.reuse(model, item, repeat));
    const request = this.requestFor(model, item, prompt, repeat);
    const mode = cacheModeOf(this.work.evaluation);
    // Calls offered tools are not cached: an entry holds the text answer only, not the calls made.
    const key = this.deps.cache && cacheable(model) && mode !== 'off' && !request.tools ? responseCacheKey(model, this.asSent(request)) : undefined;
    // A hit takes no limiter slot: no call is made, so it must not queue behind the calls that are.
    let output = key !== undefined && readsCache(mode) ? await this.fromCache(model, item, key) : undefined;
    output ??= await withModelSlot(this.work.evaluation.tenant_id, model, async () => {
      if (!(await this.watch.stillWanted())) return undefined;
      return this.call(model, item, request, key !== undefined && writesCache(mode) ? key : undefined);
    });
    return this.judged(item, prompt, output);
  }

  /** The answer with its judgements; a failed or abandoned answer is not judged. */
  private async judged(item: BenchmarkItem, prompt: RenderedItem, output: ModelOutput | undefined): Promise<ModelOutput | undefined> {
    const { judging } = this.work;
    // Judged outside the candidate's limiter slot: a judge that is also a candidate shares its
    // limiter, and waiting on it while holding a slot could deadlock.
    if (output?.status === 'scored' && judging.judged.length > 0) {
      const judgements = await judgeAnswer(this.deps, judging, sampleOf(item, output.output ?? '', prompt), this.watch.signal);
      for (const [name, judgement] of Object.entries(judgements)) output.scores[name] = judgement.score;
      output.judgements = judgements;
    }
    return output;
  }

  /**
   * A rescore's answer: the source's, scored with this evaluation's metrics. Nothing was called, so it
   * costs 0 here and carries no usage (the source counted both); a latency or cost metric still scores the
   * answer as it was made. A failed source answer stays failed.
   */
  private reuse(model: Model, item: BenchmarkItem, repeat: number): ModelOutput {
    const sourceId = this.work.evaluation.source_evaluation_id!;
    const original = this.work.source?.get(sampleKey(item.position, repeat))?.outputs[model.model_id];
    if (!original) {
      return {
        status: 'failed',
        scores: {},
        reused_from: sourceId,
        error: { code: 'no_stored_answer', message: `Evaluation ${sourceId} holds no answer of ${model.model_id} to this item` },
      };
    }
    if (original.status === 'failed') {
      return { status: 'failed', scores: {}, reused_from: sourceId, ...(original.error ? { error: original.error } : {}) };
    }
    const output = original.output ?? '';
    return {
      status: 'scored',
      output,
      ...(original.truncated ? { truncated: original.truncated } : {}),
      ...(original.notes ? { notes: original.notes } : {}),
      ...(original.tool_calls ? { tool_calls: original.tool_calls } : {}),
      scores: this.work.scorer.score({
        item,
        output,
        ...(original.tool_calls ? { tool_calls: original.tool_calls } : {}),
        latency_ms: original.latency_ms ?? 0,
        output_tokens: original.usage?.output_tokens ?? 0,
        cost_usd: original.cost_usd,
      }),
      ...(original.latency_ms !== undefined ? { latency_ms: original.latency_ms } : {}),
      cost_usd: 0,
      ...(original.finish_reason ? { finish_reason: original.finish_reason } : {}),
      reused_from: sourceId,
    };
  }

  private requestFor(model: Model, item: BenchmarkItem, prompt: RenderedItem, repeat: number): GenerateRequest {
    const { benchmark } = this.work;
    return {
      prompt: prompt.prompt,
      ...(prompt.conversation ? { conversation: prompt.conversation } : {}),
      parameters: model.parameters,
      timeoutMs: model.timeout_ms,
      signal: this.watch.signal,
      reference: { expected: item.expected, choices: item.choices },
      ...(repeat > 0 ? { repeatIndex: repeat } : {}),
      ...(benchmark.tools ? { tools: benchmark.tools, ...(benchmark.tool_choice ? { toolChoice: benchmark.tool_choice } : {}) } : {}),
    };
  }

  /** The request as the provider receives it: under a budget the meter adds an output cap (budget.ts), which can change the answer. */
  private asSent(request: GenerateRequest): GenerateRequest {
    if (this.work.evaluation.budget_usd === undefined) return request;
    return { ...request, parameters: { ...request.parameters, max_tokens: request.parameters.max_tokens ?? BUDGET_DEFAULT_MAX_TOKENS } };
  }

  /**
   * The cached answer scored as a fresh one would be, or undefined on a miss. Tokens and cost are 0 on the
   * row, so spend, budget and usage count only calls made; the scores see what the answer cost when it was
   * made, so a cached re-run scores exactly as the run that filled the cache.
   */
  private async fromCache(model: Model, item: BenchmarkItem, key: string): Promise<ModelOutput | undefined> {
    if (!(await this.watch.stillWanted())) return undefined;
    let answer: CachedAnswer | undefined;
    try {
      answer = await this.deps.cache?.get(key);
    } catch (error) {
      // The cache only saves calls: when it cannot be read, the model is called, which the chunk can still pay for.
      logger.warn('response cache not read; calling the model', { evaluation_id: this.work.evaluation.evaluation_id, error: error as Error });
      return undefined;
    }
    if (!answer) return undefined;
    const saved = callCost(model, answer.usage);
    return {
      status: 'scored',
      output: answer.output,
      ...(answer.truncated ? { truncated: true } : {}),
      ...(answer.notes ? { notes: answer.notes } : {}),
      scores: this.work.scorer.score({
        item,
        output: answer.output,
        latency_ms: answer.latency_ms,
        output_tokens: answer.usage.output_tokens,
        cost_usd: saved,
      }),
      latency_ms: answer.latency_ms,
      usage: { input_tokens: 0, output_tokens: 0 },
      ...(saved === undefined ? {} : { cost_usd: 0, cache_saved_usd: saved }),
      finish_reason: answer.finish_reason,
      attempts: 0,
      cached: true,
      cached_usage: answer.usage,
    };
  }

  private async remember(key: string, answer: CachedAnswer): Promise<void> {
    try {
      await this.deps.cache?.put(key, answer);
    } catch (error) {
      // Failing the chunk here would throw away an answer that was paid for and pay for it again on the retry.
      logger.warn('response cache not written; the answer is kept in the results only', {
        evaluation_id: this.work.evaluation.evaluation_id,
        error: error as Error,
      });
    }
  }

  /** One model's scored answer to one item; undefined when the call was abandoned because the chunk stopped. */
  /** `cacheKey`: where the answer is kept when it comes (never an error: those throw before). */
  private async call(model: Model, item: BenchmarkItem, request: GenerateRequest, cacheKey: string | undefined): Promise<ModelOutput | undefined> {
    const signal = this.watch.signal;
    try {
      const result = await this.deps.clientFor(model).generate(request);
      // Stored and scored as bounded, well-formed text, so one huge answer cannot break the chunk's writes.
      const bounded = boundAnswer(result);
      const toolCalls = boundToolCalls(result.tool_calls);
      if (cacheKey !== undefined) {
        await this.remember(cacheKey, { ...bounded, finish_reason: result.finish_reason, latency_ms: result.latency_ms });
      }
      const cost = callCost(model, bounded.usage);
      return {
        status: 'scored',
        ...bounded,
        ...(toolCalls ? { tool_calls: toolCalls } : {}),
        scores: this.work.scorer.score({
          item,
          output: bounded.output,
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
          latency_ms: result.latency_ms,
          output_tokens: bounded.usage.output_tokens,
          cost_usd: cost,
        }),
        latency_ms: result.latency_ms,
        cost_usd: cost,
        finish_reason: result.finish_reason,
        attempts: result.attempts,
      };
    } catch (error) {
      if (signal.aborted) return undefined;
      // Not answered because the budget ran out: a failed answer with that reason, so the chunk finishes.
      if (error instanceof BudgetExhaustedError) return { status: 'failed', scores: {}, error: error.toJSON() };
      // A provider that kept failing fails this item only; anything else is a fault of ours: retry the chunk.
      if (!(error instanceof ProviderError)) throw error;
      return { status: 'failed', scores: {}, error: error.toJSON(), attempts: error.attempts };
    }
  }
}
