import * as v from 'valibot';
import { CountSchema, pageSchema, TimestampSchema } from '../primitives.js';
import { TaskTypeSchema } from './task-types.js';
import { ChatMessageSchema, chatRoles } from './chat.js';
import { ExpectedToolCallViewSchema, ToolChoiceSchema, ToolDefinitionViewSchema } from './tools.js';

/** A benchmark's metadata as the API shows it (its items are read page by page). */
export const BenchmarkViewSchema = v.strictObject({
  benchmark_id: v.pipe(v.string(), v.examples(['task-01jd2x8k4q7g2m6r9t3v5w8y0z'])),
  name: v.string(),
  description: v.optional(v.string()),
  task_type: TaskTypeSchema,
  prompt_template: v.pipe(
    v.string(),
    v.description(
      'How each item becomes a prompt: `{{input}}`, `{{choices}}`, `{{context}}`, `{{expected_format}}`, `{{item.<field>}}` (or the older `{input}` form).',
    ),
  ),
  system_prompt: v.optional(v.string()),
  message_template: v.optional(v.array(v.strictObject({ role: v.picklist(chatRoles), content: v.string() }))),
  tools: v.optional(v.array(ToolDefinitionViewSchema)),
  tool_choice: v.optional(ToolChoiceSchema),
  default_metrics: v.optional(v.array(v.string())),
  item_count: CountSchema,
  content_hash: v.pipe(v.string(), v.description('Hash of the items in order: evaluations record it, so a run can be reproduced.')),
  version: v.pipe(v.number(), v.integer(), v.description('Starts at 1; an append after an evaluation pinned the current version starts a new one.')),
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
});

export const BenchmarkItemSchema = v.strictObject({
  item_id: v.string(),
  position: v.pipe(CountSchema, v.description('0-based order of the item in the benchmark.')),
  input: v.pipe(v.string(), v.description('The item’s question; for a chat item given only `messages`, its last user turn.')),
  messages: v.optional(v.pipe(v.array(ChatMessageSchema), v.description('A chat item’s conversation (system, user and assistant turns).'))),
  expected: v.optional(v.string()),
  expected_tool_calls: v.optional(
    v.pipe(v.array(ExpectedToolCallViewSchema), v.description('The tool calls a correct answer makes (order does not matter).')),
  ),
  choices: v.optional(v.array(v.string())),
  context: v.optional(v.string()),
  metadata: v.optional(v.record(v.string(), v.nullable(v.union([v.string(), v.number(), v.boolean()])))),
});

export const BenchmarkPageSchema = pageSchema(BenchmarkViewSchema, 'Benchmarks, newest first.');

export const BenchmarkItemPageSchema = v.strictObject({
  ...pageSchema(BenchmarkItemSchema, 'Items in benchmark order.').entries,
  item_count: CountSchema,
  version: v.pipe(v.number(), v.integer()),
  content_hash: v.string(),
});
