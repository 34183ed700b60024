import * as v from 'valibot';
import { TimestampSchema } from '../primitives.js';
import { pageSchema } from '../primitives.js';
import { GenerationParametersSchema, PricingSchema, ProviderSchema } from './model-fields.js';

/** A model as the API shows it: registered by the tenant, or from the built-in catalogue. */
export const ModelSchema = v.strictObject({
  model_id: v.pipe(v.string(), v.description('The id evaluations name it by.'), v.examples(['claude-3-sonnet-20240229'])),
  provider: ProviderSchema,
  provider_model_id: v.pipe(v.string(), v.description("The provider's own name for the model.")),
  display_name: v.optional(v.string()),
  base_url: v.optional(v.string()),
  parameters: GenerationParametersSchema,
  api_key_secret: v.optional(v.pipe(v.string(), v.description('Secrets Manager secret holding the provider key (its name, never the key).'))),
  api_key_env: v.optional(v.pipe(v.string(), v.description('Environment variable holding the provider key (its name, never the key).'))),
  max_concurrency: v.pipe(v.number(), v.integer(), v.description('Concurrent calls across every evaluator instance.')),
  requests_per_minute: v.optional(
    v.pipe(v.number(), v.integer(), v.description('Requests per minute across every evaluator instance, retries included; unlimited when absent.')),
  ),
  timeout_ms: v.pipe(v.number(), v.integer()),
  pricing: v.optional(PricingSchema),
  default_judge: v.optional(v.pipe(v.boolean(), v.description("The tenant's judge for judged metrics that name none."))),
  builtin: v.pipe(v.boolean(), v.description('From the built-in catalogue: usable without registration.')),
  baseline: v.pipe(v.boolean(), v.description('A `baseline:…` model: no network, for demos and sanity checks.')),
  created_at: v.optional(TimestampSchema),
});

export const ModelPageSchema = pageSchema(
  ModelSchema,
  'Registered models, newest first; with `source=all` the built-in catalogue follows on the last page.',
);
