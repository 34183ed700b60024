import type { Model } from '../../contracts/models/schemas.js';
import type { Page } from '../../contracts/pagination.js';

/** A model of that id is already registered for the tenant. */
export class ModelAlreadyExistsError extends Error {}

/** A tenant's registered models and its default judge. */
export interface ModelStore {
  /** Throws `ModelAlreadyExistsError` when the id is taken. */
  create(tenantId: string, model: Model): Promise<void>;
  get(tenantId: string, modelId: string): Promise<Model | undefined>;
  list(tenantId: string, page: { limit: number; cursor?: string }): Promise<Page<Model>>;
  /** False when there was no such model. */
  delete(tenantId: string, modelId: string): Promise<boolean>;
  setDefaultJudge(tenantId: string, modelId: string): Promise<void>;
  defaultJudge(tenantId: string): Promise<string | undefined>;
  /** Forgets the tenant's default judge if it is this model. */
  clearDefaultJudge(tenantId: string, modelId: string): Promise<void>;
}
