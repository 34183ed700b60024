import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { BedrockConverseClient, bedrockRuntimeClient } from '#shared/adapters/providers/bedrock-converse.js';
import { ProviderError, type GenerateRequest } from '#shared/domain/ports/model-client.js';
import { hang, startWireServer, type WireReply, type WireServer } from '../../support/provider-wire/wire-server.js';

/** The documented shape of a Converse answer. */
const documentedConverse = {
  output: { message: { role: 'assistant', content: [{ text: 'Paris is the capital of France.' }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 30, outputTokens: 8, totalTokens: 38 },
  metrics: { latencyMs: 412 },
};

/** An error the way the AWS REST-JSON protocol sends it: status, `x-amzn-errortype`, `{ message }`. */
const awsError = (status: number, type: string, message: string, headers: Record<string, string> = {}): WireReply => ({
  status,
  headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': 'b1a2c3d4', ...headers },
  body: { message },
});

const request = (overrides: Partial<GenerateRequest> = {}): GenerateRequest => ({
  prompt: 'What is the capital of France?',
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

describe('Bedrock Converse adapter', () => {
  let server: WireServer;
  let sdk: BedrockRuntimeClient;
  let client: BedrockConverseClient;

  beforeEach(async () => {
    server = await startWireServer({ http2: true });
    sdk = new BedrockRuntimeClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      maxAttempts: 1,
    });
    client = new BedrockConverseClient({ modelId: 'amazon.nova-lite-v1:0', client: sdk });
  });
  afterEach(async () => {
    sdk.destroy();
    await server.stop();
  });

  it('turns the SDK retries off on the shared client, because withRetries owns retrying', async () => {
    expect(await bedrockRuntimeClient.config.maxAttempts()).toBe(1);
  });

  it('sends a signed Converse request, field by field', async () => {
    server.reply({ body: documentedConverse });

    await client.generate(
      request({
        parameters: { system_prompt: 'Answer in one sentence.', max_tokens: 100, temperature: 0.1, top_p: 0.95, stop_sequences: ['END'], seed: 3 },
      }),
    );

    const [sent] = server.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/model/amazon.nova-lite-v1%3A0/converse');
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
    expect(sent?.json).toEqual({
      messages: [{ role: 'user', content: [{ text: 'What is the capital of France?' }] }],
      system: [{ text: 'Answer in one sentence.' }],
      inferenceConfig: { maxTokens: 100, temperature: 0.1, topP: 0.95, stopSequences: ['END'] },
    });
  });

  it('leaves out what the model does not set', async () => {
    server.reply({ body: documentedConverse });

    await client.generate(request());

    expect(server.requests[0]?.json).toEqual({
      messages: [{ role: 'user', content: [{ text: 'What is the capital of France?' }] }],
      inferenceConfig: {},
    });
  });

  it('reads the text, stop reason and usage of the answer', async () => {
    server.reply({ body: documentedConverse });

    const result = await client.generate(request());

    expect(result).toEqual({
      text: 'Paris is the capital of France.',
      finish_reason: 'stop',
      usage: { input_tokens: 30, output_tokens: 8 },
      latency_ms: expect.any(Number),
      attempts: 1,
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['tool_use', 'stop'],
  ])('maps stopReason %s to %s', async (stopReason, finishReason) => {
    server.reply({ body: { ...documentedConverse, stopReason } });

    const result = await client.generate(request());

    expect(result.finish_reason).toBe(finishReason);
  });

  it.each([
    [429, 'ThrottlingException', 'Too many requests, please wait before trying again.', 'rate_limited', true],
    [400, 'ServiceQuotaExceededException', 'Your request exceeds the service quota.', 'rate_limited', true],
    [408, 'ModelTimeoutException', 'Model has timed out in processing the request.', 'timeout', true],
    [503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.', 'server_error', true],
    [500, 'InternalServerException', 'The server encountered an internal error.', 'server_error', true],
    [429, 'ModelNotReadyException', 'The model is not ready to serve inference requests.', 'server_error', true],
    [424, 'ModelErrorException', 'The model failed to process the request.', 'server_error', true],
    [400, 'ValidationException', 'The provided model identifier is invalid.', 'bad_request', false],
    [403, 'AccessDeniedException', "You don't have access to the model with the specified model ID.", 'forbidden', false],
    [404, 'ResourceNotFoundException', 'Could not resolve the foundation model from the provided model identifier.', 'not_found', false],
    [403, 'UnrecognizedClientException', 'The security token included in the request is invalid.', 'auth_failed', false],
  ])('turns a %i %s into a %s error (retryable: %s)', async (status, type, message, code, retryable) => {
    server.reply(awsError(status, type, message));

    const error = await failure(client.generate(request()));

    expect(error).toMatchObject({ code, status, retryable });
    expect(error.message).toBe(`Bedrock: ${type}: ${message}`);
  });

  it('reads the error type from __type in the body when the header is absent', async () => {
    server.reply({ status: 429, body: { __type: 'com.amazonaws.bedrockruntime#ThrottlingException', message: 'Rate exceeded' } });

    const error = await failure(client.generate(request()));

    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryable: true });
  });

  it('keeps a Retry-After that comes with a throttling error', async () => {
    server.reply(awsError(429, 'ThrottlingException', 'Too many requests', { 'retry-after': '3' }));

    const error = await failure(client.generate(request()));

    expect(error.retryAfterMs).toBe(3000);
  });

  it('judges an error the SDK does not know by its status', async () => {
    server.reply({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad Gateway</html>' });

    const error = await failure(client.generate(request()));

    expect(error).toMatchObject({ code: 'server_error', status: 502, retryable: true });
  });

  it.each([
    ['a body that is not JSON', { body: '{"output": {"message"' }],
    ['an answer without output', { body: { stopReason: 'end_turn', usage: documentedConverse.usage } }],
    ['an answer without usage', { body: { ...documentedConverse, usage: undefined } }],
  ])('treats %s as a malformed response', async (_, reply) => {
    server.reply(reply);

    const error = await failure(client.generate(request()));

    expect(error).toMatchObject({ code: 'malformed_response', retryable: true });
  });

  it('times out a request that never answers', async () => {
    server.reply(hang);

    const error = await failure(client.generate(request({ timeoutMs: 100 })));

    expect(error).toMatchObject({ code: 'timeout', retryable: true });
  });

  it("throws the caller's abort reason when the call is cancelled", async () => {
    server.reply(hang);
    const controller = new AbortController();
    const reason = new Error('evaluation cancelled');
    setTimeout(() => controller.abort(reason), 50);

    await expect(client.generate(request({ signal: controller.signal }))).rejects.toBe(reason);
  });

  it('reports a refused connection as a retryable network error', async () => {
    await server.stop();

    const error = await failure(client.generate(request()));

    expect(error).toMatchObject({ code: 'network_error', retryable: true });
    server = await startWireServer({ http2: true });
  });
});
