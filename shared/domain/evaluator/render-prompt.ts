import type { BenchmarkItem } from '../../contracts/benchmarks/schemas.js';
import { parseTemplate, resolveItemPath, type ParsedTemplate } from '../../contracts/benchmarks/prompt-template.js';
import type { TaskType } from '../../contracts/benchmarks/task-types.js';

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const expectedFormat: Record<TaskType, string> = {
  exact_answer: 'the final answer only',
  multiple_choice: 'the letter of one option',
  free_text: 'free text',
  classification: 'the label only',
};

/** Multiple-choice options as `A. Paris` lines, the form the accuracy metric reads answers back from. */
export function formatChoices(choices: readonly string[] | undefined): string {
  return (choices ?? []).map((choice, index) => `${letters[index]}. ${choice}`).join('\n');
}

// Chunks render the same template for every item: parse it once per template, not once per item.
const parsedTemplates = new Map<string, ParsedTemplate>();
function parsedOnce(template: string): ParsedTemplate {
  let parsed = parsedTemplates.get(template);
  if (!parsed) {
    if (parsedTemplates.size > 100) parsedTemplates.clear();
    parsed = parseTemplate(template);
    parsedTemplates.set(template, parsed);
  }
  return parsed;
}

/**
 * Fills a benchmark's prompt template for one item. Templates and items were checked against each other
 * when the benchmark was created or appended to; should an older benchmark's template still hold a
 * problem, its text is kept as written rather than failing the item.
 */
export function renderPrompt(template: string, item: BenchmarkItem, taskType: TaskType): string {
  // A damaged record must fail the chunk (and be dead-lettered), never send an empty prompt.
  if (typeof template !== 'string') throw new TypeError(`The benchmark's prompt_template is not text (${typeof template})`);
  const parsed = parsedOnce(template);
  if (parsed.problems.length > 0) return legacyRender(template, item, taskType);
  const named = namedValues(item, taskType);
  return parsed.parts
    .map((part) => {
      if (part.kind === 'text') return part.text;
      if (part.kind === 'named') return named[part.name];
      return resolveItemPath(item, part.path).value ?? '';
    })
    .join('');
}

function namedValues(item: BenchmarkItem, taskType: TaskType): Record<'input' | 'choices' | 'context' | 'expected_format', string> {
  return { input: item.input, choices: formatChoices(item.choices), context: item.context ?? '', expected_format: expectedFormat[taskType] };
}

/** The single-brace rendering templates had before `{{ }}`: known names replaced, anything else kept. */
function legacyRender(template: string, item: BenchmarkItem, taskType: TaskType): string {
  const values: Record<string, string> = namedValues(item, taskType);
  return template.replace(/\{([a-z_]+)\}/g, (placeholder, name: string) => values[name] ?? placeholder);
}
