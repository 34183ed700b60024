import * as v from 'valibot';
import {
  SettingNameSchema,
  TenantIdSchema,
  TenantSettingsPatchSchema,
  type TenantSettings,
  type TenantSettingsPatch,
} from '../../contracts/tenants/schemas.js';
import { NotFoundError, ValidationError, type FieldError } from '../errors.js';
import type { TenantSettingsStore } from '../ports/tenant-settings.js';

/**
 * The operator's commands on a tenant's settings (`npm run admin -- quota …`). Every value is checked and
 * the tenant must exist (an API key was issued for it) before anything is written, so a typo in a tenant
 * id or a value never leaves a stray record behind.
 */

function issuesOf(issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  return issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message }));
}

async function knownTenant(store: Pick<TenantSettingsStore, 'exists'>, tenantId: string): Promise<void> {
  const id = v.safeParse(TenantIdSchema, tenantId);
  if (!id.success) throw new ValidationError([{ path: 'tenant', message: id.issues[0].message }], `Invalid tenant id ${JSON.stringify(tenantId)}`);
  if (!(await store.exists(tenantId))) {
    const hint = `create one with \`npm run api-key -- create --tenant ${tenantId}\``;
    throw new NotFoundError('tenant', `${tenantId} (no API key was ever issued for it: ${hint})`, 'tenant');
  }
}

export async function showTenantSettings(store: TenantSettingsStore, tenantId: string): Promise<TenantSettings> {
  await knownTenant(store, tenantId);
  return store.get(tenantId);
}

/** Sets the given quotas (and default budget); those not given stay as they are. */
export async function setTenantSettings(store: TenantSettingsStore, tenantId: string, values: Record<string, unknown>): Promise<TenantSettings> {
  const parsed = v.safeParse(TenantSettingsPatchSchema, values);
  if (!parsed.success) throw new ValidationError(issuesOf(parsed.issues), 'Invalid quota values; nothing was written');
  const patch: TenantSettingsPatch = parsed.output;
  if (Object.values(patch).every((value) => value === undefined)) {
    throw new ValidationError([{ path: '', message: 'give at least one value to set' }], 'Nothing to set');
  }
  await knownTenant(store, tenantId);
  return store.update(tenantId, patch);
}

/** Removes one quota (unlimited again) or the default budget. */
export async function clearTenantSetting(store: TenantSettingsStore, tenantId: string, name: string): Promise<TenantSettings> {
  const parsed = v.safeParse(SettingNameSchema, name);
  if (!parsed.success) {
    throw new ValidationError(
      [{ path: 'name', message: `expected one of ${SettingNameSchema.options.join(', ')}` }],
      `Unknown setting ${JSON.stringify(name)}; nothing was written`,
    );
  }
  await knownTenant(store, tenantId);
  return store.clear(tenantId, parsed.output);
}
