import * as v from 'valibot';
import { JsonObjectSchema, ModelIdSchema } from '../evaluations/schemas.js';
import { PageQuerySchema } from '../pagination.js';
import type { ModelSchema } from './response-schemas.js';

export const providers = ['bedrock', 'openai', 'anthropic', 'openai_compatible', 'baseline'] as const;
export const ProviderSchema = v.picklist(providers, `must be one of: ${providers.join(', ')}`);
export type Provider = v.InferOutput<typeof ProviderSchema>;

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_CONCURRENCY = 4;

const strict = <TEntries extends v.ObjectEntries>(entries: TEntries) =>
  v.strictObject(entries, (issue) => (issue.expected === 'never' ? 'is not a known field' : issue.path?.length ? 'is required' : 'must be an object'));

const number = (min: number, max: number) =>
  v.pipe(v.number('must be a number'), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));
const integer = (min: number, max: number) => v.pipe(number(min, max), v.integer('must be a whole number'));

export const GenerationParametersSchema = strict({
  temperature: v.optional(number(0, 2)),
  top_p: v.optional(number(0, 1)),
  max_tokens: v.optional(integer(1, 200_000)),
  system_prompt: v.optional(v.pipe(v.string('must be a string'), v.maxLength(20_000, 'must be at most 20000 characters'))),
  stop_sequences: v.optional(
    v.pipe(v.array(v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty'), v.maxLength(100)), 'must be an array of strings'), v.maxLength(8, 'may hold at most 8 sequences')),
  ),
  seed: v.optional(integer(0, 2 ** 31 - 1)),
});
export type GenerationParameters = v.InferOutput<typeof GenerationParametersSchema>;

export const PricingSchema = strict({
  input_per_million: number(0, 10_000),
  output_per_million: number(0, 10_000),
});
export type Pricing = v.InferOutput<typeof PricingSchema>;

/** A Secrets Manager secret under `arbiter/`, so the evaluator's IAM policy can be scoped to that prefix. */
const SecretNameSchema = v.pipe(
  v.string('must be a string'),
  v.regex(/^arbiter\/[A-Za-z0-9/_+=.@-]{1,200}$/, 'must be a Secrets Manager secret name starting with arbiter/'),
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
    base_url: v.optional(v.pipe(v.string('must be a string'), v.url('must be a URL'), v.regex(/^https?:\/\//, 'must be an http or https URL'), v.maxLength(2000))),
    parameters: v.optional(GenerationParametersSchema, {}),
    api_key_secret: v.optional(SecretNameSchema),
    api_key_env: v.optional(EnvNameSchema),
    max_concurrency: v.optional(integer(1, 256), DEFAULT_MAX_CONCURRENCY),
    timeout_ms: v.optional(integer(1000, 900_000), DEFAULT_TIMEOUT_MS),
    pricing: v.optional(PricingSchema),
    /** Makes this model the tenant's judge for judged metrics that name none. */
    default_judge: v.optional(v.boolean('must be true or false')),
  }),
  v.forward(
    v.partialCheck([['provider'], ['base_url']], (m) => m.provider !== 'openai_compatible' || m.base_url !== undefined, 'is required for an openai_compatible model'),
    ['base_url'],
  ),
  v.forward(
    v.partialCheck([['api_key_secret'], ['api_key_env']], (m) => !(m.api_key_secret && m.api_key_env), 'give api_key_secret or api_key_env, not both'),
    ['api_key_env'],
  ),
  v.forward(
    v.partialCheck([['provider'], ['api_key_secret'], ['api_key_env']], (m) => !((m.provider === 'bedrock' || m.provider === 'baseline') && (m.api_key_secret || m.api_key_env)), 'is not used by this provider (Bedrock uses the IAM role; baselines need none)'),
    ['provider'],
  ),
  v.forward(
    v.partialCheck([['provider'], ['provider_model_id']], (m) => m.provider !== 'baseline' || ['echo', 'reference', 'first-choice'].includes(m.provider_model_id), 'a baseline is one of: echo, reference, first-choice'),
    ['provider_model_id'],
  ),
);
export type RegisterModelRequest = v.InferOutput<typeof RegisterModelRequestSchema>;

export const ListModelsQuerySchema = v.object({
  ...PageQuerySchema.entries,
  source: v.optional(
    v.pipe(
      v.picklist(['all', 'registered', 'builtin'], 'must be one of: all, registered, builtin'),
      v.description('`registered`: the tenant\'s models; `builtin`: the catalogue; `all`: both, the catalogue after the last registered page.'),
    ),
    'all',
  ),
});

/** A model as stored and as the API shows it: registered, or from the built-in catalogue. */
export type Model = v.InferOutput<typeof ModelSchema>;
