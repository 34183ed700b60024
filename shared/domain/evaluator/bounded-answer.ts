/**
 * What of a model's answer is stored and scored: well-formed Unicode, at most a configured number of
 * UTF-8 bytes (cut on a character boundary and flagged `truncated`), with token counts that are safe
 * non-negative integers. A model server is not trusted: one answer must never grow a result row past
 * DynamoDB's 400 KB item limit, nor put NaN or a negative count into an aggregate.
 */
import { serviceConfig } from '../../platform/config.js';
import type { GenerateResult, TokenUsage } from '../ports/model-client.js';
import type { ToolCall } from '../../contracts/benchmarks/tools.js';

/** The fields of a stored `ModelOutput` that come from the answer. */
export interface BoundedAnswer {
  output: string;
  /** Present (true) only when the answer was cut. */
  truncated?: true;
  usage: TokenUsage;
  /** What was changed in what the provider sent, for the person reading the result. */
  notes?: string[];
}

const encoder = new TextEncoder();

/** The longest prefix of `text` that is at most `maxBytes` bytes of UTF-8, never splitting a character. */
export function cutToBytes(text: string, maxBytes: number): string {
  // Every UTF-16 unit is at most 3 bytes of UTF-8 (a pair is 4 bytes for 2 units): short text needs no encoding.
  if (text.length * 3 <= maxBytes) return text;
  const buffer = new Uint8Array(maxBytes);
  const { read } = encoder.encodeInto(text, buffer);
  return text.slice(0, read);
}

function count(value: number, name: string, notes: string[]): number {
  if (Number.isSafeInteger(value) && value >= 0) return value;
  notes.push(`the provider reported ${name} ${value}, which is not a count of tokens; counted as 0`);
  return 0;
}

let maxAnswerBytes: number | undefined;

/** `limit` defaults to ARBITER_MAX_ANSWER_BYTES, read once. */
export function boundAnswer(result: Pick<GenerateResult, 'text' | 'usage'>, limit?: number): BoundedAnswer {
  maxAnswerBytes ??= serviceConfig.responseLimits.maxAnswerBytes;
  const notes: string[] = [];
  const whole = result.text.toWellFormed();
  const text = cutToBytes(whole, limit ?? maxAnswerBytes);
  const usage = {
    input_tokens: count(result.usage.input_tokens, 'input_tokens', notes),
    output_tokens: count(result.usage.output_tokens, 'output_tokens', notes),
  };
  if (text.length < whole.length)
    notes.push(`the answer was ${encoder.encode(whole).length} bytes; the first ${encoder.encode(text).length} are stored and scored`);
  return { output: text, usage, ...(text.length < whole.length ? { truncated: true as const } : {}), ...(notes.length > 0 ? { notes } : {}) };
}

const MAX_TOOL_CALLS = 32;
const MAX_TOOL_CALL_BYTES = 32 * 1024;

/**
 * The tool calls kept on the result row: the first MAX_TOOL_CALLS, as long as together they fit in
 * MAX_TOOL_CALL_BYTES of JSON, so a server answering with thousands of calls cannot break the row's write.
 * Calls past the bound are dropped (they score as not made); undefined when none were made.
 */
export function boundToolCalls(calls: readonly ToolCall[] | undefined): ToolCall[] | undefined {
  if (!calls || calls.length === 0) return undefined;
  const kept: ToolCall[] = [];
  let bytes = 0;
  for (const call of calls.slice(0, MAX_TOOL_CALLS)) {
    bytes += encoder.encode(JSON.stringify(call)).length;
    if (bytes > MAX_TOOL_CALL_BYTES) break;
    kept.push({ ...call, name: call.name.toWellFormed() });
  }
  return kept;
}
