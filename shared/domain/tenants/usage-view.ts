import type { UsageView } from '../../contracts/tenants/schemas.js';
import type { TenantSettingsStore } from '../ports/tenant-settings.js';
import type { TenantUsageStore, UsageAmount } from '../ports/tenant-usage.js';
import { monthOf } from './calendar.js';
import { roundUsd } from './usage-line.js';

export interface UsageDeps {
  settings: Pick<TenantSettingsStore, 'get'>;
  usage: TenantUsageStore;
  /** Requests counted in the current minute, for the request-rate quota's `current`. */
  requestsThisMinute?: (tenantId: string) => Promise<number>;
  now?: () => Date;
}

interface Summed extends UsageAmount {
  evaluations: number;
}

function sumInto(into: Map<string, Summed>, amounts: Record<string, UsageAmount>): void {
  for (const [id, amount] of Object.entries(amounts)) {
    const summed = into.get(id) ?? { cost_usd: 0, input_tokens: 0, output_tokens: 0, evaluations: 0 };
    summed.cost_usd = roundUsd(summed.cost_usd + amount.cost_usd);
    summed.input_tokens += amount.input_tokens;
    summed.output_tokens += amount.output_tokens;
    summed.evaluations += 1;
    into.set(id, summed);
  }
}

/** The calling tenant's month: spend and tokens by model and judge, evaluation counts, quotas and where it stands. */
export async function getUsage(deps: UsageDeps, tenantId: string, month?: string): Promise<UsageView> {
  const now = deps.now?.() ?? new Date();
  const asked = month ?? monthOf(now);
  const [settings, totals, lines, active, requests] = await Promise.all([
    deps.settings.get(tenantId),
    deps.usage.monthTotals(tenantId, asked),
    deps.usage.monthLines(tenantId, asked),
    deps.usage.activeSnapshot(tenantId),
    deps.requestsThisMinute?.(tenantId),
  ]);
  const models = new Map<string, Summed>();
  const judges = new Map<string, Summed>();
  for (const line of lines) {
    sumInto(models, line.models);
    sumInto(judges, line.judges);
  }
  const all = [...models.values(), ...judges.values()];
  const { quotas } = settings;
  const thisMonth = asked === monthOf(now);
  return {
    month: asked,
    spend_usd: roundUsd(all.reduce((sum, amount) => sum + amount.cost_usd, 0)),
    tokens: {
      input_tokens: all.reduce((sum, amount) => sum + amount.input_tokens, 0),
      output_tokens: all.reduce((sum, amount) => sum + amount.output_tokens, 0),
    },
    by_model: [...models].map(([model_id, summed]) => ({ model_id, ...summed })),
    by_judge: [...judges].map(([judge_model_id, summed]) => ({ judge_model_id, ...summed })),
    evaluations: {
      created: totals.created,
      completed: totals.completed,
      failed: totals.failed,
      cancelled: totals.cancelled,
      active: active.evaluationIds.length,
    },
    quotas: {
      active_evaluations: { limit: quotas.active_evaluations ?? null, current: active.evaluationIds.length },
      items_per_evaluation: { limit: quotas.items_per_evaluation ?? null, current: null },
      // What the quota checks: the spend recorded this month (the month asked for only when it is this one).
      monthly_spend_usd: { limit: quotas.monthly_spend_usd ?? null, current: thisMonth ? totals.spend_usd : null },
      requests_per_minute: { limit: quotas.requests_per_minute ?? null, current: requests ?? null },
    },
    default_budget_usd: settings.default_budget_usd ?? null,
  };
}
