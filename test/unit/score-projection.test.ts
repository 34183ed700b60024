import { scoreProjection } from '#shared/adapters/dynamodb/result-rows.js';

const names = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}_${i}_${'x'.repeat(60)}`);

describe('the projection of result rows onto their scores', () => {
  it('names every score field of each answer, judgement and verdict by placeholder, for 10 judged metrics × 2 models', () => {
    const projection = scoreProjection({ modelIds: ['model-a', 'model-b'], judgedMetrics: names(10, 'judged'), pairwiseMetrics: [] });

    expect(projection.ProjectionExpression.length).toBeLessThanOrEqual(4096);
    // Per model: six answer fields and four per judged metric (template, usage, cost, error code); plus the
    // position, the sample index and the item id (comparisons align rows by it).
    expect(projection.ProjectionExpression.split(', ')).toHaveLength(3 + 2 * (6 + 10 * 4));
    expect(projection.ProjectionExpression).not.toContain('model-a');
    const used = new Set(projection.ProjectionExpression.match(/#[a-z]\d+/g));
    expect(new Set(Object.keys(projection.ExpressionAttributeNames))).toEqual(used);
    expect(Object.values(projection.ExpressionAttributeNames)).toEqual(
      expect.arrayContaining(['model-a', `judged_9_${'x'.repeat(60)}`, 'template_id']),
    );
  });

  it('projects each answer’s judgements whole when the precise expression would pass DynamoDB’s 4 KB limit', () => {
    const projection = scoreProjection({
      modelIds: ['model-a', 'model-b'],
      judgedMetrics: names(60, 'judged'),
      pairwiseMetrics: names(10, 'pairwise'),
    });

    expect(projection.ProjectionExpression.length).toBeLessThanOrEqual(4096);
    expect(Object.values(projection.ExpressionAttributeNames)).not.toContain(`judged_0_${'x'.repeat(60)}`);
    expect(Object.values(projection.ExpressionAttributeNames)).toContain('judgements');
    const used = new Set(projection.ProjectionExpression.match(/#[a-z]\d+/g));
    expect(new Set(Object.keys(projection.ExpressionAttributeNames))).toEqual(used);
  });
});
