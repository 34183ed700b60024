import type { BenchmarkItem } from '../../contracts/benchmarks/schemas.js';
import { callCost, type ItemResult, type ModelOutput } from '../../contracts/evaluations/result-types.js';
import type { ScoreInput } from '../metrics/types.js';
import type { Model } from '../../contracts/models/schemas.js';
import { ProviderError } from '../ports/model-client.js';
import type { ChunkWatch } from './chunk-watch.js';
import { withModelSlot } from './concurrency.js';
import type { TenantModelClients } from './deps.js';
import { judgeAnswer, judgePair } from './judging.js';
import type { ChunkWork } from './load-chunk.js';
import { judgeInput, renderItem, type RenderedItem } from './render-conversation.js';
import { boundAnswer, boundToolCalls } from './bounded-answer.js';
import { BudgetExhaustedError } from './budget.js';

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

  /** The item's result, `previous`'s outputs kept; undefined when no model answered it. */
  async answer(item: BenchmarkItem, previous: ItemResult | undefined): Promise<ItemResult | undefined> {
    const { evaluation, benchmark, judging } = this.work;
    const prompt = renderItem(benchmark, item);
    const outputs: Record<string, ModelOutput> = { ...previous?.outputs };
    await Promise.all(
      evaluation.models
        .filter((model) => outputs[model.model_id] === undefined)
        .map(async (model) => {
          const output = await this.answerAndJudge(model, item, prompt);
          if (output) outputs[model.model_id] = output;
        }),
    );
    const result: ItemResult = {
      item_id: item.item_id,
      position: item.position,
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

  private async answerAndJudge(model: Model, item: BenchmarkItem, prompt: RenderedItem): Promise<ModelOutput | undefined> {
    const output = await withModelSlot(this.work.evaluation.tenant_id, model, async () => {
      if (!(await this.watch.stillWanted())) return undefined;
      return this.call(model, item, prompt);
    });
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

  /** One model's scored answer to one item; undefined when the call was abandoned because the chunk stopped. */
  private async call(model: Model, item: BenchmarkItem, prompt: RenderedItem): Promise<ModelOutput | undefined> {
    const signal = this.watch.signal;
    const { benchmark } = this.work;
    try {
      const result = await this.deps.clientFor(model).generate({
        prompt: prompt.prompt,
        ...(prompt.conversation ? { conversation: prompt.conversation } : {}),
        parameters: model.parameters,
        timeoutMs: model.timeout_ms,
        signal,
        reference: { expected: item.expected, choices: item.choices },
        ...(benchmark.tools ? { tools: benchmark.tools, ...(benchmark.tool_choice ? { toolChoice: benchmark.tool_choice } : {}) } : {}),
      });
      // Stored and scored as bounded, well-formed text, so one huge answer cannot break the chunk's writes.
      const bounded = boundAnswer(result);
      const toolCalls = boundToolCalls(result.tool_calls);
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
