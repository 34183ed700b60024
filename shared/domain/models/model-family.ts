import type { Model } from '../../contracts/models/schemas.js';

/**
 * The vendor family of a model, from its provider model id: judges rate their own family's answers
 * higher (self-preference bias), so results flag a judge that shares a family with a candidate.
 * Bedrock ids carry the vendor (`anthropic.claude-…`, `us.meta.llama…`); other ids are matched by their
 * well-known prefixes; anything else is its own family.
 */
const families: [RegExp, string][] = [
  [/^(gpt|o\d|chatgpt|text-davinci|davinci)/, 'openai'],
  [/^claude/, 'anthropic'],
  [/^(llama|meta-llama)/, 'meta'],
  [/^(nova|titan)/, 'amazon'],
  [/^(mistral|mixtral|ministral|codestral|pixtral)/, 'mistral'],
  [/^(command|cohere)/, 'cohere'],
  [/^(gemini|gemma)/, 'google'],
  [/^deepseek/, 'deepseek'],
  [/^qwen/, 'qwen'],
  [/^(jamba|j2)/, 'ai21'],
];

const bedrockVendor = /^(?:(?:us|eu|apac|global|jp|au|ca|us-gov)\.)?(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|writer|qwen|openai)\./;

export function modelFamily(model: Pick<Model, 'provider' | 'provider_model_id' | 'model_id'>): string {
  if (model.provider === 'baseline') return `baseline:${model.model_id}`;
  const id = model.provider_model_id.toLowerCase();
  const vendor = bedrockVendor.exec(id);
  if (vendor) return vendor[1]!;
  // "org/model" ids of OpenAI-compatible servers (meta-llama/Llama-3-8B): the model part names the family.
  const name = id.split('/').at(-1)!;
  return families.find(([pattern]) => pattern.test(name))?.[1] ?? name;
}

export function sameFamily(a: Parameters<typeof modelFamily>[0], b: Parameters<typeof modelFamily>[0]): boolean {
  return modelFamily(a) === modelFamily(b);
}
