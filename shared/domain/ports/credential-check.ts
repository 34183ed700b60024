import type { Model } from '../../contracts/models/schemas.js';

/**
 * Says why a model's credentials are not usable here, or undefined when they are. `tenantId` is the caller:
 * a check never looks up a secret outside that tenant's prefix.
 */
export interface CredentialCheck {
  problem(model: Model, tenantId: string): Promise<string | undefined>;
}
