import { OpenAiChatClient } from '#shared/adapters/providers/openai-chat.js';
import { ProviderError, type GenerateRequest } from '#shared/domain/ports/model-client.js';
import { hang, reset, sendingTo, startWireServer, truncated, type WireServer } from '../../support/provider-wire/wire-server.js';

/** The documented example answer of `POST /v1/chat/completions`. */
const documentedCompletion = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion',
  created: 1741569952,
  model: 'gpt-4.1-2025-04-14',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello! How can I assist you today?', refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 19,
    completion_tokens: 10,
    total_tokens: 29,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
  service_tier: 'default',
};

const completionWith = (choice: object) => ({ ...documentedCompletion, choices: [{ ...documentedCompletion.choices[0], ...choice }] });
const openAiError = (message: string, type: string, code: string | null = null) => ({ error: { message, type, param: null, code } });

const request = (overrides: Partial<GenerateRequest> = {}): GenerateRequest => ({
  prompt: 'Say hello.',
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

describe('OpenAI chat completions adapter', () => {
  let server: WireServer;
  let client: OpenAiChatClient;
  const apiKey = 'sk-test-0123456789abcdef';

  beforeEach(async () => {
    server = await startWireServer();
    client = new OpenAiChatClient({ model: 'llama3.1:8b', baseUrl: `${server.url}/v1`, apiKey: async () => apiKey });
  });
  afterEach(() => server.stop());

  it('sends the documented request, field by field', async () => {
    // Prepare
    server.reply({ body: documentedCompletion });

    // Act
    await client.generate(
      request({
        prompt: 'What is 2 + 2?',
        parameters: { system_prompt: 'Be brief.', max_tokens: 64, temperature: 0.2, top_p: 0.9, stop_sequences: ['\n\n'], seed: 42 },
      }),
    );

    // Assess
    const [sent] = server.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.json).toEqual({
      model: 'llama3.1:8b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is 2 + 2?' },
      ],
      max_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['\n\n'],
      seed: 42,
    });
  });

  it('sends only the user message and no Authorization header when nothing is configured', async () => {
    server.reply({ body: documentedCompletion });
    const keyless = new OpenAiChatClient({ model: 'local', baseUrl: `${server.url}/v1/` });

    await keyless.generate(request());

    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[0]?.path).toBe('/v1/chat/completions');
    expect(server.requests[0]?.json).toEqual({ model: 'local', messages: [{ role: 'user', content: 'Say hello.' }] });
  });

  it('asks for JSON mode when the request wants one JSON object (judge verdicts), and only then', async () => {
    server.reply({ body: completionWith({ message: { role: 'assistant', content: '{"score": 4}', refusal: null } }) });
    server.reply({ body: documentedCompletion });

    const judged = await client.generate(request({ responseFormat: 'json' }));
    await client.generate(request());

    expect(judged.text).toBe('{"score": 4}');
    expect(server.requests[0]?.json).toMatchObject({ response_format: { type: 'json_object' } });
    expect(server.requests[1]?.json).not.toHaveProperty('response_format');
  });

  it('sends max_completion_tokens to api.openai.com, which rejects max_tokens for newer models', async () => {
    server.reply({ body: documentedCompletion });
    const toLocal = sendingTo(server.url);
    const openai = new OpenAiChatClient({ model: 'gpt-4o-mini', apiKey: async () => apiKey, dispatcher: toLocal });

    await openai.generate(request({ parameters: { max_tokens: 10 } }));

    expect(server.requests[0]?.path).toBe('/v1/chat/completions');
    expect(server.requests[0]?.json).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 10 });
    expect(server.requests[0]?.json).not.toHaveProperty('max_tokens');
  });

  it('reads the text, finish reason and usage of the documented answer', async () => {
    server.reply({ body: documentedCompletion });

    const result = await client.generate(request());

    expect(result).toEqual({
      text: 'Hello! How can I assist you today?',
      finish_reason: 'stop',
      usage: { input_tokens: 19, output_tokens: 10 },
      latency_ms: expect.any(Number),
      attempts: 1,
    });
  });

  it.each([
    [{ finish_reason: 'length' }, 'length', 'Hello! How can I assist you today?'],
    [{ finish_reason: 'content_filter' }, 'content_filter', 'Hello! How can I assist you today?'],
    [{ finish_reason: 'tool_calls' }, 'stop', 'Hello! How can I assist you today?'],
    [{ message: { role: 'assistant', content: null, refusal: "I'm sorry, I can't help with that." } }, 'content_filter', ''],
  ])('maps the choice %j to finish reason %s', async (choice, finishReason, text) => {
    server.reply({ body: completionWith(choice) });

    const result = await client.generate(request());

    expect(result.finish_reason).toBe(finishReason);
    expect(result.text).toBe(text);
  });

  it('counts zero tokens when a compatible server leaves usage out', async () => {
    server.reply({ body: { ...documentedCompletion, usage: undefined } });

    const result = await client.generate(request());

    expect(result.usage).toEqual({ input_tokens: 0, output_tokens: 0 });
  });

  it.each([
    [400, openAiError("Invalid value for 'temperature'.", 'invalid_request_error'), 'bad_request', false],
    [401, openAiError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'), 'auth_failed', false],
    [
      403,
      openAiError('Country, region, or territory not supported', 'request_forbidden', 'unsupported_country_region_territory'),
      'forbidden',
      false,
    ],
    [404, openAiError('The model `gpt-5-turbo` does not exist', 'invalid_request_error', 'model_not_found'), 'not_found', false],
    [408, openAiError('Request timed out.', 'timeout'), 'timeout', true],
    [409, openAiError('Conflict', 'server_error'), 'server_error', true],
    [429, openAiError('Rate limit reached for requests', 'requests', 'rate_limit_exceeded'), 'rate_limited', true],
    [
      429,
      openAiError('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'),
      'rate_limited',
      false,
    ],
    [500, openAiError('The server had an error while processing your request.', 'server_error'), 'server_error', true],
    [502, '<html>Bad gateway</html>', 'server_error', true],
    [503, openAiError('The engine is currently overloaded, please try again later.', 'server_error'), 'server_error', true],
    [504, '', 'server_error', true],
  ])('turns a %i answer into a %s error (retryable: %s)', async (status, body, code, retryable) => {
    server.reply({ status, body });

    const error = await failure(client.generate(request()));

    expect(error).toMatchObject({ code, status, retryable });
    const providerMessage = typeof body === 'string' ? body : body.error.message;
    if (providerMessage) expect(error.message).toContain(providerMessage);
  });

  it('reads the message of a compatible server that answers { error: "…" }', async () => {
    server.reply({ status: 400, body: { error: 'context length exceeded' } });

    const error = await failure(client.generate(request()));

    expect(error.message).toContain('context length exceeded');
  });

  it.each([
    [{ 'retry-after': '7' }, 7000],
    [{ 'retry-after-ms': '1500' }, 1500],
    [{ 'retry-after-ms': '250', 'retry-after': '1' }, 250],
    [{}, undefined],
  ])('keeps the wait a 429 asks for (%j)', async (headers, retryAfterMs) => {
    server.reply({ status: 429, headers, body: openAiError('Rate limit reached for requests', 'requests', 'rate_limit_exceeded') });

    const error = await failure(client.generate(request()));

    expect(error.retryAfterMs).toBe(retryAfterMs);
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    server.reply({ status: 503, headers: { 'retry-after': inTenSeconds }, body: '' });

    const error = await failure(client.generate(request()));

    expect(error.retryAfterMs).toBeGreaterThan(8000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(10_000);
  });

  it('never puts the API key into an error message, even when the provider echoes it', async () => {
    server.reply({ status: 401, body: openAiError(`Incorrect API key provided: ${apiKey}.`, 'invalid_request_error', 'invalid_api_key') });

    const error = await failure(client.generate(request()));

    expect(error.message).not.toContain(apiKey);
    expect(JSON.stringify(error)).not.toContain(apiKey);
    expect(error.toJSON()).toEqual({ code: 'auth_failed', message: expect.stringContaining('[redacted]'), status: 401, attempts: 1 });
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    server.reply(hang);

    const started = Date.now();
    const error = await failure(client.generate(request({ timeoutMs: 150 })));

    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("throws the caller's abort reason, not a provider error, when the call is cancelled", async () => {
    server.reply(hang);
    const controller = new AbortController();
    const reason = new Error('evaluation cancelled');
    setTimeout(() => controller.abort(reason), 50);

    await expect(client.generate(request({ signal: controller.signal }))).rejects.toBe(reason);
  });

  it.each([
    ['a truncated body', truncated(200, JSON.stringify(documentedCompletion).slice(0, 40))],
    ['a complete but cut-off JSON text', { body: JSON.stringify(documentedCompletion).slice(0, 60) }],
    ['a body that is not JSON', { body: '<html>upstream error</html>' }],
    ['an empty body', { body: '' }],
    ['JSON without choices', { body: { id: 'chatcmpl-1', object: 'chat.completion' } }],
    ['an empty choices array', { body: { ...documentedCompletion, choices: [] } }],
    ['a choice without a message', { body: completionWith({ message: undefined }) }],
  ])('treats %s as a retryable malformed response', async (_, reply) => {
    server.reply(reply);

    const error = await failure(client.generate(request()));

    expect(error).toMatchObject({ code: 'malformed_response', retryable: true });
  });

  it('reports a dropped connection as a retryable network error', async () => {
    server.reply(reset);

    const error = await failure(client.generate(request()));

    expect(error).toMatchObject({ code: 'network_error', retryable: true });
  });

  it('reports a refused connection as a retryable network error', async () => {
    const { url } = server;
    await server.stop();

    const error = await failure(new OpenAiChatClient({ model: 'm', baseUrl: `${url}/v1` }).generate(request()));

    expect(error).toMatchObject({ code: 'network_error', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
    server = await startWireServer();
  });
});
