import type { BenchmarkItem } from '../../contracts/benchmarks/schemas.js';
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

/** Fills a benchmark's prompt template for one item; placeholders were validated when it was created. */
export function renderPrompt(template: string, item: BenchmarkItem, taskType: TaskType): string {
  const values: Record<string, string> = {
    input: item.input,
    choices: formatChoices(item.choices),
    context: item.context ?? '',
    expected_format: expectedFormat[taskType],
  };
  return template.replace(/\{([a-z_]+)\}/g, (placeholder, name: string) => values[name] ?? placeholder);
}
