/**
 * The response cache's rules (docs/reliability.md "Response cache"): which calls may be answered from
 * it, what identifies a call, and what each mode does. Storage is behind the `ResponseCache` port.
 */
import { createHash } from 'node:crypto';
import type { CacheMode, Evaluation } from '../../contracts/evaluations/schemas.js';
import type { Model } from '../../contracts/models/schemas.js';
import type { GenerateRequest } from '../ports/model-client.js';

/**
 * `use`: a re-run of an unchanged evaluation (the common CI case) costs nothing, and every key already
 * holds everything that changes an answer, so a hit is the answer the same call gave before. Tenants that
 * want fresh samples say `refresh` or `off`.
 */
export const DEFAULT_CACHE_MODE: CacheMode = 'use';

/** Bumped whenever what the key covers changes, so entries written under the old rule are never read. */
const KEY_VERSION = 'arbiter-response-cache-v1';

export const cacheModeOf = (evaluation: Pick<Evaluation, 'cache_mode'>): CacheMode => evaluation.cache_mode ?? DEFAULT_CACHE_MODE;
export const readsCache = (mode: CacheMode): boolean => mode === 'use';
export const writesCache = (mode: CacheMode): boolean => mode !== 'off';

/**
 * Baselines call no provider (nothing to save), and their answers depend on the item's reference,
 * which is not part of the key.
 */
export const cacheable = (model: Pick<Model, 'provider' | 'baseline'>): boolean => !model.baseline && model.provider !== 'baseline';

/** JSON with object keys sorted, so two equal parameter objects always hash alike. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * The SHA-256 of everything that can change the answer of `model` to `request`: the provider, its model
 * id, where it is reached and with which credential (by name: two accounts may serve different models
 * under one id), every generation parameter as sent (system prompt and seed included), the rendered
 * prompt and conversation, the requested format and the sample index. Not the timeout: it decides
 * whether an answer comes, not which.
 */
export function responseCacheKey(
  model: Model,
  request: Pick<GenerateRequest, 'prompt' | 'conversation' | 'parameters' | 'responseFormat' | 'repeatIndex'>,
): string {
  const identity = canonical({
    version: KEY_VERSION,
    provider: model.provider,
    provider_model_id: model.provider_model_id,
    base_url: model.base_url ?? null,
    api_key_secret: model.api_key_secret ?? null,
    api_key_env: model.api_key_env ?? null,
    parameters: request.parameters,
    seed: request.parameters.seed ?? null,
    system_prompt: request.parameters.system_prompt ?? null,
    prompt: request.prompt,
    conversation: request.conversation ?? null,
    response_format: request.responseFormat ?? null,
    repeat_index: request.repeatIndex ?? 0,
  });
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}
