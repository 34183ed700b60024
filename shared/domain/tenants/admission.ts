import type { TenantSettings } from '../../contracts/tenants/schemas.js';
import { sleepFullJitter } from '../../platform/backoff.js';
import { logger } from '../../platform/logger.js';
import { ServiceUnavailableError } from '../errors.js';
import type { EvaluationStore } from '../ports/evaluation-store.js';
import type { TenantSettingsStore } from '../ports/tenant-settings.js';
import { ActiveEvaluationsChangedError, type TenantUsageStore } from '../ports/tenant-usage.js';
import { monthOf, secondsToMonthEnd } from './calendar.js';
import { QuotaExceededError } from './quota-exceeded-error.js';

export interface QuotaDeps {
  settings: Pick<TenantSettingsStore, 'get'>;
  usage: TenantUsageStore;
  evaluations: Pick<EvaluationStore, 'getConsistent'>;
  now?: () => Date;
}

/**
 * Creates racing for the last active slot each commit only if no other create under the quota committed
 * since its count; the loser counts again. One of the racers commits per round, so this bounds how many
 * racers a burst may hold before some are told to retry (503) rather than wait longer.
 */
const ADMISSION_ROUNDS = 25;

/** What a create under the tenant's settings writes with: the guard version of its count, and its budget. */
export interface Admission {
  settings: TenantSettings;
  /** Set when the tenant has an active-evaluation quota: the create commits only under this version. */
  activeGuardVersion?: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Counts the tenant's active evaluations. Every transition to a final state drops the marker in its own
 * transaction; should one ever stay behind anyway (a path that bypasses the transitions, a row restored
 * from a backup), it is found here at the limit and dropped, so a leak costs a few reads, never a slot.
 */
async function countActive(deps: QuotaDeps, tenantId: string, limit: number): Promise<{ count: number; guardVersion: number }> {
  const snapshot = await deps.usage.activeSnapshot(tenantId);
  if (snapshot.evaluationIds.length < limit) return { count: snapshot.evaluationIds.length, guardVersion: snapshot.guardVersion };
  const states = await Promise.all(
    snapshot.evaluationIds.map(async (id) => ({ id, evaluation: await deps.evaluations.getConsistent(tenantId, id) })),
  );
  const leaked = states.filter(({ evaluation }) => !evaluation || (evaluation.status !== 'pending' && evaluation.status !== 'running'));
  if (leaked.length > 0) {
    logger.warn('dropping leaked active-evaluation markers', { evaluation_ids: leaked.map(({ id }) => id) });
    await Promise.all(leaked.map(({ id }) => deps.usage.releaseActive(tenantId, id)));
  }
  return { count: snapshot.evaluationIds.length - leaked.length, guardVersion: snapshot.guardVersion };
}

/** Refuses a create that a quota forbids; otherwise what the create must commit under. */
async function admit(deps: QuotaDeps, tenantId: string, settings: TenantSettings, itemCount: number): Promise<Admission> {
  const { quotas } = settings;
  if (quotas.items_per_evaluation !== undefined && itemCount > quotas.items_per_evaluation) {
    throw new QuotaExceededError(
      'items_per_evaluation',
      quotas.items_per_evaluation,
      `The benchmark has ${plural(itemCount, 'item')}; this tenant's evaluations may run on at most ${quotas.items_per_evaluation}`,
      { current: itemCount, errors: [{ path: 'benchmark_id', message: `has more than ${quotas.items_per_evaluation} items` }] },
    );
  }
  if (quotas.monthly_spend_usd !== undefined) {
    const now = deps.now?.() ?? new Date();
    const spent = await deps.usage.monthSpend(tenantId, monthOf(now));
    if (spent >= quotas.monthly_spend_usd) {
      throw new QuotaExceededError(
        'monthly_spend_usd',
        quotas.monthly_spend_usd,
        `This month's spend (${spent} USD) has reached the tenant's monthly limit of ${quotas.monthly_spend_usd} USD; it resets at the start of the next UTC month`,
        { current: spent, retryAfterSeconds: secondsToMonthEnd(now) },
      );
    }
  }
  if (quotas.active_evaluations === undefined) return { settings };
  const { count, guardVersion } = await countActive(deps, tenantId, quotas.active_evaluations);
  if (count >= quotas.active_evaluations) {
    // No Retry-After: when a slot frees depends on how long the running evaluations take.
    throw new QuotaExceededError(
      'active_evaluations',
      quotas.active_evaluations,
      `${plural(count, 'evaluation')} of this tenant are pending or running, its limit; create this one when one finishes or is cancelled`,
      { current: count },
    );
  }
  return { settings, activeGuardVersion: guardVersion };
}

/**
 * Runs `write` (the create's transaction) under the tenant's quotas: refused with 429 `quota_exceeded`
 * when one is reached, and written again with a fresh count when another create took a slot first.
 */
export async function createUnderQuotas<T>(
  deps: QuotaDeps | undefined,
  tenantId: string,
  itemCount: number,
  write: (admission: Admission | undefined) => Promise<T>,
  /** What to answer instead of a refusal, when there is something (the replay of an idempotent create). */
  replay?: () => Promise<T | undefined>,
): Promise<T> {
  if (!deps) return write(undefined);
  const settings = await deps.settings.get(tenantId);
  for (let round = 1; ; round += 1) {
    let admission: Admission;
    try {
      admission = await admit(deps, tenantId, settings, itemCount);
    } catch (error) {
      const replayed = error instanceof QuotaExceededError ? await replay?.() : undefined;
      if (replayed !== undefined) return replayed;
      throw error;
    }
    try {
      return await write(admission);
    } catch (error) {
      if (!(error instanceof ActiveEvaluationsChangedError)) throw error;
      if (round >= ADMISSION_ROUNDS) throw new ServiceUnavailableError('Too many evaluations are being created at once for this tenant; retry');
      await sleepFullJitter(round, { baseMs: 20, capMs: 500 });
    }
  }
}
