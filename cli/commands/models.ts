import { Command } from 'commander';
import type { Schemas } from '../../client/index.js';
import { call, connect } from '../api.js';
import { UsageError } from '../errors.js';
import { print, type Io } from '../io.js';
import { commaList, integerIn, numberIn, oneOf } from '../options.js';
import { renderTable } from '../table.js';

type Provider = Schemas['Model']['provider'];
const providers: readonly Provider[] = ['bedrock', 'openai', 'anthropic', 'openai_compatible', 'baseline'];

interface AddOptions {
  provider: Provider;
  providerModelId: string;
  displayName?: string;
  baseUrl?: string;
  apiKeySecret?: string;
  apiKeyEnv?: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  systemPrompt?: string;
  stop?: string[];
  seed?: number;
  maxConcurrency?: number;
  requestsPerMinute?: number;
  timeoutMs?: number;
  inputPrice?: number;
  outputPrice?: number;
  defaultJudge?: boolean;
}

/** Only what the user gave: the API applies its own defaults to the rest. */
function registration(modelId: string, options: AddOptions) {
  if ((options.inputPrice === undefined) !== (options.outputPrice === undefined)) {
    throw new UsageError('give both --input-price and --output-price (USD per million tokens), or neither');
  }
  const parameters = {
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.topP !== undefined ? { top_p: options.topP } : {}),
    ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
    ...(options.systemPrompt !== undefined ? { system_prompt: options.systemPrompt } : {}),
    ...(options.stop !== undefined ? { stop_sequences: options.stop } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  };
  return {
    model_id: modelId,
    provider: options.provider,
    provider_model_id: options.providerModelId,
    ...(options.displayName ? { display_name: options.displayName } : {}),
    ...(options.baseUrl ? { base_url: options.baseUrl } : {}),
    ...(options.apiKeySecret ? { api_key_secret: options.apiKeySecret } : {}),
    ...(options.apiKeyEnv ? { api_key_env: options.apiKeyEnv } : {}),
    ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
    ...(options.maxConcurrency !== undefined ? { max_concurrency: options.maxConcurrency } : {}),
    ...(options.requestsPerMinute !== undefined ? { requests_per_minute: options.requestsPerMinute } : {}),
    ...(options.timeoutMs !== undefined ? { timeout_ms: options.timeoutMs } : {}),
    ...(options.inputPrice !== undefined && options.outputPrice !== undefined
      ? { pricing: { input_per_million: options.inputPrice, output_per_million: options.outputPrice } }
      : {}),
    ...(options.defaultJudge ? { default_judge: true } : {}),
  };
}

const source = (model: Schemas['Model']) => (model.baseline ? 'baseline' : model.builtin ? 'builtin' : 'registered');

export function modelsCommand(io: Io): Command {
  const models = new Command('models').description('register and list models');

  models
    .command('add')
    .description('register a model: a provider and its model, where its key lives, generation parameters')
    .argument('<model_id>', 'the id evaluations will name it by (letters, digits, . _ : -)')
    .requiredOption('--provider <provider>', providers.join(', '), oneOf(providers))
    .requiredOption('--provider-model-id <id>', "the provider's name for the model (llama3.1:8b, gpt-4o-mini, …)")
    .option('--display-name <name>', 'a friendlier name')
    .option('--base-url <url>', 'the server of an openai_compatible model (http://127.0.0.1:11434/v1)')
    .option('--api-key-secret <name>', 'Secrets Manager secret under arbiter/tenants/<your tenant>/ holding the provider key')
    .option('--api-key-env <name>', 'environment variable holding the provider key (local stack; one the operator allows in ARBITER_ALLOWED_KEY_ENV)')
    .option('--temperature <t>', 'sampling temperature (0-2)', numberIn(0, 2))
    .option('--top-p <p>', 'nucleus sampling (0-1)', numberIn(0, 1))
    .option('--max-tokens <n>', 'longest answer, in tokens', integerIn(1, 200_000))
    .option('--system-prompt <text>', 'system prompt sent with every item')
    .option('--stop <sequences>', 'stop sequences, comma-separated', commaList)
    .option('--seed <n>', 'sampling seed, where the provider supports one', integerIn(0, 2 ** 31 - 1))
    .option('--max-concurrency <n>', 'parallel calls across the deployment (every evaluator instance together)', integerIn(1, 256))
    .option('--requests-per-minute <n>', "the provider's rate limit, held across the deployment", integerIn(1, 100_000))
    .option('--timeout-ms <ms>', 'per-call timeout', integerIn(1000, 900_000))
    .option('--input-price <usd>', 'USD per million input tokens (for cost)', numberIn(0, 10_000))
    .option('--output-price <usd>', 'USD per million output tokens (for cost)', numberIn(0, 10_000))
    .option('--default-judge', "make it the tenant's judge for judged metrics that name none")
    .action(async (modelId: string, options: AddOptions) => {
      const body = registration(modelId, options);
      const api = connect(io);
      // The generated request type marks fields with server defaults as required; the API does not.
      const { data } = await call(api, () => api.client.POST('/api/v3/models', { body: body as Schemas['RegisterModelRequest'] }));
      print(io.stderr, `registered ${data.model_id} (${data.provider} ${data.provider_model_id})`);
      print(io.stdout, data.model_id);
    });

  models
    .command('list')
    .description('list registered models, then the built-in catalogue')
    .option('--source <source>', 'registered, builtin or all', oneOf(['all', 'registered', 'builtin'] as const), 'all')
    .option('--json', 'print the models as JSON')
    .action(async (options: { source: 'all' | 'registered' | 'builtin'; json?: boolean }) => {
      const api = connect(io);
      const all: Schemas['Model'][] = [];
      let cursor: string | undefined;
      do {
        const { data } = await call(api, () =>
          api.client.GET('/api/v3/models', { params: { query: { source: options.source, limit: 100, ...(cursor ? { cursor } : {}) } } }),
        );
        all.push(...data.items);
        cursor = data.next_cursor ?? undefined;
      } while (cursor);
      if (options.json) return void print(io.stdout, JSON.stringify(all, null, 2));
      const rows = all.map((model) => [
        model.model_id,
        model.provider,
        model.provider_model_id,
        source(model),
        model.default_judge ? 'default judge' : '',
      ]);
      print(io.stdout, renderTable(['model_id', 'provider', 'provider_model_id', 'source', ''], rows));
    });

  return models;
}
