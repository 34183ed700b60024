import { UnprocessableEntityError, ValidationError, type FieldError } from '../errors.js';
import { itemPlaceholders, parseTemplate, resolveItemPath } from '../../contracts/benchmarks/prompt-template.js';
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

/**
 * Turns validated item inputs into stored items at the given positions, checking what a schema cannot see
 * alone: ids unique within the benchmark, and choices present for multiple-choice benchmarks.
 */
export function toBenchmarkItems(
  inputs: readonly BenchmarkItemInput[],
  options: { firstPosition: number; taskType: Benchmark['task_type']; promptTemplate: string; existingIds?: ReadonlySet<string>; path?: string },
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
    return {
      item_id: itemId,
      position,
      input: input.input,
      expected: input.expected,
      choices: input.choices,
      context: input.context,
      metadata: input.metadata,
    };
  });
  if (errors.length > 0) throw new ValidationError(errors.slice(0, 50), 'Some items are not valid; nothing was written');
  checkTemplateFields(inputs, options.promptTemplate, path);
  return items;
}

/**
 * Every `{{item.<field>}}` of the template must find a value in every item: an item without one would
 * otherwise be sent a prompt with a hole in it, and score as if the model had been asked the question.
 */
function checkTemplateFields(inputs: readonly BenchmarkItemInput[], template: string, path: string): void {
  const placeholders = itemPlaceholders(parseTemplate(template));
  if (placeholders.length === 0) return;
  const errors: FieldError[] = [];
  inputs.forEach((input, index) => {
    for (const placeholder of placeholders) {
      const resolved = resolveItemPath(input, placeholder.path);
      if (resolved.value === undefined) {
        errors.push({ path: `${path}.${index}.${resolved.field}`, message: `is required by the prompt template's ${placeholder.source}` });
      }
    }
  });
  if (errors.length > 0) {
    throw new UnprocessableEntityError(
      'template_field_missing',
      `${errors.length} item field${errors.length === 1 ? '' : 's'} the prompt template reads ${errors.length === 1 ? 'is' : 'are'} missing; nothing was written`,
      errors.slice(0, 50),
    );
  }
}

export function newBenchmark(
  tenantId: string,
  request: Omit<CreateBenchmarkRequest, 'items'> & { items: readonly BenchmarkItemInput[] },
  benchmarkId: string = newId('task'),
): { benchmark: Benchmark; items: BenchmarkItem[] } {
  const promptTemplate = request.prompt_template ?? defaultPromptTemplates[request.task_type];
  const items = toBenchmarkItems(request.items, { firstPosition: 0, taskType: request.task_type, promptTemplate });
  const now = isoNow();
  return {
    benchmark: {
      benchmark_id: benchmarkId,
      tenant_id: tenantId,
      name: request.name,
      description: request.description,
      task_type: request.task_type,
      prompt_template: promptTemplate,
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
