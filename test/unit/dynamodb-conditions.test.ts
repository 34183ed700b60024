import { allOf, anyOf, itemExists, withCondition } from '#shared/adapters/dynamodb/conditions.js';

describe('condition pieces', () => {
  const pending = { expression: '#status = :pending', names: { '#status': 'status' }, values: { ':pending': 'pending' } };
  const expired = { expression: 'pending_until < :now', values: { ':now': 5 } };

  it('joins pieces with AND, and groups OR pieces so that they nest', () => {
    expect(allOf(itemExists, anyOf({ expression: 'attribute_not_exists(pending_append)' }, expired)).expression).toBe(
      'attribute_exists(pk) AND (attribute_not_exists(pending_append) OR pending_until < :now)',
    );
  });

  it('merges the names and values of the request and of its condition', () => {
    const request = withCondition(
      {
        TableName: 't',
        UpdateExpression: 'SET #status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running' },
      },
      pending,
    );
    expect(request).toEqual({
      TableName: 't',
      UpdateExpression: 'SET #status = :running',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':running': 'running', ':pending': 'pending' },
    });
  });

  it('sends no empty maps, which DynamoDB refuses', () => {
    expect(withCondition({ TableName: 't', Key: { pk: 'a' } }, itemExists)).toEqual({
      TableName: 't',
      Key: { pk: 'a' },
      ConditionExpression: 'attribute_exists(pk)',
    });
  });

  it('refuses one placeholder with two meanings', () => {
    expect(() => withCondition({ TableName: 't', ExpressionAttributeValues: { ':pending': 'other' } }, pending)).toThrow(':pending');
  });
});
