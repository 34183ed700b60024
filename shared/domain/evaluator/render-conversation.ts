import { transcript, type ChatMessage } from '../../contracts/benchmarks/chat.js';
import type { Benchmark, BenchmarkItem } from '../../contracts/benchmarks/schemas.js';
import type { ChatTurn, Conversation } from '../ports/model-client.js';
import { renderPrompt } from './render-prompt.js';

/** What a model is sent for one item: the final user prompt, and the whole conversation when there is more. */
export interface RenderedItem {
  /** The final user turn's text (what single-prompt providers and baselines read). */
  prompt: string;
  /** Absent for a plain item on a benchmark without a system prompt: the request is the prompt alone. */
  conversation?: Conversation;
}

type Templates = Pick<Benchmark, 'prompt_template' | 'system_prompt' | 'message_template' | 'task_type'>;

/**
 * The conversation for one item:
 * - a benchmark `message_template` renders every turn from the item;
 * - an item's `messages` ending on the user are sent as they are;
 * - an item's `messages` ending on the assistant are history, and its input (through `prompt_template`)
 *   is the final user turn;
 * - otherwise the rendered `prompt_template` is the one user turn.
 * System text comes from the benchmark's `system_prompt`, then the item's or template's system turns.
 */
export function renderItem(benchmark: Templates, item: BenchmarkItem): RenderedItem {
  const render = (template: string) => renderPrompt(template, item, benchmark.task_type);
  const messages: ChatMessage[] = benchmark.message_template
    ? benchmark.message_template.map((turn) => ({ role: turn.role, content: render(turn.content) }))
    : withFinalUserTurn(item, () => render(benchmark.prompt_template));
  const systemParts = [
    ...(benchmark.system_prompt ? [render(benchmark.system_prompt)] : []),
    ...messages.filter((m) => m.role === 'system').map((m) => m.content),
  ];
  const turns: ChatTurn[] = messages.filter((m): m is ChatTurn => m.role !== 'system');
  const prompt = turns.at(-1)?.content ?? '';
  if (systemParts.length === 0 && turns.length === 1) return { prompt };
  return { prompt, conversation: { ...(systemParts.length > 0 ? { system: systemParts.join('\n\n') } : {}), messages: turns } };
}

function withFinalUserTurn(item: BenchmarkItem, prompt: () => string): ChatMessage[] {
  const history = item.messages ?? [];
  const last = history.filter((message) => message.role !== 'system').at(-1);
  if (last?.role === 'user') return history;
  return [...history, { role: 'user', content: prompt() }];
}

/** The text a judge reads as the item's input: the whole exchange for a conversation, else the input. */
export function judgeInput(rendered: RenderedItem, item: BenchmarkItem): string {
  if (!rendered.conversation) return item.input;
  const { system, messages } = rendered.conversation;
  return transcript([...(system ? [{ role: 'system' as const, content: system }] : []), ...messages]);
}

/** Every character a model is sent for the item (for token estimates). */
export function sentText(rendered: RenderedItem): string {
  if (!rendered.conversation) return rendered.prompt;
  return [rendered.conversation.system ?? '', ...rendered.conversation.messages.map((message) => message.content)].join('\n');
}
