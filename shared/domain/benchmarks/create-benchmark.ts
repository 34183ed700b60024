import { UnprocessableEntityError, ValidationError, type FieldError } from '../errors.js';
import { itemPlaceholders, parseTemplate, resolveItemPath } from '../../contracts/benchmarks/prompt-template.js';
import { conversationProblems, type ChatMessage } from '../../contracts/benchmarks/chat.js';
import { newId } from '../../platform/ids.js';
import { isoNow } from '../../platform/time.js';
import { EMPTY_CONTENT_HASH, extendContentHash } from './content-hash.js';
import {
  defaultPromptTemplates,
  type Benchmark,
  type BenchmarkItem,
  type BenchmarkItemInput,
  type CreateBenchmarkRequest,
} from '../../contracts/benchmarks/schemas.js';

/** The id of an item given none: its 1-based position, so ids read in benchmark order. */
export function autoItemId(position: number): string {
  return `item-${String(position + 1).padStart(6, '0')}`;
}

/** The templates of a benchmark that items are checked against. */
export type BenchmarkTemplates = Pick<Benchmark, 'prompt_template' | 'system_prompt' | 'message_template' | 'tools'>;

/**
 * Turns validated item inputs into stored items at the given positions, checking what a schema cannot see
 * alone: ids unique within the benchmark, choices present for multiple-choice benchmarks, an input or a
 * conversation that asks for a reply, and every field the templates read.
 */
export function toBenchmarkItems(
  inputs: readonly BenchmarkItemInput[],
  options: {
    firstPosition: number;
    taskType: Benchmark['task_type'];
    templates: BenchmarkTemplates;
    existingIds?: ReadonlySet<string>;
    path?: string;
  },
): BenchmarkItem[] {
  const path = options.path ?? 'items';
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  const items = inputs.map((input, index) => {
    const position = options.firstPosition + index;
    const itemId = input.id ?? autoItemId(position);
    if (seen.has(itemId) || options.existingIds?.has(itemId)) {
      errors.push({ path: `${path}.${index}.id`, message: `duplicate item id ${itemId}` });
    }
    seen.add(itemId);
    if (options.taskType === 'multiple_choice' && !input.choices) {
      errors.push({ path: `${path}.${index}.choices`, message: 'is required for a multiple_choice benchmark' });
    }
    errors.push(...conversationErrors(input, options.templates, `${path}.${index}`));
    errors.push(...expectedToolCallErrors(input, options.templates, `${path}.${index}`));
    return {
      item_id: itemId,
      position,
      input: input.input ?? lastUserTurn(input.messages) ?? '',
      ...(input.messages ? { messages: input.messages } : {}),
      ...(input.expected_tool_calls ? { expected_tool_calls: input.expected_tool_calls } : {}),
      expected: input.expected,
      choices: input.choices,
      context: input.context,
      metadata: input.metadata,
    };
  });
  if (errors.length > 0) throw new ValidationError(errors.slice(0, 50), 'Some items are not valid; nothing was written');
  checkTemplateFields(inputs, options.templates, path);
  return items;
}

function lastUserTurn(messages: readonly ChatMessage[] | undefined): string | undefined {
  return messages?.findLast((message) => message.role === 'user')?.content;
}

/** An expected call of a tool the benchmark does not offer could never be matched: a typo, refused here. */
function expectedToolCallErrors(input: BenchmarkItemInput, templates: BenchmarkTemplates, path: string): FieldError[] {
  if (!input.expected_tool_calls) return [];
  if (!templates.tools) return [{ path: `${path}.expected_tool_calls`, message: 'needs the benchmark to offer tools' }];
  const offered = new Set(templates.tools.map((tool) => tool.name));
  return input.expected_tool_calls.flatMap((call, index) =>
    offered.has(call.name) ? [] : [{ path: `${path}.expected_tool_calls.${index}.name`, message: `is not one of the benchmark's tools` }],
  );
}

function conversationErrors(input: BenchmarkItemInput, templates: BenchmarkTemplates, path: string): FieldError[] {
  if (!input.messages) {
    return input.input === undefined && !templates.message_template ? [{ path: `${path}.input`, message: 'is required (or give messages)' }] : [];
  }
  if (templates.message_template) {
    return [{ path: `${path}.messages`, message: 'is not allowed: this benchmark builds each conversation from its message_template' }];
  }
  return conversationProblems(input.messages, input.input !== undefined).map((problem) => ({
    path: problem.index === undefined ? `${path}.messages` : `${path}.messages.${problem.index}`,
    message: problem.message,
  }));
}

/**
 * Every `{{item.<field>}}` of the templates must find a value in every item: an item without one would
 * otherwise be sent a prompt with a hole in it, and score as if the model had been asked the question.
 */
function checkTemplateFields(inputs: readonly BenchmarkItemInput[], templates: BenchmarkTemplates, path: string): void {
  const sources = [
    ...(templates.message_template ? templates.message_template.map((turn) => turn.content) : [templates.prompt_template]),
    ...(templates.system_prompt ? [templates.system_prompt] : []),
  ];
  const placeholders = sources.flatMap((template) => itemPlaceholders(parseTemplate(template)));
  if (placeholders.length === 0) return;
  const errors: FieldError[] = [];
  inputs.forEach((input, index) => {
    const templateItem = { ...input, input: input.input ?? lastUserTurn(input.messages) ?? '' };
    const reported = new Set<string>();
    for (const placeholder of placeholders) {
      const resolved = resolveItemPath(templateItem, placeholder.path);
      if (resolved.value !== undefined || reported.has(resolved.field)) continue;
      reported.add(resolved.field);
      errors.push({
        path: `${path}.${index}.${resolved.field}`,
        message: `is required by the benchmark's template placeholder ${placeholder.source}`,
      });
    }
  });
  if (errors.length > 0) {
    throw new UnprocessableEntityError(
      'template_field_missing',
      `${errors.length} item field${errors.length === 1 ? '' : 's'} the templates read ${errors.length === 1 ? 'is' : 'are'} missing; nothing was written`,
      errors.slice(0, 50),
    );
  }
}

function checkToolChoice(request: Pick<CreateBenchmarkRequest, 'tools' | 'tool_choice'>): void {
  const choice = request.tool_choice;
  if (choice === undefined) return;
  if (!request.tools) throw new ValidationError([{ path: 'tool_choice', message: 'needs tools to choose from' }], 'tool_choice needs tools');
  if (typeof choice === 'object' && !request.tools.some((tool) => tool.name === choice.name)) {
    throw new ValidationError([{ path: 'tool_choice.name', message: 'is not one of the benchmark’s tools' }], 'tool_choice names an unknown tool');
  }
}

export function newBenchmark(
  tenantId: string,
  request: Omit<CreateBenchmarkRequest, 'items'> & { items: readonly BenchmarkItemInput[] },
  benchmarkId: string = newId('task'),
): { benchmark: Benchmark; items: BenchmarkItem[] } {
  const templates: BenchmarkTemplates = {
    prompt_template: request.prompt_template ?? defaultPromptTemplates[request.task_type],
    ...(request.system_prompt ? { system_prompt: request.system_prompt } : {}),
    ...(request.message_template ? { message_template: request.message_template } : {}),
    ...(request.tools ? { tools: request.tools } : {}),
  };
  checkToolChoice(request);
  const items = toBenchmarkItems(request.items, { firstPosition: 0, taskType: request.task_type, templates });
  const now = isoNow();
  return {
    benchmark: {
      benchmark_id: benchmarkId,
      tenant_id: tenantId,
      name: request.name,
      description: request.description,
      task_type: request.task_type,
      ...templates,
      ...(request.tool_choice ? { tool_choice: request.tool_choice } : {}),
      default_metrics: request.default_metrics,
      item_count: items.length,
      content_hash: extendContentHash(EMPTY_CONTENT_HASH, items),
      version: 1,
      created_at: now,
      updated_at: now,
    },
    items,
  };
}
