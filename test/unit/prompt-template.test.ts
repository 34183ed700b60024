import { parseTemplate, readsTheItem } from '#shared/contracts/benchmarks/prompt-template.js';
import { templateProblems } from '#shared/contracts/benchmarks/schemas.js';
import type { BenchmarkItem } from '#shared/contracts/benchmarks/schemas.js';
import { newBenchmark } from '#shared/domain/benchmarks/create-benchmark.js';
import { UnprocessableEntityError } from '#shared/domain/errors.js';
import { renderPrompt } from '#shared/domain/evaluator/render-prompt.js';

const item: BenchmarkItem = {
  item_id: 'q-7',
  position: 6,
  input: 'What is 2 + 2?',
  expected: '4',
  choices: ['3', '4'],
  context: 'arithmetic',
  metadata: { question: 'What is 2 + 2?', difficulty: 3, verified: true, note: null },
};

describe('prompt templates', () => {
  it.each([
    ['{input}', 'What is 2 + 2?'],
    ['{{input}}', 'What is 2 + 2?'],
    ['{{ input }}', 'What is 2 + 2?'],
    ['Q: {{item.question}} ({{item.difficulty}}, {{item.verified}})', 'Q: What is 2 + 2? (3, true)'],
    ['{{item.metadata.question}}|{{item.id}}|{{item.expected}}|{{item.context}}', 'What is 2 + 2?|q-7|4|arithmetic'],
    ['{input}\n{choices}', 'What is 2 + 2?\nA. 3\nB. 4'],
    ['{{item.input}} reply as JSON {{"{"}}"answer": …{{"}"}}', 'What is 2 + 2? reply as JSON {"answer": …}'],
    ['{{input}} ({expected_format})', 'What is 2 + 2? (the final answer only)'],
  ])('renders %j', (template, expected) => {
    expect(templateProblems(template)).toEqual([]);
    expect(renderPrompt(template, item, 'exact_answer')).toBe(expected);
  });

  it.each([
    ['{{input}} {{question}}', 'unknown placeholder {{question}}'],
    ['{input} {question}', 'unknown placeholder {question}'],
    ['Q: {{item.question', 'unclosed {{'],
    ['{{input}} }}', 'unbalanced }'],
    ['{{input}} }', 'unbalanced }'],
    ['{{input}} {', 'unbalanced {'],
    ['{{item.metadata..x}}', 'unknown placeholder'],
    ['{{}}', 'unknown placeholder'],
    ['Answer this', 'must read the item'],
    ['{{context}} {{choices}}', 'must read the item'],
  ])('refuses %j, saying where', (template, message) => {
    const problems = templateProblems(template);
    expect(problems.join('\n')).toContain(message);
    if (!message.startsWith('must read')) expect(problems[0]).toMatch(/at character \d+/);
  });

  it('counts an item placeholder as reading the item', () => {
    expect(readsTheItem(parseTemplate('{{item.question}}'))).toBe(true);
  });

  it('refuses items that lack a field the template reads, naming each item and field, and writes nothing', () => {
    const attempt = () =>
      newBenchmark('tenant-a', {
        name: 'qa',
        task_type: 'free_text',
        prompt_template: 'Q: {{item.question}} [{{item.metadata.level}}]',
        items: [
          { input: 'a', metadata: { question: 'one', level: 1 } },
          { input: 'b', metadata: { question: 'two' } },
          { input: 'c', metadata: { level: 2, question: null } },
        ],
      });
    expect(attempt).toThrow(UnprocessableEntityError);
    try {
      attempt();
    } catch (error) {
      const failure = error as UnprocessableEntityError;
      expect(failure.code).toBe('template_field_missing');
      expect(failure.statusCode).toBe(422);
      expect(failure.errors.map((e) => e.path)).toEqual(['items.1.metadata.level', 'items.2.metadata.question']);
    }
  });

  it('keeps an older benchmark’s problem template rendering as before rather than failing the item', () => {
    expect(renderPrompt('{input} {"json": true}', item, 'free_text')).toBe('What is 2 + 2? {"json": true}');
  });
});
