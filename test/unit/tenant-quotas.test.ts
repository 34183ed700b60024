import { jest } from '@jest/globals';
import * as v from 'valibot';
import { QuotaExceededBodySchema, TenantSettingsPatchSchema } from '#shared/contracts/tenants/schemas.js';
import { minuteWindow, monthOf, secondsToMonthEnd } from '#shared/domain/tenants/calendar.js';
import { QuotaExceededError } from '#shared/domain/tenants/quota-exceeded-error.js';
import { usageLineFrom } from '#shared/domain/tenants/usage-line.js';
import { createUnderQuotas, type QuotaDeps } from '#shared/domain/tenants/admission.js';
import { ActiveEvaluationsChangedError, type TenantUsageStore } from '#shared/domain/ports/tenant-usage.js';
import type { EvaluationResults } from '#shared/contracts/evaluations/result-types.js';
import type { TenantSettings } from '#shared/contracts/tenants/schemas.js';

describe('quota windows', () => {
  it('name the UTC month, whatever the local offset of the instant', () => {
    expect(monthOf(new Date('2026-12-31T23:59:59.999Z'))).toBe('2026-12');
    expect(monthOf(new Date('2027-01-01T00:00:00.000Z'))).toBe('2027-01');
    expect(monthOf(new Date('2026-12-31T23:30:00-02:00'))).toBe('2027-01');
  });

  it('count the seconds to the next UTC month, rounded up and never 0', () => {
    expect(secondsToMonthEnd(new Date('2026-12-31T23:59:00Z'))).toBe(60);
    expect(secondsToMonthEnd(new Date('2026-12-31T23:59:59.001Z'))).toBe(1);
    // February of a leap year has 29 days.
    expect(secondsToMonthEnd(new Date('2028-02-01T00:00:00Z'))).toBe(29 * 86_400);
    expect(secondsToMonthEnd(new Date('2027-02-01T00:00:00Z'))).toBe(28 * 86_400);
  });

  it('put every instant of one clock minute in one window, and say how long it has left', () => {
    const start = minuteWindow(new Date('2026-12-02T10:15:00.000Z'));
    const end = minuteWindow(new Date('2026-12-02T10:15:59.999Z'));
    const next = minuteWindow(new Date('2026-12-02T10:16:00.000Z'));
    expect(end.minute).toBe(start.minute);
    expect(next.minute).toBe(start.minute + 1);
    expect(start.secondsLeft).toBe(60);
    expect(end.secondsLeft).toBe(1);
    expect(minuteWindow(new Date('2026-12-02T10:15:42.500Z')).secondsLeft).toBe(18);
    // The counter outlives its window, so TTL never removes the window still being counted.
    expect(start.expiresAt * 1000).toBeGreaterThan(Date.parse('2026-12-02T10:16:00Z'));
  });
});

describe('quota values', () => {
  const problems = (values: unknown) => {
    const parsed = v.safeParse(TenantSettingsPatchSchema, values);
    return parsed.success ? [] : parsed.issues.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`);
  };

  it('accept positive whole counts and positive dollar amounts', () => {
    const values = { active_evaluations: 5, items_per_evaluation: 10_000, monthly_spend_usd: 0.5, requests_per_minute: 600, default_budget_usd: 2.5 };
    expect(problems(values)).toEqual([]);
  });

  it.each([
    [{ active_evaluations: 0 }, 'active_evaluations: must be at least 1'],
    [{ active_evaluations: -3 }, 'active_evaluations: must be at least 1'],
    [{ requests_per_minute: 2.5 }, 'requests_per_minute: must be a whole number'],
    [{ items_per_evaluation: 'many' }, 'items_per_evaluation'],
    [{ monthly_spend_usd: 0 }, 'monthly_spend_usd: must be greater than 0'],
    [{ default_budget_usd: -1 }, 'default_budget_usd: must be greater than 0'],
    [{ monthly_spend_usd: Number.POSITIVE_INFINITY }, 'monthly_spend_usd'],
    [{ unknown_quota: 3 }, 'unknown_quota'],
  ])('refuse %j, naming the field', (values, expected) => {
    expect(problems(values).join('\n')).toContain(expected);
  });
});

describe('the quota_exceeded answer', () => {
  it('is a 429 in the common error shape with the quota, its limit, where the tenant stands and Retry-After', () => {
    const error = new QuotaExceededError('requests_per_minute', 3, 'too many', { current: 3, retryAfterSeconds: 17 });
    expect(error.statusCode).toBe(429);
    expect(error.headers).toEqual({ 'retry-after': '17' });
    expect(error.toJSON()).toEqual({ code: 'quota_exceeded', message: 'too many', quota: 'requests_per_minute', limit: 3, current: 3 });
    expect(v.safeParse(QuotaExceededBodySchema, error.toJSON()).success).toBe(true);
  });

  it('has no Retry-After where waiting does not help, and names the offending field', () => {
    const error = new QuotaExceededError('items_per_evaluation', 10, 'too large', {
      current: 30,
      errors: [{ path: 'benchmark_id', message: 'too large' }],
    });
    expect(error.headers).toEqual({});
    expect(error.toJSON()).toMatchObject({ errors: [{ path: 'benchmark_id', message: 'too large' }], limit: 10, current: 30 });
  });
});

function results(partial: Partial<EvaluationResults>): EvaluationResults {
  return { models: [], seed: 1, ...partial } as EvaluationResults;
}

const model = (model_id: string, cost_usd: number | null, input_tokens: number, output_tokens: number) =>
  ({ model_id, cost_usd, usage: { input_tokens, output_tokens } }) as unknown as EvaluationResults['models'][number];

describe('a usage line', () => {
  it("adds each model's and each judge's cost and tokens, by model and by judge model", () => {
    const line = usageLineFrom(
      'eval-1',
      results({
        models: [model('a', 0.1, 100, 10), model('b', 0.2, 200, 20)],
        judges: {
          relevance: { judge_model_id: 'j', cost_usd: 0.05, usage: { input_tokens: 50, output_tokens: 5 } },
          correctness: { judge_model_id: 'j', cost_usd: 0.01, usage: { input_tokens: 10, output_tokens: 1 } },
        } as unknown as EvaluationResults['judges'],
      }),
    );
    expect(line.models).toEqual({
      a: { cost_usd: 0.1, input_tokens: 100, output_tokens: 10 },
      b: { cost_usd: 0.2, input_tokens: 200, output_tokens: 20 },
    });
    expect(line.judges).toEqual({ j: { cost_usd: 0.06, input_tokens: 60, output_tokens: 6 } });
    // 0.1 + 0.2 is 0.30000000000000004 in floating point; money is rounded to 1e-8.
    expect(line.cost_usd).toBe(0.36);
  });

  it('counts an unpriced model’s tokens and no money, and judges without cost fields as free', () => {
    const line = usageLineFrom(
      'eval-2',
      results({
        models: [model('unpriced', null, 40, 4)],
        judges: { relevance: { judge_model_id: 'j' } } as unknown as EvaluationResults['judges'],
      }),
    );
    expect(line).toEqual({
      evaluation_id: 'eval-2',
      cost_usd: 0,
      models: { unpriced: { cost_usd: 0, input_tokens: 40, output_tokens: 4 } },
      judges: { j: { cost_usd: 0, input_tokens: 0, output_tokens: 0 } },
    });
  });
});

describe('admission under the active-evaluation quota', () => {
  const settings = (quotas: TenantSettings['quotas']): QuotaDeps['settings'] => ({ get: async () => ({ quotas }) });
  const usage = (ids: string[], spend = 0): TenantUsageStore & { released: string[] } => {
    const released: string[] = [];
    return {
      released,
      activeSnapshot: async () => ({ evaluationIds: ids.filter((id) => !released.includes(id)), guardVersion: 7 }),
      releaseActive: async (_tenant, id) => {
        released.push(id);
      },
      monthTotals: async () => ({ created: 0, completed: 0, failed: 0, cancelled: 0, spend_usd: spend }),
      monthSpend: async () => spend,
      monthLines: async () => [],
    };
  };
  const statuses = (byId: Record<string, string>): QuotaDeps['evaluations'] => ({
    getConsistent: async (_tenant, id) => (byId[id] ? ({ status: byId[id] } as never) : undefined),
  });

  it('commits under the guard version it counted with, and counts again when another create moved it', async () => {
    const deps: QuotaDeps = { settings: settings({ active_evaluations: 2 }), usage: usage(['e1']), evaluations: statuses({ e1: 'running' }) };
    const seen: (number | undefined)[] = [];
    const written = await createUnderQuotas(deps, 't', 10, async (admission) => {
      seen.push(admission?.activeGuardVersion);
      if (seen.length < 3) throw new ActiveEvaluationsChangedError();
      return 'written';
    });
    expect(written).toBe('written');
    expect(seen).toEqual([7, 7, 7]);
  });

  it('refuses at the limit without writing, and drops markers of finished evaluations first (a leak heals)', async () => {
    const store = usage(['e1', 'e2']);
    const write = jest.fn(async () => 'written');
    const refused = createUnderQuotas(
      { settings: settings({ active_evaluations: 2 }), usage: store, evaluations: statuses({ e1: 'running', e2: 'running' }) },
      't',
      10,
      write,
    );
    await expect(refused).rejects.toMatchObject({ statusCode: 429, quota: 'active_evaluations', limit: 2, current: 2 });
    expect(write).not.toHaveBeenCalled();

    const leaky = usage(['e1', 'e2']);
    const healing = { settings: settings({ active_evaluations: 2 }), usage: leaky, evaluations: statuses({ e1: 'running', e2: 'completed' }) };
    await createUnderQuotas(healing, 't', 10, write);
    expect(leaky.released).toEqual(['e2']);
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('refuses a benchmark over the item quota and a month whose spend reached its limit, with Retry-After to the month end', async () => {
    const write = jest.fn(async () => 'written');
    await expect(
      createUnderQuotas({ settings: settings({ items_per_evaluation: 5 }), usage: usage([]), evaluations: statuses({}) }, 't', 6, write),
    ).rejects.toMatchObject({ quota: 'items_per_evaluation', limit: 5, current: 6, headers: {} });
    const now = new Date('2026-12-31T23:00:00Z');
    const spent = (total: number): QuotaDeps => ({
      settings: settings({ monthly_spend_usd: 1 }),
      usage: usage([], total),
      evaluations: statuses({}),
      now: () => now,
    });
    await expect(createUnderQuotas(spent(1), 't', 6, write)).rejects.toMatchObject({
      quota: 'monthly_spend_usd',
      limit: 1,
      current: 1,
      headers: { 'retry-after': '3600' },
    });
    expect(write).not.toHaveBeenCalled();
    await expect(createUnderQuotas(spent(0.99), 't', 6, write)).resolves.toBe('written');
  });
});
