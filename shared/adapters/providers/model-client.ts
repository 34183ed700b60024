/** One entry point for the evaluator: a retrying `ModelClient` for any registered or built-in model. */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { Dispatcher } from 'undici';
import type { Model } from '../../contracts/models/schemas.js';
import { AnthropicMessagesClient } from './anthropic-messages.js';
import { BaselineClient, isBaselineKind } from './baseline.js';
import { BedrockConverseClient } from './bedrock-converse.js';
import { apiKeySourceFromEnvironment, resolveApiKey, type ApiKeySource } from './api-key-sources.js';
import { OpenAiChatClient } from './openai-chat.js';
import { withRetries, type RetryPolicy } from './retry.js';
import { ProviderError, type ModelClient } from '../../domain/ports/model-client.js';

export interface ModelClientDeps {
  /** Carries HTTP providers' calls; the container's egress guard unless given (tests). */
  dispatcher?: Dispatcher;
  bedrock?: BedrockRuntimeClient;
  apiKeys?: ApiKeySource;
  /** The variables `api_key_env` may name; default `ARBITER_ALLOWED_KEY_ENV`. */
  allowedKeyEnv?: readonly string[];
  retry?: RetryPolicy;
}

/**
 * The adapter for a model's provider, without retries, calling for `tenantId`: the tenant whose
 * evaluation this is, whose credentials (and no one else's) the call may use.
 */
export function createProviderClient(model: Model, tenantId: string, deps: ModelClientDeps = {}): ModelClient {
  // Looked up on first use, so Bedrock and baseline models never create a Secrets Manager client.
  const apiKey = () => resolveApiKey(model, tenantId, deps.apiKeys ?? apiKeySourceFromEnvironment(), deps.allowedKeyEnv);
  switch (model.provider) {
    case 'openai':
    case 'openai_compatible':
      return new OpenAiChatClient({ model: model.provider_model_id, baseUrl: model.base_url, apiKey, dispatcher: deps.dispatcher });
    case 'anthropic':
      return new AnthropicMessagesClient({ model: model.provider_model_id, baseUrl: model.base_url, apiKey, dispatcher: deps.dispatcher });
    case 'bedrock':
      return new BedrockConverseClient({ modelId: model.provider_model_id, client: deps.bedrock });
    case 'baseline':
      if (!isBaselineKind(model.provider_model_id)) throw new ProviderError('not_found', `there is no baseline called ${model.provider_model_id}`);
      return new BaselineClient(model.provider_model_id);
  }
}

export function createModelClient(model: Model, tenantId: string, deps: ModelClientDeps = {}): ModelClient {
  return withRetries(createProviderClient(model, tenantId, deps), deps.retry);
}
