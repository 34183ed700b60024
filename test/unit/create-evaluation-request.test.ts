import * as v from 'valibot';
import { CreateEvaluationRequestSchema } from '#shared/contracts/evaluations/schemas.js';
import { toFieldErrors } from '#shared/adapters/http-api/validation.js';

function errorsFor(input: unknown) {
  const result = v.safeParse(CreateEvaluationRequestSchema, input, { abortPipeEarly: true });
  return result.success ? [] : toFieldErrors(result.issues);
}

describe('the create-evaluation request', () => {
  it('accepts the seed example requests', () => {
    expect(errorsFor({ model_id: 'claude-3-sonnet-20240229', benchmark_id: 'task-abc123', custom_metrics: ['accuracy', 'relevance'] })).toEqual([]);
    expect(errorsFor({ model_id: 'claude-3-sonnet-20240229', model_id_2: 'gpt-4', benchmark_id: 'task-abc123' })).toEqual([]);
  });

  it('accepts Bedrock ids and metric configuration objects', () => {
    expect(
      errorsFor({
        model_id: 'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
        benchmark_id: 'task-abc123',
        custom_metrics: ['exact_match', { name: 'has_citation', type: 'regex', pattern: '\\[\\d+\\]' }],
      }),
    ).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['null', null, ''],
    ['an array', [], ''],
    ['a string', 'model', ''],
    ['missing model_id', { benchmark_id: 'b' }, 'model_id'],
    ['missing benchmark_id', { model_id: 'm' }, 'benchmark_id'],
    ['numeric model_id', { model_id: 5, benchmark_id: 'b' }, 'model_id'],
    ['empty model_id', { model_id: '', benchmark_id: 'b' }, 'model_id'],
    ['model_id with a slash', { model_id: 'a/b', benchmark_id: 'b' }, 'model_id'],
    ['model_id with spaces', { model_id: ' gpt-4', benchmark_id: 'b' }, 'model_id'],
    ['a 201-character model_id', { model_id: 'm'.repeat(201), benchmark_id: 'b' }, 'model_id'],
    ['null benchmark_id', { model_id: 'm', benchmark_id: null }, 'benchmark_id'],
    ['model_id_2 equal to model_id', { model_id: 'gpt-4', model_id_2: 'gpt-4', benchmark_id: 'b' }, 'model_id_2'],
    ['an unknown field', { model_id: 'm', benchmark_id: 'b', temperature: 1 }, 'temperature'],
    ['custom_metrics as a string', { model_id: 'm', benchmark_id: 'b', custom_metrics: 'accuracy' }, 'custom_metrics'],
    ['empty custom_metrics', { model_id: 'm', benchmark_id: 'b', custom_metrics: [] }, 'custom_metrics'],
    ['a numeric metric', { model_id: 'm', benchmark_id: 'b', custom_metrics: [1] }, 'custom_metrics.0'],
    ['a metric name with capitals', { model_id: 'm', benchmark_id: 'b', custom_metrics: ['Accuracy'] }, 'custom_metrics.0'],
    ['a repeated metric', { model_id: 'm', benchmark_id: 'b', custom_metrics: ['accuracy', 'accuracy'] }, 'custom_metrics'],
    ['a config without type', { model_id: 'm', benchmark_id: 'b', custom_metrics: [{ name: 'x' }] }, 'custom_metrics.0.type'],
    ['21 metrics', { model_id: 'm', benchmark_id: 'b', custom_metrics: Array.from({ length: 21 }, (_, i) => `m${i}`) }, 'custom_metrics'],
  ])('rejects %s, naming the field', (_label, input, path) => {
    const errors = errorsFor(input);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((error) => error.path)).toContain(path);
    for (const error of errors) expect(error.message).toEqual(expect.any(String));
  });
});
