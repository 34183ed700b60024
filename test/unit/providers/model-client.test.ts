import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { resolveBuiltinModel } from '#shared/domain/models/builtin-models.js';
import type { Model } from '#shared/contracts/models/schemas.js';
import { EnvironmentApiKeys } from '#shared/adapters/providers/api-key-sources.js';
import { createModelClient } from '#shared/adapters/providers/model-client.js';
import type { RetryPolicy } from '#shared/adapters/providers/retry.js';
import type { GenerateRequest } from '#shared/domain/ports/model-client.js';
import { sendingTo, startWireServer, type WireServer } from '../../support/provider-wire/wire-server.js';

const registered = (overrides: Partial<Model>): Model => ({
  model_id: 'my-model',
  provider: 'openai_compatible',
  provider_model_id: 'llama3.1:8b',
  parameters: {},
  max_concurrency: 4,
  timeout_ms: 60_000,
  builtin: false,
  baseline: false,
  ...overrides,
});

const request: GenerateRequest = { prompt: 'What is 2 + 2?', parameters: { max_tokens: 8 }, timeoutMs: 2000, reference: { expected: '4' } };

const chatCompletion = (content: string) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1741569952,
  model: 'llama3.1:8b',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 6, completion_tokens: 1, total_tokens: 7 },
});

describe('createModelClient', () => {
  let server: WireServer;
  const delays: number[] = [];
  const retry: RetryPolicy = { sleep: async (ms) => void delays.push(ms), random: () => 0 };

  beforeEach(async () => {
    delays.length = 0;
    server = await startWireServer();
  });
  afterEach(() => server.stop());

  it('calls an OpenAI-compatible server at its base URL and retries what the server asks to retry', async () => {
    server.reply(
      { status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'slow down', type: 'requests' } } },
      { body: chatCompletion('4') },
    );
    const client = createModelClient(registered({ base_url: `${server.url}/v1` }), 'acme', { apiKeys: new EnvironmentApiKeys({}), retry });

    const result = await client.generate(request);

    expect(result).toMatchObject({ text: '4', attempts: 2, usage: { input_tokens: 6, output_tokens: 1 } });
    expect(delays).toEqual([2000]);
    expect(server.requests.map((sent) => sent.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  const anthropicReply = { body: { content: [{ type: 'text', text: '4' }], stop_reason: 'end_turn', usage: { input_tokens: 9, output_tokens: 1 } } };
  const deploymentKeys = new EnvironmentApiKeys({ ANTHROPIC_API_KEY: 'sk-ant-deployment', TEAM_ANTHROPIC_KEY: 'sk-ant-team' });

  it("sends the deployment's key to its provider's official endpoint", async () => {
    server.reply(anthropicReply);
    const toLocal = sendingTo(server.url);
    const client = createModelClient(resolveBuiltinModel('claude-3-5-haiku-20241022')!, 'acme', {
      apiKeys: deploymentKeys,
      dispatcher: toLocal,
      retry,
    });

    await expect(client.generate(request)).resolves.toMatchObject({ text: '4', attempts: 1 });
    expect(server.requests[0]?.headers['x-api-key']).toBe('sk-ant-deployment');
  });

  it('sends a model with a base_url its own key, from where the model says it lives', async () => {
    server.reply(anthropicReply);
    const own = registered({
      provider: 'anthropic',
      provider_model_id: 'claude-3-5-haiku-20241022',
      base_url: server.url,
      api_key_env: 'TEAM_ANTHROPIC_KEY',
    });
    const client = createModelClient(own, 'acme', { apiKeys: deploymentKeys, allowedKeyEnv: ['TEAM_ANTHROPIC_KEY'], retry });

    await expect(client.generate(request)).resolves.toMatchObject({ text: '4', attempts: 1 });
    expect(server.requests[0]?.headers['x-api-key']).toBe('sk-ant-team');
  });

  it("never sends the deployment's key to a base_url, whatever the stored record says, and makes no request", async () => {
    const smuggled = [
      { ...resolveBuiltinModel('claude-3-5-haiku-20241022')!, base_url: server.url },
      registered({ provider: 'anthropic', provider_model_id: 'claude-3-5-haiku-20241022', base_url: server.url }),
      registered({ provider: 'anthropic', provider_model_id: 'claude-3-5-haiku-20241022', base_url: server.url, api_key_env: 'ANTHROPIC_API_KEY' }),
    ];
    for (const model of smuggled) {
      const client = createModelClient(model, 'acme', { apiKeys: deploymentKeys, allowedKeyEnv: ['ANTHROPIC_API_KEY'], retry });

      await expect(client.generate(request)).rejects.toMatchObject({ code: 'credentials_missing', attempts: 1 });
    }
    expect(server.requests).toHaveLength(0);
  });

  it('fails without calling OpenAI when its key is missing, and says where to put it', async () => {
    const toLocal = sendingTo(server.url);
    const client = createModelClient(resolveBuiltinModel('gpt-4o-mini')!, 'acme', {
      apiKeys: new EnvironmentApiKeys({}),
      dispatcher: toLocal,
      retry,
    });

    const error = await client.generate(request).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'credentials_missing', attempts: 1, message: expect.stringContaining('OPENAI_API_KEY') });
    expect(server.requests).toHaveLength(0);
  });

  it('calls Bedrock through the client it is given', async () => {
    const bedrockServer = await startWireServer({ http2: true });
    const bedrock = new BedrockRuntimeClient({
      endpoint: bedrockServer.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
    bedrockServer.reply({
      body: {
        output: { message: { role: 'assistant', content: [{ text: '4' }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: 7, outputTokens: 1, totalTokens: 8 },
      },
    });
    try {
      const client = createModelClient(resolveBuiltinModel('amazon.nova-micro-v1:0')!, 'acme', { bedrock, retry });

      await expect(client.generate(request)).resolves.toMatchObject({ text: '4', usage: { input_tokens: 7, output_tokens: 1 } });
      expect(bedrockServer.requests[0]?.path).toBe('/model/amazon.nova-micro-v1%3A0/converse');
    } finally {
      bedrock.destroy();
      await bedrockServer.stop();
    }
  });

  it.each([
    ['baseline:echo', 'What is 2 + 2?'],
    ['baseline:reference', '4'],
    ['baseline:first-choice', 'A'],
  ])('answers %s without the network', async (modelId, text) => {
    const client = createModelClient(resolveBuiltinModel(modelId)!, 'acme', { apiKeys: new EnvironmentApiKeys({}) });

    await expect(client.generate(request)).resolves.toEqual({
      text,
      finish_reason: 'stop',
      usage: { input_tokens: 0, output_tokens: 0 },
      latency_ms: 0,
      attempts: 1,
    });
  });

  it('rejects a baseline that does not exist', () => {
    expect(() => createModelClient(registered({ provider: 'baseline', provider_model_id: 'oracle' }), 'acme')).toThrow(
      expect.objectContaining({ code: 'not_found' }),
    );
  });
});
