/**
 * The hard budget (`budget_usd`): every model and judge call of a budgeted evaluation reserves its worst
 * case against the evaluation's spend ledger before it starts and settles its actual cost when it ends.
 * docs/reliability.md "Budgets" states the bound this gives and why.
 */
import type { BudgetSummary, EvaluationResults, TokenUsage } from '../../contracts/evaluations/result-types.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { Pricing } from '../../contracts/models/model-fields.js';
import type { Model } from '../../contracts/models/schemas.js';
import { logger } from '../../platform/logger.js';
import { type GenerateRequest, type GenerateResult, type ModelClient, ProviderError } from '../ports/model-client.js';
import type { BudgetAccount, SpendLedger, SpendState } from '../ports/spend-ledger.js';

/** The error code of an item answer, judgement or pairwise verdict not made because the budget ran out. */
export const BUDGET_EXHAUSTED = 'budget_exhausted';

/**
 * Output cap of a budgeted call whose model sets no `max_tokens`: the call is sent with it, so its
 * reservation is a bound the provider enforces, not a guess.
 */
export const BUDGET_DEFAULT_MAX_TOKENS = 4096;

/**
 * Tokens a chat format adds per message (role markers, separators), generously: OpenAI documents 3–4
 * per message plus 3 to prime the reply.
 */
const MESSAGE_OVERHEAD_TOKENS = 16;

/** Reported costs beyond this are clamped: the ledger adds whole numbers, and a lying server must not break that. */
const MAX_CALL_NANO = 2 ** 50;

const encoder = new TextEncoder();

/** Budget in whole nano-dollars. */
export const toNano = (usd: number): number => Math.round(usd * 1e9);
export const fromNano = (nano: number): number => nano / 1e9;

/**
 * The most input tokens a prompt can be: byte-level BPE tokenizers (OpenAI, Anthropic, Llama, …) never
 * produce more tokens than the text has UTF-8 bytes, so bytes are an upper bound for every tokenizer
 * Arbiter's providers use, at the price of reserving about four times what a call usually uses.
 */
export function worstCaseInputTokens(prompt: string, systemPrompt?: string): number {
  const system = systemPrompt === undefined ? 0 : encoder.encode(systemPrompt).length + MESSAGE_OVERHEAD_TOKENS;
  return encoder.encode(prompt).length + MESSAGE_OVERHEAD_TOKENS + system + 3;
}

/** A call's cost in nano-dollars, rounded up (never under-charged). */
export function costNano(pricing: Pricing, usage: TokenUsage): number {
  // Prices per million tokens are nano-dollars per token × 1000; the epsilon absorbs binary-fraction noise.
  const exact = usage.input_tokens * pricing.input_per_million * 1000 + usage.output_tokens * pricing.output_per_million * 1000;
  return Math.min(MAX_CALL_NANO, Math.max(0, Math.ceil(exact - 1e-6)));
}

/** Raised instead of calling a model once the budget is exhausted; the item or judgement records it, the chunk goes on. */
export class BudgetExhaustedError extends Error {
  readonly code = BUDGET_EXHAUSTED;

  constructor(message = 'The evaluation reached its budget (budget_usd) before this call could start; it was not made') {
    super(message);
    this.name = 'BudgetExhaustedError';
  }

  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

const validCount = (value: number) => Number.isSafeInteger(value) && value >= 0;

/**
 * One chunk's view of its evaluation's budget. Once a reservation is refused (here, or by any other
 * chunk or evaluator instance: the ledger's mark is read when the chunk opens and found by the first
 * reservation) no further call of the chunk starts, and none reaches the ledger either.
 */
export class ChunkBudget {
  private readonly ledger: SpendLedger;
  private readonly account: BudgetAccount;
  private exhaustedSeen = false;

  constructor(ledger: SpendLedger, account: BudgetAccount) {
    this.ledger = ledger;
    this.account = account;
  }

  /** Reads the ledger once: a chunk of an evaluation already exhausted (a redelivery, a later chunk) calls nothing, free models included. */
  async open(): Promise<this> {
    const state = await this.ledger.read(this.account.tenantId, this.account.evaluationId);
    if (state?.exhausted) this.exhaustedSeen = true;
    return this;
  }

  get exhausted(): boolean {
    return this.exhaustedSeen;
  }

  /** `client`, with each call reserved before it starts and settled when it ends. */
  meter(model: Model, client: ModelClient): ModelClient {
    return { generate: (request) => this.generate(model, client, request) };
  }

  private async generate(model: Model, client: ModelClient, request: GenerateRequest): Promise<GenerateResult> {
    if (this.exhaustedSeen) throw new BudgetExhaustedError();
    // Baselines call no provider (the create's pricing check lets them through): nothing to reserve, but they stop with the rest.
    if (model.baseline) return client.generate(request);
    if (!model.pricing) {
      // The create refuses a budget without prices; a record that still lacks them is not called unmetered.
      throw new BudgetExhaustedError(`Model ${model.model_id} has no pricing, so its calls cannot be held to the budget; it was not called`);
    }
    const maxTokens = request.parameters.max_tokens ?? BUDGET_DEFAULT_MAX_TOKENS;
    const parameters = { ...request.parameters, max_tokens: maxTokens };
    const reserved = costNano(model.pricing, {
      input_tokens: worstCaseInputTokens(request.prompt, parameters.system_prompt),
      output_tokens: maxTokens,
    });
    if (!(await this.ledger.reserve(this.account, reserved))) {
      this.exhaustedSeen = true;
      logger.info('budget exhausted: no further model or judge call starts', { evaluation_id: this.account.evaluationId, model_id: model.model_id });
      throw new BudgetExhaustedError();
    }
    let result: GenerateResult;
    try {
      result = await client.generate({ ...request, parameters });
    } catch (error) {
      // A provider that answered with an HTTP error does not bill the call. One cut short (cancelled, out
      // of time, timed out, connection lost) may have been billed for all we know: it keeps its reservation.
      const answeredWithError = error instanceof ProviderError && error.status !== undefined;
      await this.settle(model, reserved, answeredWithError ? 0 : reserved);
      throw error;
    }
    const { input_tokens, output_tokens } = result.usage;
    const spent = validCount(input_tokens) && validCount(output_tokens) ? costNano(model.pricing, result.usage) : reserved;
    await this.settle(model, reserved, spent);
    return result;
  }

  /**
   * A settle that fails leaves the whole reservation charged, which errs on the safe side; failing the
   * chunk instead would throw away an answer that was paid for and pay for it again on the retry.
   */
  private async settle(model: Model, reserved: number, spent: number): Promise<void> {
    try {
      await this.ledger.settle(this.account, reserved, spent);
    } catch (error) {
      logger.warn('spend not settled; the call stays charged its whole reservation', {
        evaluation_id: this.account.evaluationId,
        model_id: model.model_id,
        error: error as Error,
      });
    }
  }
}

/** The chunk's budget, or undefined when the evaluation runs without one. */
export async function chunkBudget(ledger: SpendLedger | undefined, evaluation: Evaluation): Promise<ChunkBudget | undefined> {
  if (evaluation.budget_usd === undefined) return undefined;
  // Running a budgeted evaluation unmetered would spend without limit: refuse, loudly, and retry the chunk.
  if (!ledger) throw new Error(`Evaluation ${evaluation.evaluation_id} has a budget, but this evaluator was given no spend ledger`);
  return new ChunkBudget(ledger, {
    tenantId: evaluation.tenant_id,
    evaluationId: evaluation.evaluation_id,
    budgetNano: toNano(evaluation.budget_usd),
  }).open();
}

/** Judge tokens as stored: counts a provider reported that are not counts become 0, as candidates' are (bounded-answer.ts). */
export function judgeUsage(usage: TokenUsage): TokenUsage {
  return {
    input_tokens: validCount(usage.input_tokens) ? usage.input_tokens : 0,
    output_tokens: validCount(usage.output_tokens) ? usage.output_tokens : 0,
  };
}

/**
 * What finalize adds to the results: the total spend of the results (models and judges), and, under a
 * budget, the ledger's settled spend, the stop reason and what was left undone. The counts come from the
 * results' own failure counts, so they are the rows' counts: what was counted is what is shown.
 */
export function withSpend(results: EvaluationResults, evaluation: Pick<Evaluation, 'budget_usd'>, ledger: SpendState | undefined): EvaluationResults {
  const costs = [...results.models.map((model) => model.cost_usd), ...Object.values(results.judges ?? {}).map((judge) => judge.cost_usd ?? null)];
  const priced = costs.filter((cost): cost is number => cost !== null);
  const unscored = Object.fromEntries(results.models.map((model) => [model.model_id, model.failure_reasons[BUDGET_EXHAUSTED] ?? 0]));
  const skipped: Record<string, number> = {};
  for (const [metric, judge] of Object.entries(results.judges ?? {})) skipped[metric] = judge.judge_failures[BUDGET_EXHAUSTED] ?? 0;
  const stopped = [...Object.values(unscored), ...Object.values(skipped)].some((count) => count > 0);
  const withTotal: EvaluationResults = { ...results, spend_usd: priced.length === 0 ? null : priced.reduce((sum, cost) => sum + cost, 0) };
  if (evaluation.budget_usd === undefined) return withTotal;
  const budget: BudgetSummary = {
    budget_usd: evaluation.budget_usd,
    spent_usd: fromNano(ledger?.spentNano ?? 0),
    reserved_usd: fromNano(ledger?.reservedNano ?? 0),
    unscored_items: unscored,
    skipped_judgements: skipped,
  };
  return { ...withTotal, ...(stopped ? { stop_reason: 'budget_exhausted' as const } : {}), budget };
}
