import * as v from 'valibot';
import { MetricNameSchema } from '../identifiers.js';
import { JsonObjectSchema } from '../primitives.js';
import { ITEM_REPEATS_KEY, isRepeatCount, MAX_REPEATS } from '../repeats.js';
import type { BenchmarkItemSchema } from './response-schemas.js';
import { TaskTypeSchema, type TaskType } from './task-types.js';
import { parseTemplate, readsTheItem } from './prompt-template.js';
import { ChatMessagesInputSchema, MessageTemplateTurnSchema, type MessageTemplateTurn } from './chat.js';
import { ExpectedToolCallsSchema, ToolChoiceSchema, ToolsSchema, type ToolChoice, type ToolDefinition } from './tools.js';

/** Limits that keep one request inside API Gateway's and Lambda's payload limits, documented in the README. */
export const benchmarkLimits = {
  maxItemBytes: 32 * 1024,
  maxItemsPerRequest: 1000,
  maxItemsPerBenchmark: 200_000,
  maxRequestBytes: 5 * 1024 * 1024,
} as const;

const text = (field: string, max: number) => v.pipe(v.string(`${field} must be a string`), v.maxLength(max, `must be at most ${max} characters`));

export const BenchmarkItemInputSchema = v.strictObject(
  {
    id: v.optional(
      v.pipe(
        v.string('must be a string'),
        v.nonEmpty('must not be empty'),
        v.maxLength(128, 'must be at most 128 characters'),
        v.regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -'),
      ),
    ),
    input: v.optional(v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty'), v.maxLength(benchmarkLimits.maxItemBytes))),
    messages: v.optional(ChatMessagesInputSchema),
    expected_tool_calls: v.optional(ExpectedToolCallsSchema),
    expected: v.optional(text('expected', benchmarkLimits.maxItemBytes)),
    choices: v.optional(
      v.pipe(
        v.array(v.pipe(v.string('each choice must be a string'), v.nonEmpty('must not be empty'), v.maxLength(2000))),
        v.minLength(2, 'must offer at least two choices'),
        v.maxLength(26, 'may offer at most 26 choices'),
      ),
    ),
    context: v.optional(text('context', benchmarkLimits.maxItemBytes)),
    metadata: v.optional(
      v.pipe(
        v.record(v.string(), v.union([v.string(), v.number(), v.boolean(), v.null()]), 'must be an object of strings, numbers and booleans'),
        // The item's own sample count overrides the evaluation's `repeats`; refused here, with its path, so no run meets a bad one.
        v.forward(
          v.partialCheck(
            [[ITEM_REPEATS_KEY]],
            (metadata: Record<string, unknown>) => metadata[ITEM_REPEATS_KEY] === undefined || isRepeatCount(metadata[ITEM_REPEATS_KEY]),
            `must be a whole number from 1 to ${MAX_REPEATS}`,
          ),
          [ITEM_REPEATS_KEY],
        ),
      ),
    ),
  },
  (issue) => (issue.expected === 'never' ? 'is not a known field' : issue.path?.length ? 'is required' : 'each item must be a JSON object'),
);
export type BenchmarkItemInput = v.InferOutput<typeof BenchmarkItemInputSchema>;

export { templatePlaceholders } from './prompt-template.js';

export const defaultPromptTemplates: Record<TaskType, string> = {
  exact_answer: 'Answer with the final answer only, no explanation.\n\n{input}',
  multiple_choice: 'Answer with the letter of the correct option only.\n\n{input}\n\n{choices}',
  free_text: '{input}',
  classification: 'Classify the following. Answer with the label only.\n\n{input}',
};

/** The template's problems as one message each, with where they are. */
export function templateProblems(template: string, options: { mustReadItem?: boolean } = {}): string[] {
  const parsed = parseTemplate(template);
  const problems = parsed.problems.map((problem) => `${problem.message} (at character ${problem.offset + 1})`);
  if (problems.length === 0 && options.mustReadItem !== false && !readsTheItem(parsed)) {
    problems.push('must read the item: {input}, {{input}} or an {{item.<field>}} placeholder');
  }
  return problems;
}

const PromptTemplateSchema = v.pipe(
  v.string('must be a string'),
  v.nonEmpty('must not be empty'),
  v.maxLength(20_000, 'must be at most 20000 characters'),
  v.check(
    (template) => templateProblems(template).length === 0,
    (issue) => templateProblems(String(issue.input)).slice(0, 5).join('; '),
  ),
  v.description(
    'How each item becomes a prompt. Placeholders: `{{input}}`, `{{choices}}`, `{{context}}`, `{{expected_format}}`, `{{item.<field>}}` (an item field or a metadata key, e.g. `{{item.question}}`), `{{"{"}}` for a literal brace; the single-brace `{input}` form still works. An unknown placeholder or an unbalanced brace is refused, and so is an item that lacks an `{{item.…}}` field.',
  ),
);

/** A message template's problems: each turn's template, the turn order, and that some turn reads the item. */
export function messageTemplateProblems(turns: readonly MessageTemplateTurn[]): string[] {
  const problems: string[] = [];
  turns.forEach((turn, index) => {
    for (const problem of templateProblems(turn.content, { mustReadItem: false })) problems.push(`turn ${index}: ${problem}`);
  });
  const order = turns.map((turn) => turn.role);
  const firstOther = order.findIndex((role) => role !== 'system');
  if (order.some((role, index) => role === 'system' && firstOther >= 0 && index > firstOther)) {
    problems.push('a system turn may only come before the conversation');
  }
  if (order.at(-1) !== 'user') problems.push('must end on a user turn: a reply is expected');
  if (problems.length === 0 && !turns.some((turn) => readsTheItem(parseTemplate(turn.content)))) {
    problems.push('must read the item: some turn needs {{input}} or an {{item.<field>}} placeholder');
  }
  return problems;
}

const BenchmarkFields = {
  name: v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty'), v.maxLength(200, 'must be at most 200 characters')),
  description: v.optional(v.pipe(v.string('must be a string'), v.maxLength(2000, 'must be at most 2000 characters'))),
  task_type: TaskTypeSchema,
  prompt_template: v.optional(PromptTemplateSchema),
  system_prompt: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.nonEmpty('must not be empty'),
      v.maxLength(20_000, 'must be at most 20000 characters'),
      v.check(
        (template) => parseTemplate(template).problems.length === 0,
        (issue) => templateProblems(String(issue.input), { mustReadItem: false }).slice(0, 5).join('; '),
      ),
      v.description('Sent as the system prompt with every item (after the model’s own `system_prompt`); a template like `prompt_template`.'),
    ),
  ),
  message_template: v.optional(
    v.pipe(
      v.array(MessageTemplateTurnSchema, 'must be an array of {role, content} turns'),
      v.minLength(1, 'must hold at least one turn'),
      v.maxLength(50, 'may hold at most 50 turns'),
      v.check(
        (turns) => messageTemplateProblems(turns).length === 0,
        (issue) =>
          messageTemplateProblems(issue.input as MessageTemplateTurn[])
            .slice(0, 5)
            .join('; '),
      ),
      v.description(
        'The conversation each item becomes, turn by turn (OpenAI Evals’ `input_messages`): each `content` is a template (`{{item.question}}`). Replaces `prompt_template`; must end on a user turn.',
      ),
    ),
  ),
  tools: v.optional(
    v.pipe(
      ToolsSchema,
      v.description(
        'Tools offered to the model with every item (name, description, JSON Schema `parameters`); providers without tool support refuse at evaluation create.',
      ),
    ),
  ),
  tool_choice: v.optional(
    v.pipe(ToolChoiceSchema, v.description('Whether the model must call a tool: `auto` (default), `required`, `none`, or `{type: "tool", name}`.')),
  ),
  default_metrics: v.optional(v.pipe(v.array(MetricNameSchema, 'must be an array of metric names'), v.maxLength(20))),
};

export const CreateBenchmarkRequestSchema = v.pipe(
  JsonObjectSchema,
  v.strictObject(
    {
      ...BenchmarkFields,
      items: v.optional(
        v.pipe(
          v.array(BenchmarkItemInputSchema, 'must be an array of items'),
          v.maxLength(
            benchmarkLimits.maxItemsPerRequest,
            `may hold at most ${benchmarkLimits.maxItemsPerRequest} items per request; append the rest with POST /api/v3/benchmarks/{id}/items`,
          ),
        ),
        [],
      ),
    },
    (issue) => (issue.expected === 'never' ? 'is not a known field' : 'is required'),
  ),
);
export type CreateBenchmarkRequest = v.InferOutput<typeof CreateBenchmarkRequestSchema>;

/** The JSONL form's first line: the benchmark without its items. */
export const BenchmarkHeaderSchema = v.pipe(
  JsonObjectSchema,
  v.strictObject(BenchmarkFields, (issue) => (issue.expected === 'never' ? 'is not a known field' : 'is required')),
);

export const AppendItemsRequestSchema = v.pipe(
  JsonObjectSchema,
  v.strictObject(
    {
      items: v.pipe(
        v.array(BenchmarkItemInputSchema, 'must be an array of items'),
        v.minLength(1, 'must hold at least one item'),
        v.maxLength(benchmarkLimits.maxItemsPerRequest, `may hold at most ${benchmarkLimits.maxItemsPerRequest} items per request`),
      ),
    },
    (issue) => (issue.expected === 'never' ? 'is not a known field' : 'is required'),
  ),
);

export interface Benchmark {
  benchmark_id: string;
  tenant_id: string;
  name: string;
  description?: string;
  task_type: TaskType;
  prompt_template: string;
  /** Sent as the system prompt with every item (a template). */
  system_prompt?: string;
  /** The conversation each item becomes (templates per turn); replaces `prompt_template` when present. */
  message_template?: MessageTemplateTurn[];
  /** Offered to the model with every item. */
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  default_metrics?: string[];
  item_count: number;
  content_hash: string;
  version: number;
  /** The version the newest evaluation pinned; appending past it starts a new version. */
  pinned_version?: number;
  created_at: string;
  updated_at: string;
}

/** An item as stored and as the API shows it; `position` (0-based) is its order, and a version is a prefix of it. */
export type BenchmarkItem = v.InferOutput<typeof BenchmarkItemSchema>;
