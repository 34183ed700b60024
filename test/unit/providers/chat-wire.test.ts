/**
 * Chat items on the wire: each provider is sent the conversation in its own native shape (OpenAI
 * `messages` with a system turn; Anthropic and Bedrock Converse `system` apart from `messages`), with the
 * model's system prompt first and the benchmark's or item's system text after it.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { AnthropicMessagesClient } from '#shared/adapters/providers/anthropic-messages.js';
import { BedrockConverseClient } from '#shared/adapters/providers/bedrock-converse.js';
import { OpenAiChatClient } from '#shared/adapters/providers/openai-chat.js';
import type { GenerateRequest } from '#shared/domain/ports/model-client.js';
import { startWireServer, type WireServer } from '../../support/provider-wire/wire-server.js';

const conversation: GenerateRequest = {
  prompt: 'And of Italy?',
  conversation: {
    system: 'Answer with one word.',
    messages: [
      { role: 'user', content: 'What is the capital of France?' },
      { role: 'assistant', content: 'Paris' },
      { role: 'user', content: 'And of Italy?' },
    ],
  },
  parameters: { system_prompt: 'You are a geography tutor.', max_tokens: 16 },
  timeoutMs: 2000,
};
const system = 'You are a geography tutor.\n\nAnswer with one word.';

describe('chat conversations on the wire', () => {
  let server: WireServer;
  afterEach(() => server.stop());

  it('OpenAI-compatible: one system message, then the turns in order', async () => {
    server = await startWireServer();
    server.reply({
      body: {
        id: 'c',
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Rome' }, finish_reason: 'stop' }],
      },
    });
    const client = new OpenAiChatClient({ model: 'gpt-4o-mini', baseUrl: `${server.url}/v1` });
    const result = await client.generate(conversation);
    expect(result.text).toBe('Rome');
    expect((server.requests[0]!.json as { messages: unknown }).messages).toEqual([
      { role: 'system', content: system },
      { role: 'user', content: 'What is the capital of France?' },
      { role: 'assistant', content: 'Paris' },
      { role: 'user', content: 'And of Italy?' },
    ]);
  });

  it('Anthropic: system apart, turns as messages', async () => {
    server = await startWireServer();
    server.reply({
      body: {
        id: 'msg',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [{ type: 'text', text: 'Rome' }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    });
    const client = new AnthropicMessagesClient({ model: 'claude-3-5-haiku-20241022', baseUrl: server.url, apiKey: async () => 'k' });
    await client.generate(conversation);
    const sent = server.requests[0]!.json as { system: unknown; messages: unknown };
    expect(sent.system).toBe(system);
    expect(sent.messages).toEqual([
      { role: 'user', content: 'What is the capital of France?' },
      { role: 'assistant', content: 'Paris' },
      { role: 'user', content: 'And of Italy?' },
    ]);
  });

  it('Bedrock Converse: system blocks apart, turns with text content blocks', async () => {
    server = await startWireServer({ http2: true });
    server.reply({
      body: {
        output: { message: { role: 'assistant', content: [{ text: 'Rome' }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
      },
    });
    const sdk = new BedrockRuntimeClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      maxAttempts: 1,
    });
    try {
      await new BedrockConverseClient({ modelId: 'amazon.nova-lite-v1:0', client: sdk }).generate(conversation);
    } finally {
      sdk.destroy();
    }
    const sent = server.requests[0]!.json as { system: unknown; messages: unknown };
    expect(sent.system).toEqual([{ text: system }]);
    expect(sent.messages).toEqual([
      { role: 'user', content: [{ text: 'What is the capital of France?' }] },
      { role: 'assistant', content: [{ text: 'Paris' }] },
      { role: 'user', content: [{ text: 'And of Italy?' }] },
    ]);
  });

  it('a plain item still sends one user message, unchanged', async () => {
    server = await startWireServer();
    server.reply({
      body: {
        id: 'c',
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [{ index: 0, message: { role: 'assistant', content: '4' }, finish_reason: 'stop' }],
      },
    });
    await new OpenAiChatClient({ model: 'm', baseUrl: `${server.url}/v1` }).generate({ prompt: '2 + 2?', parameters: {}, timeoutMs: 2000 });
    expect((server.requests[0]!.json as { messages: unknown }).messages).toEqual([{ role: 'user', content: '2 + 2?' }]);
  });
});
