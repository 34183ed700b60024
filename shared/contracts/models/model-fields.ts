import * as v from 'valibot';

/**
 * The fields a model has both as registered (`schemas.ts`) and as shown (`response-schemas.ts`), in a
 * module of their own so those two build on them without importing each other.
 */

export const providers = ['bedrock', 'openai', 'anthropic', 'openai_compatible', 'baseline'] as const;
export const ProviderSchema = v.picklist(providers, `must be one of: ${providers.join(', ')}`);
export type Provider = v.InferOutput<typeof ProviderSchema>;

/** A strict object whose errors name the unknown or missing field, and bounded numbers: the registration schema uses them too. */
export const strict = <TEntries extends v.ObjectEntries>(entries: TEntries) =>
  v.strictObject(entries, (issue) =>
    issue.expected === 'never' ? 'is not a known field' : issue.path?.length ? 'is required' : 'must be an object',
  );

const number = (min: number, max: number) =>
  v.pipe(v.number('must be a number'), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));
export const integer = (min: number, max: number) => v.pipe(number(min, max), v.integer('must be a whole number'));

export const GenerationParametersSchema = strict({
  temperature: v.optional(number(0, 2)),
  top_p: v.optional(number(0, 1)),
  max_tokens: v.optional(integer(1, 200_000)),
  system_prompt: v.optional(v.pipe(v.string('must be a string'), v.maxLength(20_000, 'must be at most 20000 characters'))),
  stop_sequences: v.optional(
    v.pipe(
      v.array(v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty'), v.maxLength(100)), 'must be an array of strings'),
      v.maxLength(8, 'may hold at most 8 sequences'),
    ),
  ),
  seed: v.optional(integer(0, 2 ** 31 - 1)),
});
export type GenerationParameters = v.InferOutput<typeof GenerationParametersSchema>;

export const PricingSchema = strict({
  input_per_million: number(0, 10_000),
  output_per_million: number(0, 10_000),
});
export type Pricing = v.InferOutput<typeof PricingSchema>;
