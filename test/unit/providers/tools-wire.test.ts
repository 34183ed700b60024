/**
 * Tool calls on the wire: each provider is sent the benchmark's tools and tool_choice in its own native
 * shape, and its tool calls are read back into one `{name, arguments}` shape (OpenAI's JSON-text arguments
 * parsed; text that does not parse kept raw and flagged, never a failure).
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { AnthropicMessagesClient } from '#shared/adapters/providers/anthropic-messages.js';
import { BedrockConverseClient } from '#shared/adapters/providers/bedrock-converse.js';
import { OpenAiChatClient } from '#shared/adapters/providers/openai-chat.js';
import type { GenerateRequest } from '#shared/domain/ports/model-client.js';
import { startWireServer, type WireServer } from '../../support/provider-wire/wire-server.js';

const parameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const request: GenerateRequest = {
  prompt: 'Weather in Paris?',
  parameters: { max_tokens: 64 },
  timeoutMs: 2000,
  tools: [
    { name: 'get_weather', description: 'Current weather', parameters },
    { name: 'get_time', parameters: { type: 'object' } },
  ],
  toolChoice: { type: 'tool', name: 'get_weather' },
};

describe('tool calls on the wire', () => {
  let server: WireServer;
  afterEach(() => server.stop());

  const openAiReply = (calls: Array<{ name: string; arguments: string }>) => ({
    body: {
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: calls.map((fn, index) => ({ id: `call_${index}`, type: 'function', function: fn })),
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5 },
    },
  });

  it('OpenAI-compatible: tools as functions, a named tool_choice; arguments parsed from JSON text', async () => {
    server = await startWireServer();
    server.reply(openAiReply([{ name: 'get_weather', arguments: '{"city": "Paris"}' }]));
    const result = await new OpenAiChatClient({ model: 'gpt-4o-mini', baseUrl: `${server.url}/v1` }).generate(request);
    const sent = server.requests[0]!.json as { tools: unknown; tool_choice: unknown };
    expect(sent.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters } },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } },
    ]);
    expect(sent.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(result).toMatchObject({ text: '', finish_reason: 'stop', tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] });
  });

  it('OpenAI-compatible: arguments that are not a JSON object are kept raw and flagged', async () => {
    server = await startWireServer();
    server.reply(
      openAiReply([
        { name: 'get_weather', arguments: '{"city": "Par' },
        { name: 'get_time', arguments: '"noon"' },
      ]),
    );
    const result = await new OpenAiChatClient({ model: 'm', baseUrl: `${server.url}/v1` }).generate({ ...request, toolChoice: 'required' });
    expect((server.requests[0]!.json as { tool_choice: unknown }).tool_choice).toBe('required');
    expect(result.tool_calls).toEqual([
      { name: 'get_weather', arguments: '{"city": "Par', arguments_invalid: true },
      { name: 'get_time', arguments: '"noon"', arguments_invalid: true },
    ]);
  });

  it('without tools nothing tool-shaped is sent', async () => {
    server = await startWireServer();
    server.reply(openAiReply([]));
    await new OpenAiChatClient({ model: 'm', baseUrl: `${server.url}/v1` }).generate({ prompt: 'hi', parameters: {}, timeoutMs: 2000 });
    const sent = server.requests[0]!.json as Record<string, unknown>;
    expect(sent.tools).toBeUndefined();
    expect(sent.tool_choice).toBeUndefined();
  });

  it('Anthropic: tools with input_schema, tool_choice {type: tool}; tool_use blocks read', async () => {
    server = await startWireServer();
    server.reply({
      body: {
        id: 'msg',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 10, output_tokens: 5 },
      },
    });
    const client = new AnthropicMessagesClient({ model: 'claude-3-5-haiku-20241022', baseUrl: server.url, apiKey: async () => 'k' });
    const result = await client.generate(request);
    const sent = server.requests[0]!.json as { tools: unknown; tool_choice: unknown };
    expect(sent.tools).toEqual([
      { name: 'get_weather', description: 'Current weather', input_schema: parameters },
      { name: 'get_time', input_schema: { type: 'object' } },
    ]);
    expect(sent.tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
    expect(result).toMatchObject({
      text: 'Let me check.',
      finish_reason: 'stop',
      tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
    });
  });

  it('Anthropic: required is spelled any', async () => {
    server = await startWireServer();
    server.reply({
      body: {
        id: 'msg',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [],
        stop_reason: 'end_turn',
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    });
    await new AnthropicMessagesClient({ model: 'm', baseUrl: server.url, apiKey: async () => 'k' }).generate({ ...request, toolChoice: 'required' });
    expect((server.requests[0]!.json as { tool_choice: unknown }).tool_choice).toEqual({ type: 'any' });
  });

  it('Bedrock Converse: toolConfig with toolSpec/inputSchema.json; toolUse blocks read', async () => {
    server = await startWireServer({ http2: true });
    server.reply({
      body: {
        output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Paris' } } }] } },
        stopReason: 'tool_use',
        usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
      },
    });
    const sdk = new BedrockRuntimeClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      maxAttempts: 1,
    });
    let result: Awaited<ReturnType<BedrockConverseClient['generate']>>;
    try {
      result = await new BedrockConverseClient({ modelId: 'amazon.nova-lite-v1:0', client: sdk }).generate(request);
    } finally {
      sdk.destroy();
    }
    const sent = server.requests[0]!.json as { toolConfig: unknown };
    expect(sent.toolConfig).toEqual({
      tools: [
        { toolSpec: { name: 'get_weather', description: 'Current weather', inputSchema: { json: parameters } } },
        { toolSpec: { name: 'get_time', inputSchema: { json: { type: 'object' } } } },
      ],
      toolChoice: { tool: { name: 'get_weather' } },
    });
    expect(result).toMatchObject({ text: '', finish_reason: 'stop', tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] });
  });
});
