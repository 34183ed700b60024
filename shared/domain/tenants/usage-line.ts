import type { EvaluationResults } from '../../contracts/evaluations/result-types.js';
import type { UsageAmount, UsageLine } from '../ports/tenant-usage.js';

/** Money adds up in floating point; rounding each sum to a millionth of a cent keeps totals stable. */
export const roundUsd = (usd: number) => Math.round(usd * 1e8) / 1e8;

type Tokens = { input_tokens: number; output_tokens: number };

function add(into: Record<string, UsageAmount>, id: string, cost: number | null | undefined, usage?: Tokens): void {
  const amount = into[id] ?? { cost_usd: 0, input_tokens: 0, output_tokens: 0 };
  into[id] = amount;
  amount.cost_usd = roundUsd(amount.cost_usd + (cost ?? 0));
  amount.input_tokens += usage?.input_tokens ?? 0;
  amount.output_tokens += usage?.output_tokens ?? 0;
}

/**
 * What one evaluation's results spent: each model's `cost_usd` and usage, and each judged metric's, by
 * judge model. An unpriced model or judge (`cost_usd: null`) adds its tokens and no money.
 */
export function usageLineFrom(evaluationId: string, results: EvaluationResults): UsageLine {
  const models: Record<string, UsageAmount> = {};
  const judges: Record<string, UsageAmount> = {};
  for (const model of results.models) add(models, model.model_id, model.cost_usd, model.usage);
  for (const judge of Object.values(results.judges ?? {})) add(judges, judge.judge_model_id, judge.cost_usd, judge.usage);
  const total = [...Object.values(models), ...Object.values(judges)].reduce((sum, amount) => sum + amount.cost_usd, 0);
  return { evaluation_id: evaluationId, cost_usd: roundUsd(total), models, judges };
}
