/** Amazon Bedrock through the Converse API, which speaks one request shape for every Bedrock model. */
import { BedrockRuntimeClient, ConverseCommand, type ToolConfiguration } from '@aws-sdk/client-bedrock-runtime';
import { toolCallFromValue, type ToolChoice, type ToolDefinition } from '../../contracts/benchmarks/tools.js';
import { startDeadline } from './deadline.js';
import { codeForStatus, parseRetryAfter, transportFailure } from './http.js';
import {
  chatOf,
  ProviderError,
  type FinishReason,
  type GenerateRequest,
  type GenerateResult,
  type ModelClient,
  type ProviderErrorCode,
} from '../../domain/ports/model-client.js';

/**
 * Created once per container and shared by every Bedrock model. `maxAttempts: 1` turns the SDK's own retries
 * off: `withRetries` owns retrying for every provider, and two nested retry loops would multiply the
 * attempts (5 × 3), hide them from the attempt count and ignore each other's backoff.
 */
export const bedrockRuntimeClient = new BedrockRuntimeClient({ maxAttempts: 1 });

export interface BedrockConverseOptions {
  /** A Bedrock model id or inference profile, e.g. `amazon.nova-lite-v1:0` or `us.anthropic.claude-3-5-haiku-20241022-v1:0`. */
  modelId: string;
  client?: BedrockRuntimeClient;
}

/** Bedrock's exceptions by name; retryability follows each code's default unless given. */
const errorsByName: Record<string, ProviderErrorCode> = {
  ThrottlingException: 'rate_limited',
  ServiceQuotaExceededException: 'rate_limited', // documented as "resubmit your request later"
  ModelTimeoutException: 'timeout',
  ServiceUnavailableException: 'server_error',
  InternalServerException: 'server_error',
  ModelNotReadyException: 'server_error',
  ModelErrorException: 'server_error',
  ValidationException: 'bad_request',
  AccessDeniedException: 'forbidden',
  ResourceNotFoundException: 'not_found',
  UnrecognizedClientException: 'auth_failed',
  InvalidSignatureException: 'auth_failed',
  ExpiredTokenException: 'auth_failed',
  CredentialsProviderError: 'credentials_missing',
};

const finishReasons: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
  tool_use: 'stop',
};

interface SdkError {
  name?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string> };
}

function bedrockError(error: unknown): ProviderError | undefined {
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const status = sdk.$metadata?.httpStatusCode;
  const headers = sdk.$response?.headers ?? {};
  const retryAfterMs = parseRetryAfter((name) => headers[name]);
  const code = errorsByName[sdk.name ?? ''];
  const message = `Bedrock: ${sdk.name ?? 'Error'}: ${sdk.message ?? 'no details'}`;
  if (code) return new ProviderError(code, message, { status, retryAfterMs, cause: error });
  // A reply the SDK could not read: a 2xx is a malformed answer, anything else is judged by its status.
  if (status !== undefined && status >= 200 && status < 300)
    return new ProviderError('malformed_response', `Bedrock answered ${status} with a body the SDK could not read`, { status, cause: error });
  if (status !== undefined) return new ProviderError(codeForStatus(status), message, { status, retryAfterMs, cause: error });
  return undefined;
}

export class BedrockConverseClient implements ModelClient {
  private readonly client: BedrockRuntimeClient;

  constructor(private readonly options: BedrockConverseOptions) {
    this.client = options.client ?? bedrockRuntimeClient;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const { parameters } = request;
    const chat = chatOf(request, parameters.system_prompt);
    const command = new ConverseCommand({
      modelId: this.options.modelId,
      messages: chat.messages.map((turn) => ({ role: turn.role, content: [{ text: turn.content }] })),
      system: chat.system ? [{ text: chat.system }] : undefined,
      // Converse has no seed; a model that takes one reads it from additionalModelRequestFields, which differs per model.
      inferenceConfig: {
        maxTokens: parameters.max_tokens,
        temperature: parameters.temperature,
        topP: parameters.top_p,
        stopSequences: parameters.stop_sequences,
      },
      ...(request.tools ? { toolConfig: converseToolConfig(request.tools, request.toolChoice) } : {}),
    });
    const deadline = startDeadline(request.timeoutMs, request.signal);
    const started = performance.now();
    try {
      const output = await this.client.send(command, { abortSignal: deadline.signal });
      const content = output.output?.message?.content;
      if (!content || !output.usage) throw new ProviderError('malformed_response', 'Bedrock answered without output.message.content or usage');
      const toolCalls = content.flatMap((block) =>
        block.toolUse?.name !== undefined ? [toolCallFromValue(block.toolUse.name, block.toolUse.input)] : [],
      );
      return {
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        text: content.flatMap((block) => (block.text !== undefined ? [block.text] : [])).join(''),
        finish_reason: finishReasons[output.stopReason ?? ''] ?? 'other',
        usage: { input_tokens: output.usage.inputTokens ?? 0, output_tokens: output.usage.outputTokens ?? 0 },
        latency_ms: Math.round(performance.now() - started),
        attempts: 1,
      };
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      if (request.signal?.aborted || deadline.timedOut()) throw transportFailure(error, deadline, request.timeoutMs, request.signal, 'Bedrock');
      throw bedrockError(error) ?? transportFailure(error, deadline, request.timeoutMs, request.signal, 'Bedrock');
    } finally {
      deadline.clear();
    }
  }
}

/**
 * Converse wraps each schema as `inputSchema.json`. It has no "none" choice: offering no tools is the only
 * way to forbid a call, so `none` sends no toolConfig at all.
 */
function converseToolConfig(tools: readonly ToolDefinition[], choice: ToolChoice | undefined): ToolConfiguration | undefined {
  if (choice === 'none') return undefined;
  return {
    tools: tools.map((tool) => ({
      toolSpec: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        inputSchema: { json: tool.parameters as never },
      },
    })),
    ...(choice === undefined
      ? {}
      : { toolChoice: choice === 'auto' ? { auto: {} } : choice === 'required' ? { any: {} } : { tool: { name: choice.name } } }),
  };
}
