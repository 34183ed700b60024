import { AnthropicMessagesClient } from '#shared/adapters/providers/anthropic-messages.js';
import { ProviderError, type GenerateRequest } from '#shared/domain/ports/model-client.js';
import { hang, startWireServer, truncated, type WireServer } from '../../support/provider-wire/wire-server.js';

/** The documented example answer of `POST /v1/messages`. */
const documentedMessage = {
  id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
  type: 'message',
  role: 'assistant',
  model: 'claude-3-5-haiku-20241022',
  content: [{ type: 'text', text: 'Hi! My name is Claude.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 2095, output_tokens: 503 },
};

const anthropicError = (type: string, message: string, extra: object = {}) => ({
  type: 'error',
  error: { type, message, ...extra },
  request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy',
});

const request = (overrides: Partial<GenerateRequest> = {}): GenerateRequest => ({
  prompt: 'Hello, Claude',
  parameters: {},
  timeoutMs: 2000,
  ...overrides,
});

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('Anthropic messages adapter', () => {
  let server: WireServer;
  let client: AnthropicMessagesClient;
  const apiKey = 'sk-ant-api03-test-key-0123456789';

  beforeEach(async () => {
    server = await startWireServer();
    client = new AnthropicMessagesClient({ model: 'claude-3-5-haiku-20241022', baseUrl: server.url, apiKey: async () => apiKey });
  });
  afterEach(() => server.stop());

  it('sends the documented request, field by field', async () => {
    server.reply({ body: documentedMessage });

    await client.generate(
      request({
        parameters: { system_prompt: 'You are terse.', max_tokens: 256, temperature: 0.5, top_p: 0.8, stop_sequences: ['Human:'], seed: 7 },
      }),
    );

    const [sent] = server.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.headers['x-api-key']).toBe(apiKey);
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.headers.authorization).toBeUndefined();
    // No seed: the messages API has none.
    expect(sent?.json).toEqual({
      model: 'claude-3-5-haiku-20241022',
      max_tokens: 256,
      system: 'You are terse.',
      messages: [{ role: 'user', content: 'Hello, Claude' }],
      stop_sequences: ['Human:'],
      temperature: 0.5,
      top_p: 0.8,
    });
  });

  it('sends the default max_tokens, which the API requires, when the model sets none', async () => {
    server.reply({ body: documentedMessage });

    await client.generate(request());

    expect(server.requests[0]?.json).toEqual({
      model: 'claude-3-5-haiku-20241022',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Hello, Claude' }],
    });
  });

  it('reads the text, stop reason and usage of the documented answer', async () => {
    server.reply({ body: documentedMessage });

    const result = await client.generate(request());

    expect(result).toEqual({
      text: 'Hi! My name is Claude.',
      finish_reason: 'stop',
      usage: { input_tokens: 2095, output_tokens: 503 },
      latency_ms: expect.any(Number),
      attempts: 1,
    });
  });

  it('joins text blocks and skips thinking blocks', async () => {
    server.reply({
      body: {
        ...documentedMessage,
        content: [
          { type: 'thinking', thinking: 'Let me add.', signature: 'abc' },
          { type: 'text', text: 'The answer ' },
          { type: 'text', text: 'is 4.' },
        ],
      },
    });

    const result = await client.generate(request());

    expect(result.text).toBe('The answer is 4.');
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['refusal', 'content_filter'],
    ['tool_use', 'stop'],
    ['pause_turn', 'other'],
  ])('maps stop_reason %s to %s', async (stopReason, finishReason) => {
    server.reply({ body: { ...documentedMessage, stop_reason: stopReason } });

    const result = await client.generate(request());

    expect(result.finish_reason).toBe(finishReason);
  });

  it.each([
    [400, 'invalid_request_error', 'bad_request', false],
    [401, 'authentication_error', 'auth_failed', false],
    [402, 'billing_error', 'forbidden', false],
    [403, 'permission_error', 'forbidden', false],
    [404, 'not_found_error', 'not_found', false],
    [409, 'conflict_error', 'server_error', true],
    [413, 'request_too_large', 'bad_request', false],
    [429, 'rate_limit_error', 'rate_limited', true],
    [500, 'api_error', 'server_error', true],
    [503, 'api_error', 'server_error', true],
    [529, 'overloaded_error', 'overloaded', true],
  ])('turns a %i %s into a %s error (retryable: %s)', async (status, type, code, retryable) => {
    server.reply({ status, body: anthropicError(type, `${type} happened`) });

    const error = await failure(client.generate(request()));

    expect(error).toMatchObject({ code, status, retryable });
    expect(error.message).toContain(`${type} happened`);
  });

  it('keeps the retry-after of a 429', async () => {
    server.reply({
      status: 429,
      headers: { 'retry-after': '12' },
      body: anthropicError('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'),
    });

    const error = await failure(client.generate(request()));

    expect(error).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 12_000 });
  });

  it('does not retry a 429 for the monthly spend cap, which lasts until next month', async () => {
    server.reply({
      status: 429,
      body: anthropicError('rate_limit_error', 'You have reached your specified API usage limits.', {
        details: { error_code: 'enforced_spend_limit_reached' },
      }),
    });

    const error = await failure(client.generate(request()));

    expect(error).toMatchObject({ code: 'rate_limited', retryable: false, retryAfterMs: undefined });
  });

  it('treats overloaded_error as overloaded whatever the status', async () => {
    server.reply({ status: 503, body: anthropicError('overloaded_error', 'Overloaded') });

    const error = await failure(client.generate(request()));

    expect(error).toMatchObject({ code: 'overloaded', status: 503, retryable: true });
  });

  it('times out a request that never answers', async () => {
    server.reply(hang);

    const error = await failure(client.generate(request({ timeoutMs: 100 })));

    expect(error).toMatchObject({ code: 'timeout', retryable: true });
  });

  it.each([
    ['a truncated body', truncated(200, JSON.stringify(documentedMessage).slice(0, 50))],
    ['a body that is not JSON', { body: 'Internal proxy error' }],
    ['a message without usage', { body: { ...documentedMessage, usage: undefined } }],
    ['a message without content', { body: { ...documentedMessage, content: undefined } }],
  ])('treats %s as a malformed response', async (_, reply) => {
    server.reply(reply);

    const error = await failure(client.generate(request()));

    expect(error).toMatchObject({ code: 'malformed_response', retryable: true });
  });
});
