/**
 * The API contract's (seed's) own examples for `POST /api/v3/evaluations`. A unit test checks each one
 * against the schema it illustrates, so an example can never show a body the API would refuse.
 */
export const createEvaluationExamples = {
  requests: {
    single: {
      summary: 'Single model',
      value: { model_id: 'claude-3-sonnet-20240229', benchmark_id: 'task-abc123', custom_metrics: ['accuracy', 'relevance'] },
    },
    comparison: {
      summary: 'Comparison mode',
      value: { model_id: 'claude-3-sonnet-20240229', model_id_2: 'gpt-4', benchmark_id: 'task-abc123' },
    },
  },
  responses: {
    created: {
      summary: 'Created and queued',
      value: {
        evaluation_id: 'eval-xyz789',
        model_id: 'claude-3-sonnet-20240229',
        status: 'pending',
        benchmark_id: 'task-abc123',
        created_at: '2024-01-15T10:30:00Z',
        message: 'Evaluation created successfully and queued for execution',
      },
    },
  },
};
