import type { Model } from '../../contracts/models/schemas.js';
import { UnprocessableEntityError, type FieldError } from '../errors.js';
import type { MetricPath, ResolvedJudges } from './judge-resolution.js';

/** A model whose calls cost nothing: baselines answer without a provider. */
export const isFree = (model: Pick<Model, 'baseline'>): boolean => model.baseline;

/**
 * A budget is enforced by pricing each call before it is made, so it can only hold when every candidate
 * and judge model has a price: otherwise 422 `budget_requires_pricing` naming each unpriced model where
 * the request refers to it, before anything is written. Baselines need none (they call no provider).
 */
export function checkBudgetPricing(
  budgetUsd: number | undefined,
  candidates: readonly { path: string; model: Model }[],
  judges: ResolvedJudges,
  pathOf: MetricPath,
  source: 'request' | 'tenant_default' = 'request',
): void {
  if (budgetUsd === undefined) return;
  const unpriced = new Set<string>();
  const errors: FieldError[] = [];
  const note = (model: Model | undefined, path: string, role: string) => {
    if (!model || model.pricing || isFree(model)) return;
    unpriced.add(model.model_id);
    errors.push({ path, message: `${role} ${model.model_id} has no pricing; a budget needs every model's prices` });
  };
  for (const { path, model } of candidates) note(model, path, 'model');
  for (const [metric, judgeId] of Object.entries(judges.judges)) {
    note(
      judges.judge_models.find((model) => model.model_id === judgeId),
      pathOf(metric),
      `judge model (metric ${metric})`,
    );
  }
  if (errors.length === 0) return;
  const names = [...unpriced].join(', ');
  const one = unpriced.size === 1;
  const why = source === 'tenant_default' ? "your tenant's default budget (set by the operator) applies, and " : '';
  throw new UnprocessableEntityError(
    'budget_requires_pricing',
    `${why}budget_usd needs a price for every model that is called, and ${names} ${one ? 'has' : 'have'} none: ` +
      `register ${one ? 'it' : 'them'} with "pricing" ({"input_per_million", "output_per_million"}), or leave budget_usd out`,
    [...errors, { path: 'budget_usd', message: `needs pricing for ${names}` }],
  );
}
