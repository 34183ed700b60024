import type { GenerationParameters } from '../../contracts/models/model-fields.js';
import type { ToolCall, ToolChoice, ToolDefinition } from '../../contracts/benchmarks/tools.js';

/** A turn of a conversation as providers send it; system text travels apart (`Conversation.system`). */
export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface Conversation {
  /** The benchmark's and the item's system text; sent after the model's own `system_prompt`. */
  system?: string;
  /** Ends on the user. */
  messages: ChatTurn[];
}

export interface GenerateRequest {
  /** The rendered prompt: the single user message, or the final user turn of `conversation`. */
  prompt: string;
  /** A chat item's whole conversation; absent: `prompt` is the one user message. */
  conversation?: Conversation;
  parameters: GenerationParameters;
  /** Limit for one attempt; the retry layer gives every attempt the full amount. */
  timeoutMs: number;
  /** Aborting stops the call in flight and any further retries; the signal's reason is thrown. */
  signal?: AbortSignal;
  /** The item's answer key. Only baselines read it: a real model never sees it. */
  reference?: { expected?: string; choices?: string[] };
  /**
   * `json`: the reply must be one JSON object (judge verdicts). Adapters whose provider has a JSON mode
   * ask for it (OpenAI and compatible servers: `response_format: {type: "json_object"}`); the others send
   * the prompt as is, and the verdict parser still reads the whole reply as one JSON object.
   */
  responseFormat?: 'json';
  /** The sample index of a repeated item (absent: 0); part of the response-cache key. */
  repeatIndex?: number;
  /** Tools offered to the model (the benchmark's); only clients with `supportsTools` are sent them. */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
}

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'other';

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
}

export interface GenerateResult {
  text: string;
  finish_reason: FinishReason;
  usage: TokenUsage;
  /** Time of the attempt that answered, not counting earlier failed attempts or backoff. */
  latency_ms: number;
  /** 1 when the first attempt answered. */
  attempts: number;
  /** Answered from the response cache: no provider call was made. */
  cached?: boolean;
  /** The tools the model called, in the order it called them; absent when it called none. */
  tool_calls?: ToolCall[];
}

export interface ModelClient {
  generate(request: GenerateRequest): Promise<GenerateResult>;
}

export const providerErrorCodes = [
  'rate_limited',
  'overloaded',
  'server_error',
  'timeout',
  'network_error',
  'auth_failed',
  'forbidden',
  'not_found',
  'bad_request',
  'malformed_response',
  'credentials_missing',
  'refused',
  /** The egress policy refused where the model's host leads (see docs/security.md); never retried. */
  'egress_denied',
] as const;
export type ProviderErrorCode = (typeof providerErrorCodes)[number];

/** Transient by nature; a provider can still say otherwise (a spend cap answers 429 but will not lift). */
const retryableByDefault: ReadonlySet<ProviderErrorCode> = new Set([
  'rate_limited',
  'overloaded',
  'server_error',
  'timeout',
  'network_error',
  'malformed_response',
]);

export interface ProviderErrorOptions {
  status?: number;
  retryable?: boolean;
  retryAfterMs?: number;
  attempts?: number;
  cause?: unknown;
}

export interface ProviderErrorJson {
  code: ProviderErrorCode;
  message: string;
  status?: number;
  attempts: number;
}

/**
 * Why a model call failed, in provider-neutral terms. The message is safe to store on an item and show to
 * the tenant: adapters build it from the provider's own message with any API key removed.
 */
export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly status?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** Set by the retry layer to the number of attempts made when it gave up. */
  attempts: number;

  constructor(code: ProviderErrorCode, message: string, options: ProviderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
    this.retryable = options.retryable ?? retryableByDefault.has(code);
    this.retryAfterMs = options.retryAfterMs;
    this.attempts = options.attempts ?? 1;
  }

  toJSON(): ProviderErrorJson {
    return { code: this.code, message: this.message, status: this.status, attempts: this.attempts };
  }
}

/**
 * What a chat provider sends: the system text (the model's `system_prompt`, then the conversation's) and
 * the turns. Every adapter reads the request through this, so a single prompt and a conversation take the
 * same path.
 */
export function chatOf(
  request: Pick<GenerateRequest, 'prompt' | 'conversation'>,
  modelSystemPrompt?: string,
): { system?: string; messages: ChatTurn[] } {
  const systemParts = [modelSystemPrompt, request.conversation?.system].filter((part): part is string => !!part);
  return {
    ...(systemParts.length > 0 ? { system: systemParts.join('\n\n') } : {}),
    messages: request.conversation?.messages ?? [{ role: 'user', content: request.prompt }],
  };
}
