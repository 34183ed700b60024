import type { Model } from '../../contracts/models/schemas.js';

/** Says why a model's credentials are not usable here, or undefined when they are. */
export interface CredentialCheck {
  problem(model: Model): Promise<string | undefined>;
}
