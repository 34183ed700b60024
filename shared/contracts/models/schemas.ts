import * as v from 'valibot';
import { ModelIdSchema } from '../identifiers.js';
import { PageQuerySchema } from '../pagination.js';
import { JsonObjectSchema } from '../primitives.js';
import { GenerationParametersSchema, integer, PricingSchema, ProviderSchema, strict } from './model-fields.js';
import type { ModelSchema } from './response-schemas.js';

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_CONCURRENCY = 4;
/** A provider tier's ceiling with room to spare; beyond it a per-minute window would not bind anyway. */
export const MAX_REQUESTS_PER_MINUTE = 100_000;

/**
 * A Secrets Manager secret name (not an ARN). Which names a tenant may use, those under its own
 * `arbiter/tenants/<tenant_id>/`, depends on who calls, so registration checks that (422), not the schema.
 */
const SecretNameSchema = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name (letters, digits and / _ + = . @ -)'),
);
const EnvNameSchema = v.pipe(v.string('must be a string'), v.regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'must be an environment variable name (A-Z, 0-9, _)'));

export const RegisterModelRequestSchema = v.pipe(
  JsonObjectSchema,
  strict({
    model_id: v.pipe(
      ModelIdSchema,
      v.check((id) => !id.startsWith('baseline:'), 'the baseline: prefix is reserved for built-in models'),
    ),
    provider: ProviderSchema,
    provider_model_id: v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty'), v.maxLength(200, 'must be at most 200 characters')),
    display_name: v.optional(v.pipe(v.string('must be a string'), v.maxLength(200, 'must be at most 200 characters'))),
    base_url: v.optional(
      v.pipe(v.string('must be a string'), v.url('must be a URL'), v.regex(/^https?:\/\//, 'must be an http or https URL'), v.maxLength(2000)),
    ),
    parameters: v.optional(GenerationParametersSchema, {}),
    api_key_secret: v.optional(SecretNameSchema),
    api_key_env: v.optional(EnvNameSchema),
    max_concurrency: v.optional(integer(1, 256), DEFAULT_MAX_CONCURRENCY),
    /** Requests (attempts, retries included) per minute across the deployment; none when absent. */
    requests_per_minute: v.optional(integer(1, MAX_REQUESTS_PER_MINUTE)),
    timeout_ms: v.optional(integer(1000, 900_000), DEFAULT_TIMEOUT_MS),
    pricing: v.optional(PricingSchema),
    /** Makes this model the tenant's judge for judged metrics that name none. */
    default_judge: v.optional(v.boolean('must be true or false')),
  }),
  v.forward(
    v.partialCheck(
      [['provider'], ['base_url']],
      (m) => m.provider !== 'openai_compatible' || m.base_url !== undefined,
      'is required for an openai_compatible model',
    ),
    ['base_url'],
  ),
  v.forward(
    v.partialCheck(
      [['api_key_secret'], ['api_key_env']],
      (m) => !(m.api_key_secret && m.api_key_env),
      'give api_key_secret or api_key_env, not both',
    ),
    ['api_key_env'],
  ),
  v.forward(
    v.partialCheck(
      [['provider'], ['api_key_secret'], ['api_key_env']],
      (m) => !((m.provider === 'bedrock' || m.provider === 'baseline') && (m.api_key_secret || m.api_key_env)),
      'is not used by this provider (Bedrock uses the IAM role; baselines need none)',
    ),
    ['provider'],
  ),
  v.forward(
    v.partialCheck(
      [['provider'], ['provider_model_id']],
      (m) => m.provider !== 'baseline' || ['echo', 'reference', 'first-choice'].includes(m.provider_model_id),
      'a baseline is one of: echo, reference, first-choice',
    ),
    ['provider_model_id'],
  ),
);
export type RegisterModelRequest = v.InferOutput<typeof RegisterModelRequestSchema>;

export const ListModelsQuerySchema = v.object({
  ...PageQuerySchema.entries,
  source: v.optional(
    v.pipe(
      v.picklist(['all', 'registered', 'builtin'], 'must be one of: all, registered, builtin'),
      v.description("`registered`: the tenant's models; `builtin`: the catalogue; `all`: both, the catalogue after the last registered page."),
    ),
    'all',
  ),
});

/** A model as stored and as the API shows it: registered, or from the built-in catalogue. */
export type Model = v.InferOutput<typeof ModelSchema>;
