import type { Pricing, Provider } from '../../contracts/models/model-fields.js';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_TIMEOUT_MS, type Model } from '../../contracts/models/schemas.js';

/**
 * Well-known model ids that need no registration, with list prices (USD per million tokens) where known.
 * Prices change: a tenant that registers a model under the same id, with its own `pricing`, overrides
 * the entry here.
 */
const listPrices: Record<string, Pricing> = {
  'gpt-4': { input_per_million: 30, output_per_million: 60 },
  'gpt-4-turbo': { input_per_million: 10, output_per_million: 30 },
  'gpt-4o': { input_per_million: 2.5, output_per_million: 10 },
  'gpt-4o-mini': { input_per_million: 0.15, output_per_million: 0.6 },
  'gpt-4.1': { input_per_million: 2, output_per_million: 8 },
  'gpt-4.1-mini': { input_per_million: 0.4, output_per_million: 1.6 },
  'gpt-4.1-nano': { input_per_million: 0.1, output_per_million: 0.4 },
  'gpt-3.5-turbo': { input_per_million: 0.5, output_per_million: 1.5 },
  'claude-3-opus-20240229': { input_per_million: 15, output_per_million: 75 },
  'claude-3-sonnet-20240229': { input_per_million: 3, output_per_million: 15 },
  'claude-3-haiku-20240307': { input_per_million: 0.25, output_per_million: 1.25 },
  'claude-3-5-sonnet-20240620': { input_per_million: 3, output_per_million: 15 },
  'claude-3-5-sonnet-20241022': { input_per_million: 3, output_per_million: 15 },
  'claude-3-5-haiku-20241022': { input_per_million: 0.8, output_per_million: 4 },
  'claude-3-7-sonnet-20250219': { input_per_million: 3, output_per_million: 15 },
  'claude-sonnet-4-20250514': { input_per_million: 3, output_per_million: 15 },
  'claude-opus-4-20250514': { input_per_million: 15, output_per_million: 75 },
  'anthropic.claude-3-sonnet-20240229-v1:0': { input_per_million: 3, output_per_million: 15 },
  'anthropic.claude-3-haiku-20240307-v1:0': { input_per_million: 0.25, output_per_million: 1.25 },
  'anthropic.claude-3-5-sonnet-20240620-v1:0': { input_per_million: 3, output_per_million: 15 },
  'amazon.nova-micro-v1:0': { input_per_million: 0.035, output_per_million: 0.14 },
  'amazon.nova-lite-v1:0': { input_per_million: 0.06, output_per_million: 0.24 },
  'amazon.nova-pro-v1:0': { input_per_million: 0.8, output_per_million: 3.2 },
  'meta.llama3-1-8b-instruct-v1:0': { input_per_million: 0.22, output_per_million: 0.22 },
  'meta.llama3-1-70b-instruct-v1:0': { input_per_million: 0.72, output_per_million: 0.72 },
};

const baselines: Record<string, string> = {
  'baseline:echo': 'Answers with the rendered prompt, unchanged',
  'baseline:reference': "Answers with the item's expected answer (an upper bound)",
  'baseline:first-choice': 'Multiple choice: always answers the first option (a floor)',
};

const bedrockVendors = '(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|writer|qwen|openai)';
const patterns: { provider: Provider; pattern: RegExp }[] = [
  { provider: 'openai', pattern: /^(gpt-[A-Za-z0-9.:-]+|o[1-9](-[A-Za-z0-9.-]+)?|chatgpt-[A-Za-z0-9.-]+)$/ },
  { provider: 'anthropic', pattern: /^claude-[A-Za-z0-9.-]+$/ },
  { provider: 'bedrock', pattern: new RegExp(`^((us|eu|apac|global|jp|au|ca|us-gov)\\.)?${bedrockVendors}\\.[A-Za-z0-9._:-]+$`) },
];

function builtin(modelId: string, provider: Provider, extra: Partial<Model> = {}): Model {
  return {
    model_id: modelId,
    provider,
    provider_model_id: provider === 'baseline' ? modelId.slice('baseline:'.length) : modelId,
    parameters: {},
    max_concurrency: DEFAULT_MAX_CONCURRENCY,
    timeout_ms: DEFAULT_TIMEOUT_MS,
    pricing: Object.hasOwn(listPrices, modelId) ? listPrices[modelId] : undefined,
    builtin: true,
    baseline: provider === 'baseline',
    // No key location: a built-in model always uses the deployment's key of its provider
    // (credential-policy.ts), and where the operator keeps it is none of a tenant's business.
    ...extra,
  };
}

/** The built-in model for a well-known id, or undefined. */
export function resolveBuiltinModel(modelId: string): Model | undefined {
  // Own keys only: `in` would take `constructor` or `__proto__` for a baseline.
  if (Object.hasOwn(baselines, modelId)) return builtin(modelId, 'baseline', { display_name: baselines[modelId] });
  const match = patterns.find(({ pattern }) => pattern.test(modelId));
  return match ? builtin(modelId, match.provider) : undefined;
}

/** The catalogue as listed by `GET /api/v3/models`: baselines, then every model with a known price. */
export function builtinCatalogue(): Model[] {
  return [...Object.keys(baselines), ...Object.keys(listPrices)].map((id) => resolveBuiltinModel(id)!);
}
