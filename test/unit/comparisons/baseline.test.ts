import { parseBaselineSelector, resolveBaseline } from '#shared/domain/comparisons/baseline.js';
import type { Evaluation } from '#shared/contracts/evaluations/schemas.js';

const evaluation = (overrides: Partial<Evaluation>): Evaluation =>
  ({
    evaluation_id: 'eval-base',
    tenant_id: 't1',
    model_id: 'baseline:echo',
    benchmark_id: 'task-1',
    status: 'completed',
    ...overrides,
  }) as Evaluation;

const storeOf = (found: Evaluation | undefined) => ({ get: async () => found, findLatestTagged: async () => found });
const candidate = { benchmark_id: 'task-1', model_id: 'baseline:echo' };

describe('baseline selectors', () => {
  it('reads latest:<tags> and keeps = inside a value out of the name', () => {
    expect(parseBaselineSelector('latest:branch=main,commit=3f2a')).toEqual({ kind: 'latest', tags: { branch: 'main', commit: '3f2a' } });
    expect(parseBaselineSelector('eval-abc')).toEqual({ kind: 'id', evaluationId: 'eval-abc' });
  });

  it.each(['running', 'pending', 'failed', 'cancelled'] as const)('refuses a %s evaluation named by id with 422 at the path', async (status) => {
    await expect(resolveBaseline(storeOf(evaluation({ status })), 't1', 'eval-base', candidate, 'baseline_evaluation_id')).rejects.toMatchObject({
      statusCode: 422,
      code: 'evaluation_not_finished',
      errors: [{ path: 'baseline_evaluation_id' }],
    });
  });

  it('refuses another benchmark or a comparison-mode run for a single-model candidate', async () => {
    await expect(resolveBaseline(storeOf(evaluation({ benchmark_id: 'task-2' })), 't1', 'eval-base', candidate)).rejects.toMatchObject({
      code: 'baseline_mismatch',
    });
    await expect(resolveBaseline(storeOf(evaluation({ model_id_2: 'baseline:reference' })), 't1', 'eval-base', candidate)).rejects.toMatchObject({
      code: 'baseline_mismatch',
    });
  });
});
