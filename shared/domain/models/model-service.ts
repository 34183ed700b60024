import { ConflictError, NotFoundError, UnprocessableEntityError } from '../errors.js';
import { logger } from '../../platform/logger.js';
import type { Page } from '../../contracts/pagination.js';
import { ModelAlreadyExistsError, type ModelStore } from '../ports/model-store.js';
import { isoNow } from '../../platform/time.js';
import { serviceConfig } from '../../platform/config.js';
import { decideCredentials } from './credential-policy.js';
import { builtinCatalogue, resolveBuiltinModel } from './builtin-models.js';
import { assertBaseUrlAllowed } from './egress-policy.js';
import type { CredentialCheck } from '../ports/credential-check.js';
import type { Model, RegisterModelRequest } from '../../contracts/models/schemas.js';

type Store = Pick<ModelStore, 'create' | 'get' | 'list' | 'delete' | 'setDefaultJudge' | 'clearDefaultJudge'>;

export async function registerModel(
  store: Store,
  credentials: CredentialCheck,
  tenantId: string,
  request: RegisterModelRequest,
  allowedKeyEnv: readonly string[] = serviceConfig.allowedKeyEnv,
): Promise<Model> {
  assertBaseUrlAllowed(request.base_url);
  const model: Model = { ...request, builtin: false, baseline: request.provider === 'baseline', created_at: isoNow() };
  // Whose key the model may use is decided on the request alone, before anything is asked of Secrets
  // Manager: a name outside the tenant's prefix is refused whether or not such a secret exists.
  const decision = decideCredentials(model, tenantId, allowedKeyEnv);
  if (!decision.ok) {
    const { code, field, message } = decision.refusal;
    throw new UnprocessableEntityError(code, `The credentials of model ${model.model_id} are not allowed: ${field} ${message}`, [
      { path: field, message },
    ]);
  }
  const problem = await credentials.problem(model, tenantId);
  if (problem) {
    throw new UnprocessableEntityError('model_credentials_missing', `The credentials of model ${model.model_id} are not usable: ${problem}`, [
      { path: model.api_key_env ? 'api_key_env' : 'api_key_secret', message: problem },
    ]);
  }
  try {
    await store.create(tenantId, model);
  } catch (error) {
    if (error instanceof ModelAlreadyExistsError) {
      throw new ConflictError(`Model ${model.model_id} is already registered; delete it first to change it`, 'model_exists');
    }
    throw error;
  }
  if (model.default_judge) await store.setDefaultJudge(tenantId, model.model_id);
  logger.info('model registered', { model_id: model.model_id, provider: model.provider, default_judge: model.default_judge ?? false });
  return model;
}

/** The tenant's registered model of that id, else the built-in one; registration wins. */
export async function findModel(store: Pick<Store, 'get'>, tenantId: string, modelId: string): Promise<Model | undefined> {
  // The `baseline:` prefix cannot be registered (see the registration schema), so no read is needed.
  if (modelId.startsWith('baseline:')) return resolveBuiltinModel(modelId);
  return (await store.get(tenantId, modelId)) ?? resolveBuiltinModel(modelId);
}

export async function getModel(store: Store, tenantId: string, modelId: string): Promise<Model> {
  const model = await findModel(store, tenantId, modelId);
  if (!model) throw new NotFoundError('model', modelId, 'model_id');
  return model;
}

export type ModelSource = 'all' | 'registered' | 'builtin';

/**
 * Registered models, newest first and paginated; with `source=all` the built-in catalogue follows on the
 * last page, so one walk through the pages sees every model a tenant can use.
 */
export async function listModels(
  store: Store,
  tenantId: string,
  page: { limit: number; cursor?: string; source: ModelSource },
): Promise<Page<Model>> {
  if (page.source === 'builtin') return { items: builtinCatalogue(), next_cursor: null };
  const registered = await store.list(tenantId, page);
  if (page.source === 'registered' || registered.next_cursor) return registered;
  return { items: [...registered.items, ...builtinCatalogue()], next_cursor: null };
}

export async function deleteModel(store: Store, tenantId: string, modelId: string): Promise<void> {
  if (await store.delete(tenantId, modelId)) {
    await store.clearDefaultJudge(tenantId, modelId);
    logger.info('model deleted', { model_id: modelId });
    return;
  }
  if (resolveBuiltinModel(modelId)) {
    throw new ConflictError(`Model ${modelId} is built in and cannot be deleted`, 'builtin_model');
  }
  throw new NotFoundError('model', modelId, 'model_id');
}

/**
 * The models an evaluation will call, resolved now and snapshotted into the evaluation, so deleting or
 * re-registering a model later does not change an evaluation that already ran on it.
 */
export async function resolveEvaluationModels(
  store: Pick<Store, 'get'>,
  credentials: CredentialCheck,
  tenantId: string,
  modelIds: { path: string; id: string }[],
): Promise<Model[]> {
  const resolved: Model[] = [];
  for (const { path, id } of modelIds) {
    const model = await findModel(store, tenantId, id);
    if (!model) {
      throw new UnprocessableEntityError(
        'unknown_model',
        `Unknown model ${id}: register it with POST /api/v3/models, or use a built-in id (GET /api/v3/models?source=builtin)`,
        [{ path, message: 'no registered or built-in model with this id' }],
      );
    }
    // Built-in providers' keys belong to the deployment; a missing one fails the items with that reason.
    const problem = model.builtin ? undefined : await credentials.problem(model, tenantId);
    if (problem) {
      throw new UnprocessableEntityError('model_credentials_missing', `The credentials of model ${id} are not usable: ${problem}`, [
        { path, message: problem },
      ]);
    }
    resolved.push(model);
  }
  return resolved;
}
