/** Anthropic messages (`POST {base}/v1/messages`, API version 2023-06-01). */
import * as v from 'valibot';
import type { Dispatcher } from 'undici';
import { postJson, readBody, type ErrorDetail } from './http.js';
import { chatOf, type FinishReason, type GenerateRequest, type GenerateResult, type ModelClient } from '../../domain/ports/model-client.js';
import { toolCallFromValue, type ToolChoice, type ToolDefinition } from '../../contracts/benchmarks/tools.js';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';
/** The API requires `max_tokens`; this applies when the model's parameters leave it out. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

export interface AnthropicMessagesOptions {
  /** The provider's model name, e.g. `claude-3-5-haiku-20241022`. */
  model: string;
  baseUrl?: string;
  apiKey: () => Promise<string | undefined>;
  /** The container's egress guard unless given (tests). */
  dispatcher?: Dispatcher;
  defaultMaxTokens?: number;
}

const MessageSchema = v.object({
  content: v.array(v.looseObject({ type: v.string(), text: v.optional(v.string()), name: v.optional(v.string()), input: v.optional(v.unknown()) })),
  stop_reason: v.nullish(v.string()),
  usage: v.object({ input_tokens: v.number(), output_tokens: v.number() }),
});

const finishReasons: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  refusal: 'content_filter',
  tool_use: 'stop',
};

/** Errors are `{ type: "error", error: { type, message } }`; the error type says more than the status. */
export function describeAnthropicError(status: number, body: unknown): ErrorDetail {
  const error = (body as { error?: { type?: unknown; message?: unknown; details?: { error_code?: unknown } } } | undefined)?.error;
  const message = typeof error?.message === 'string' ? error.message : undefined;
  if (error?.type === 'overloaded_error') return { message, code: 'overloaded' };
  // A 429 for the tier's monthly spend cap carries no retry-after and lasts until next month.
  if (status === 429 && error?.details?.error_code === 'enforced_spend_limit_reached') return { message, retryable: false };
  return { message };
}

export class AnthropicMessagesClient implements ModelClient {
  private readonly url: string;

  constructor(private readonly options: AnthropicMessagesOptions) {
    this.url = `${(options.baseUrl ?? ANTHROPIC_BASE_URL).replace(/\/+$/, '')}/v1/messages`;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const { parameters } = request;
    const chat = chatOf(request, parameters.system_prompt);
    const apiKey = await this.options.apiKey();
    const started = performance.now();
    const body = await postJson({
      dispatcher: this.options.dispatcher,
      url: this.url,
      headers: { ...(apiKey ? { 'x-api-key': apiKey } : {}), 'anthropic-version': ANTHROPIC_VERSION },
      body: {
        model: this.options.model,
        max_tokens: parameters.max_tokens ?? this.options.defaultMaxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
        system: chat.system,
        messages: chat.messages,
        stop_sequences: parameters.stop_sequences,
        temperature: parameters.temperature,
        top_p: parameters.top_p,
        ...(request.tools ? anthropicTools(request.tools, request.toolChoice) : {}),
      },
      timeoutMs: request.timeoutMs,
      signal: request.signal,
      describeError: describeAnthropicError,
      secrets: [apiKey],
    });
    const message = readBody(MessageSchema, body, 'Anthropic');
    const toolCalls = message.content.flatMap((block) =>
      block.type === 'tool_use' && block.name !== undefined ? [toolCallFromValue(block.name, block.input)] : [],
    );
    return {
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      // Thinking and tool blocks are not part of the text answer.
      text: message.content.flatMap((block) => (block.type === 'text' && block.text !== undefined ? [block.text] : [])).join(''),
      finish_reason: finishReasons[message.stop_reason ?? ''] ?? 'other',
      usage: { input_tokens: message.usage.input_tokens, output_tokens: message.usage.output_tokens },
      latency_ms: Math.round(performance.now() - started),
      attempts: 1,
    };
  }
}

/** Anthropic calls the schema `input_schema` and spells the choices `auto` / `any` / `none` / `tool`. */
function anthropicTools(tools: readonly ToolDefinition[], choice: ToolChoice | undefined): Record<string, unknown> {
  const choices = { auto: { type: 'auto' }, required: { type: 'any' }, none: { type: 'none' } } as const;
  return {
    tools: tools.map((tool) => ({ name: tool.name, ...(tool.description ? { description: tool.description } : {}), input_schema: tool.parameters })),
    ...(choice === undefined ? {} : { tool_choice: typeof choice === 'string' ? choices[choice] : { type: 'tool', name: choice.name } }),
  };
}
