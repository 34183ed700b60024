import type { EvaluationResults, ModelResults } from '#shared/contracts/evaluations/result-types.js';
import type { Model } from '#shared/contracts/models/schemas.js';
import {
  BUDGET_DEFAULT_MAX_TOKENS,
  BudgetExhaustedError,
  ChunkBudget,
  costNano,
  withSpend,
  worstCaseInputTokens,
} from '#shared/domain/evaluator/budget.js';
import { type GenerateRequest, type GenerateResult, ProviderError } from '#shared/domain/ports/model-client.js';
import type { BudgetAccount, SpendLedger, SpendState } from '#shared/domain/ports/spend-ledger.js';

/**
 * The ledger's contract in memory (the DynamoDB one is tested against DynamoDB Local in
 * test/integration/budget.test.ts): what the chunk's side of the budget asks of it, and when.
 */
class MemoryLedger implements SpendLedger {
  state: SpendState | undefined;
  reserves: number[] = [];
  settles: { reserved: number; spent: number }[] = [];

  async reserve(account: BudgetAccount, amount: number): Promise<boolean> {
    this.reserves.push(amount);
    this.state ??= { budgetNano: account.budgetNano, remainingNano: account.budgetNano, reservedNano: 0, spentNano: 0, exhausted: false };
    if (this.state.exhausted || this.state.remainingNano < amount) {
      this.state.exhausted = true;
      return false;
    }
    this.state.remainingNano -= amount;
    this.state.reservedNano += amount;
    return true;
  }

  async settle(_account: BudgetAccount, reserved: number, spent: number): Promise<void> {
    this.settles.push({ reserved, spent });
    this.state!.remainingNano += reserved - spent;
    this.state!.reservedNano -= reserved;
    this.state!.spentNano += spent;
  }

  async read(): Promise<SpendState | undefined> {
    return this.state && { ...this.state };
  }
}

const pricing = { input_per_million: 2, output_per_million: 10 };
const model = (overrides: Partial<Model> = {}): Model => ({
  model_id: 'priced',
  provider: 'openai_compatible',
  provider_model_id: 'fake',
  parameters: {},
  max_concurrency: 4,
  timeout_ms: 1000,
  pricing,
  builtin: false,
  baseline: false,
  ...overrides,
});
const account: BudgetAccount = { tenantId: 'tenant', evaluationId: 'eval-1', budgetNano: 1_000_000_000 };
const usage = { input_tokens: 12, output_tokens: 3 };

/** A model client that answers (or fails) from a script and records what it was sent. */
function scripted(answer: () => GenerateResult | Error = () => ({ text: '4', finish_reason: 'stop', usage, latency_ms: 1, attempts: 1 })) {
  const requests: GenerateRequest[] = [];
  return {
    requests,
    client: {
      generate: async (request: GenerateRequest) => {
        requests.push(request);
        const outcome = answer();
        if (outcome instanceof Error) throw outcome;
        return outcome;
      },
    },
  };
}

const request = (parameters: GenerateRequest['parameters'] = {}): GenerateRequest => ({ prompt: 'What is 2 + 2?', parameters, timeoutMs: 1000 });

describe('the worst case a call reserves', () => {
  it('counts every UTF-8 byte of the prompt and system prompt as a token, plus each message’s overhead', () => {
    const plain = worstCaseInputTokens('abc');
    expect(plain).toBeGreaterThanOrEqual(3);
    expect(worstCaseInputTokens('é€𝄞')).toBe(plain - 3 + 9);
    expect(worstCaseInputTokens('abc', 'Be brief.')).toBeGreaterThan(plain + 9);
  });

  it('prices tokens in whole nano-dollars, rounded up', () => {
    // 1000 tokens at $2.5 per million: $0.0025.
    expect(costNano({ input_per_million: 2.5, output_per_million: 0 }, { input_tokens: 1000, output_tokens: 0 })).toBe(2_500_000);
    expect(costNano({ input_per_million: 0.035, output_per_million: 0.14 }, { input_tokens: 1, output_tokens: 1 })).toBe(175);
    expect(costNano({ input_per_million: 0.0001, output_per_million: 0 }, { input_tokens: 1, output_tokens: 0 })).toBe(1);
  });
});

describe('a metered call', () => {
  it('reserves the worst case, sends the output cap it reserved, and settles the reported cost', async () => {
    const ledger = new MemoryLedger();
    const budget = await new ChunkBudget(ledger, account).open();
    const { client, requests } = scripted();

    await budget.meter(model(), client).generate(request());

    expect(requests[0]!.parameters.max_tokens).toBe(BUDGET_DEFAULT_MAX_TOKENS);
    const worst = costNano(pricing, { input_tokens: worstCaseInputTokens('What is 2 + 2?'), output_tokens: BUDGET_DEFAULT_MAX_TOKENS });
    expect(ledger.reserves).toEqual([worst]);
    expect(ledger.settles).toEqual([{ reserved: worst, spent: costNano(pricing, usage) }]);
    expect(ledger.state).toMatchObject({ reservedNano: 0, spentNano: costNano(pricing, usage) });
  });

  it("keeps the model's own max_tokens and reserves by it", async () => {
    const ledger = new MemoryLedger();
    const { client, requests } = scripted();

    const budget = await new ChunkBudget(ledger, account).open();
    await budget.meter(model({ parameters: { max_tokens: 7 } }), client).generate(request({ max_tokens: 7 }));

    expect(requests[0]!.parameters.max_tokens).toBe(7);
    expect(ledger.reserves).toEqual([costNano(pricing, { input_tokens: worstCaseInputTokens('What is 2 + 2?'), output_tokens: 7 })]);
  });

  it('settles a call the provider refused with an HTTP error at 0, and keeps the whole reservation of one cut short', async () => {
    const ledger = new MemoryLedger();
    const budget = await new ChunkBudget(ledger, account).open();
    const failing = (error: Error) => budget.meter(model(), scripted(() => error).client).generate(request());

    await expect(failing(new ProviderError('server_error', 'boom', { status: 500 }))).rejects.toThrow('boom');
    await expect(failing(new ProviderError('timeout', 'no answer'))).rejects.toThrow('no answer');
    await expect(failing(new Error('aborted'))).rejects.toThrow('aborted');

    const [worst] = ledger.reserves;
    expect(ledger.settles).toEqual([
      { reserved: worst, spent: 0 },
      { reserved: worst, spent: worst },
      { reserved: worst, spent: worst },
    ]);
  });

  it('charges the whole reservation when the reported usage is not a count', async () => {
    const ledger = new MemoryLedger();
    const reported = { input_tokens: -5, output_tokens: Number.NaN };
    const lying = scripted(() => ({ text: '4', finish_reason: 'stop', usage: reported, latency_ms: 1, attempts: 1 }));

    await (await new ChunkBudget(ledger, account).open()).meter(model(), lying.client).generate(request());

    expect(ledger.settles).toEqual([{ reserved: ledger.reserves[0], spent: ledger.reserves[0] }]);
  });
});

describe('once a reservation is refused', () => {
  it('no further call of the chunk starts, none asks the ledger again, and free models stop too', async () => {
    const ledger = new MemoryLedger();
    const worst = costNano(pricing, { input_tokens: worstCaseInputTokens('What is 2 + 2?'), output_tokens: BUDGET_DEFAULT_MAX_TOKENS });
    // Room for one call's worst case and half of what a call costs: after one call, less than a worst case is left.
    const budget = await new ChunkBudget(ledger, { ...account, budgetNano: worst + costNano(pricing, usage) / 2 }).open();
    const priced = scripted();
    const free = scripted();
    const baseline = model({ model_id: 'baseline:echo', baseline: true, pricing: undefined });

    await budget.meter(model(), priced.client).generate(request());
    await budget.meter(baseline, free.client).generate(request());
    await expect(budget.meter(model(), priced.client).generate(request())).rejects.toBeInstanceOf(BudgetExhaustedError);
    await expect(budget.meter(model(), priced.client).generate(request())).rejects.toBeInstanceOf(BudgetExhaustedError);
    await expect(budget.meter(baseline, free.client).generate(request())).rejects.toMatchObject({ code: 'budget_exhausted' });

    expect(budget.exhausted).toBe(true);
    // The first priced call reserved and settled, the second was refused; the third never reached the ledger.
    expect(ledger.reserves).toEqual([worst, worst]);
    expect(priced.requests).toHaveLength(1);
    expect(free.requests).toHaveLength(1);
  });

  it('a chunk that opens on an exhausted ledger calls nothing, and does not ask it again', async () => {
    const ledger = new MemoryLedger();
    ledger.state = { budgetNano: 10, remainingNano: 10, reservedNano: 0, spentNano: 0, exhausted: true };
    const budget = await new ChunkBudget(ledger, account).open();
    const { client, requests } = scripted();

    await expect(budget.meter(model(), client).generate(request())).rejects.toBeInstanceOf(BudgetExhaustedError);

    expect(requests).toHaveLength(0);
    expect(ledger.reserves).toHaveLength(0);
  });

  it('a model without pricing is never called under a budget', async () => {
    const { client, requests } = scripted();
    const budget = await new ChunkBudget(new MemoryLedger(), account).open();

    await expect(budget.meter(model({ pricing: undefined }), client).generate(request())).rejects.toBeInstanceOf(BudgetExhaustedError);
    expect(requests).toHaveLength(0);
  });
});

describe('what finalize reports', () => {
  const modelResults = (modelId: string, costUsd: number | null, failures: Record<string, number>): ModelResults => ({
    model_id: modelId,
    baseline: false,
    completed_items: 5,
    failed_items: Object.values(failures).reduce((sum, count) => sum + count, 0),
    metrics: {},
    usage: { input_tokens: 1, output_tokens: 1 },
    cost_usd: costUsd,
    latency_ms: { p50: null, p95: null },
    failure_reasons: failures,
  });
  const results: EvaluationResults = {
    models: [modelResults('a', 0.25, { budget_exhausted: 3, timeout: 1 }), modelResults('b', null, {})],
    judges: {
      tone: {
        judge_model_id: 'judge',
        template_id: 'llm_judge@2',
        judge_same_family: false,
        same_family_models: [],
        judge_failures: { budget_exhausted: 2, refusal: 1 },
        usage: { input_tokens: 10, output_tokens: 4 },
        cost_usd: 0.5,
      },
    },
    seed: 1,
  };
  const ledger: SpendState = { budgetNano: 1_000_000_000, remainingNano: 200_000_000, reservedNano: 0, spentNano: 800_000_000, exhausted: true };

  it('the results’ total spend, and under a budget the stop reason, the settled spend and the exact counts left undone', () => {
    expect(withSpend(results, { budget_usd: 1 }, ledger)).toEqual({
      ...results,
      spend_usd: 0.75,
      stop_reason: 'budget_exhausted',
      budget: {
        budget_usd: 1,
        spent_usd: 0.8,
        reserved_usd: 0,
        unscored_items: { a: 3, b: 0 },
        skipped_judgements: { tone: 2 },
      },
    });
  });

  it('no stop reason when nothing was left undone, and no budget block without a budget', () => {
    const whole: EvaluationResults = { ...results, models: [modelResults('a', 0.25, {})], judges: undefined };
    expect(withSpend(whole, { budget_usd: 1 }, ledger).stop_reason).toBeUndefined();
    expect(withSpend(whole, {}, undefined)).toEqual({ ...whole, spend_usd: 0.25 });
    expect(withSpend({ ...whole, models: [modelResults('a', null, {})] }, {}, undefined).spend_usd).toBeNull();
  });
});
