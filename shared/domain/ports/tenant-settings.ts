import type { SettingName, TenantSettings, TenantSettingsPatch } from '../../contracts/tenants/schemas.js';

/** The operator's settings of each tenant (quotas, default budget), and whether a tenant exists at all. */
export interface TenantSettingsStore {
  /** The tenant's settings; no quotas and no default budget when none were ever set. */
  get(tenantId: string): Promise<TenantSettings>;
  /** Whether an API key was ever issued for the tenant (revoked keys count: the tenant existed). */
  exists(tenantId: string): Promise<boolean>;
  /** Sets the given values and keeps the others; the settings as they now are. */
  update(tenantId: string, patch: TenantSettingsPatch): Promise<TenantSettings>;
  /** Removes one quota (unlimited again) or the default budget; the settings as they now are. */
  clear(tenantId: string, name: SettingName): Promise<TenantSettings>;
}
