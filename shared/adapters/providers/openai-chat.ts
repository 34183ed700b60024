/**
 * OpenAI chat completions (`POST {base}/chat/completions`), for OpenAI itself and for any server that speaks
 * the same protocol (vLLM, Ollama, LM Studio, …).
 */
import * as v from 'valibot';
import type { Dispatcher } from 'undici';
import { postJson, readBody, type ErrorDetail } from './http.js';
import { chatOf, type FinishReason, type GenerateRequest, type GenerateResult, type ModelClient } from '../../domain/ports/model-client.js';
import { toolCallFromText, type ToolCall, type ToolChoice, type ToolDefinition } from '../../contracts/benchmarks/tools.js';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAiChatOptions {
  /** The provider's model name, e.g. `gpt-4o-mini` or `llama3.1:8b`. */
  model: string;
  baseUrl?: string;
  /** Looked up per call (sources cache); undefined sends no Authorization header, which local servers expect. */
  apiKey?: () => Promise<string | undefined>;
  /** The container's egress guard unless given (tests). */
  dispatcher?: Dispatcher;
}

const ChatCompletionSchema = v.object({
  choices: v.pipe(
    v.array(
      v.object({
        message: v.object({
          content: v.nullish(v.string()),
          refusal: v.nullish(v.string()),
          tool_calls: v.nullish(
            v.array(
              v.looseObject({
                type: v.optional(v.string()),
                function: v.optional(v.looseObject({ name: v.string(), arguments: v.optional(v.string()) })),
              }),
            ),
          ),
        }),
        finish_reason: v.nullish(v.string()),
      }),
    ),
    v.minLength(1, 'must hold at least one choice'),
  ),
  // Some compatible servers leave usage out; their calls then count zero tokens.
  usage: v.nullish(v.object({ prompt_tokens: v.number(), completion_tokens: v.number() })),
});

const finishReasons: Record<string, FinishReason> = { stop: 'stop', length: 'length', content_filter: 'content_filter', tool_calls: 'stop' };

/** OpenAI answers `{ error: { message, type, code } }`; compatible servers vary (`{ error: "…" }`, `{ message }`). */
export function describeOpenAiError(status: number, body: unknown): ErrorDetail {
  const outer = (typeof body === 'object' && body !== null ? body : {}) as { error?: unknown; message?: unknown };
  const error = (typeof outer.error === 'object' && outer.error !== null ? outer.error : outer) as {
    message?: unknown;
    type?: unknown;
    code?: unknown;
  };
  const message = typeof outer.error === 'string' ? outer.error : typeof error.message === 'string' ? error.message : undefined;
  // A 429 for an exhausted quota or spend limit does not lift with waiting; retrying only burns time.
  const quotaExhausted = status === 429 && (error.type === 'insufficient_quota' || error.code === 'insufficient_quota');
  return quotaExhausted ? { message, retryable: false } : { message };
}

export class OpenAiChatClient implements ModelClient {
  private readonly url: string;
  /** OpenAI's newer models reject `max_tokens`; compatible servers mostly know only `max_tokens`. */
  private readonly maxTokensField: 'max_tokens' | 'max_completion_tokens';

  constructor(private readonly options: OpenAiChatOptions) {
    const base = (options.baseUrl ?? OPENAI_BASE_URL).replace(/\/+$/, '');
    this.url = `${base}/chat/completions`;
    this.maxTokensField = new URL(base).hostname === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens';
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const { parameters } = request;
    const apiKey = await this.options.apiKey?.();
    const started = performance.now();
    const body = await postJson({
      dispatcher: this.options.dispatcher,
      url: this.url,
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      body: {
        model: this.options.model,
        messages: openAiMessages(chatOf(request, parameters.system_prompt)),
        [this.maxTokensField]: parameters.max_tokens,
        temperature: parameters.temperature,
        top_p: parameters.top_p,
        stop: parameters.stop_sequences,
        seed: parameters.seed,
        ...(request.responseFormat === 'json' ? { response_format: { type: 'json_object' } } : {}),
        ...(request.tools ? openAiTools(request.tools, request.toolChoice) : {}),
      },
      timeoutMs: request.timeoutMs,
      signal: request.signal,
      describeError: describeOpenAiError,
      secrets: [apiKey],
    });
    const completion = readBody(ChatCompletionSchema, body, 'the chat completions server');
    const [choice] = completion.choices as [(typeof completion.choices)[number]];
    const refused = !choice.message.content && !!choice.message.refusal;
    const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).flatMap((call) =>
      call.function ? [toolCallFromText(call.function.name, call.function.arguments ?? '')] : [],
    );
    return {
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      text: choice.message.content ?? '',
      finish_reason: refused ? 'content_filter' : (finishReasons[choice.finish_reason ?? ''] ?? 'other'),
      usage: { input_tokens: completion.usage?.prompt_tokens ?? 0, output_tokens: completion.usage?.completion_tokens ?? 0 },
      latency_ms: Math.round(performance.now() - started),
      attempts: 1,
    };
  }
}

function openAiMessages(chat: ReturnType<typeof chatOf>): Array<{ role: string; content: string }> {
  return [...(chat.system ? [{ role: 'system', content: chat.system }] : []), ...chat.messages];
}

function openAiTools(tools: readonly ToolDefinition[], choice: ToolChoice | undefined): Record<string, unknown> {
  return {
    tools: tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: tool.parameters },
    })),
    ...(choice === undefined ? {} : { tool_choice: typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } } }),
  };
}
