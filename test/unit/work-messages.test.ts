import type { SQSRecord } from 'aws-lambda';
import { parseWorkMessage, purgeBenchmarkMessage, startMessage, UnreadableMessageError } from '#shared/messages.js';
import startFixture from '../../events/evaluator-start.json' with { type: 'json' };

const record = (body: string) => ({ messageId: 'm-1', body }) as SQSRecord;

describe('work messages', () => {
  it('reads a start message the API sends', () => {
    const message = startMessage('acme', 'eval-01');
    expect(parseWorkMessage(record(JSON.stringify(message)))).toEqual(message);
  });

  it('reads a purge message', () => {
    const message = purgeBenchmarkMessage('acme', 'task-01');
    expect(parseWorkMessage(record(JSON.stringify(message)))).toEqual(message);
  });

  it('reads the versioned sample event the local invoke uses', () => {
    const body = (startFixture as { Records: { body: string }[] }).Records[0]!.body;
    expect(parseWorkMessage(record(body)).type).toBe('start');
  });

  it.each([
    ['not JSON', '{'],
    ['an unknown version', JSON.stringify({ ...startMessage('acme', 'eval-01'), version: 2 })],
    ['an unknown type', JSON.stringify({ ...startMessage('acme', 'eval-01'), type: 'explode' })],
    ['a missing tenant', JSON.stringify({ version: 1, type: 'start', evaluation_id: 'eval-01' })],
  ])('refuses %s with a reason', (_label, body) => {
    expect(() => parseWorkMessage(record(body))).toThrow(UnreadableMessageError);
  });
});
