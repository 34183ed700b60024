import type { SQSRecord } from 'aws-lambda';
import { MAX_WORK_MESSAGE_BYTES, parseWorkMessage, purgeBenchmarkMessage, startMessage, UnreadableMessageError } from '#shared/contracts/messages.js';
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
    ['not JSON', '{', 'not_json'],
    ['an unknown version', JSON.stringify({ ...startMessage('acme', 'eval-01'), version: 2 }), 'unknown_version'],
    ['no version', JSON.stringify({ type: 'start', tenant_id: 'acme', evaluation_id: 'eval-01' }), 'unknown_version'],
    ['an unknown type', JSON.stringify({ ...startMessage('acme', 'eval-01'), type: 'explode' }), 'unknown_type'],
    ['a missing tenant', JSON.stringify({ version: 1, type: 'start', evaluation_id: 'eval-01' }), 'invalid_fields'],
    ['a JSON array', '[1, 2]', 'invalid_fields'],
    [
      'a valid message padded past the size limit',
      JSON.stringify({ ...startMessage('acme', 'eval-01'), padding: 'x'.repeat(MAX_WORK_MESSAGE_BYTES) }),
      'too_large',
    ],
  ])('refuses %s with a reason', (_label, body, reason) => {
    let thrown: unknown;
    try {
      parseWorkMessage(record(body));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UnreadableMessageError);
    expect((thrown as UnreadableMessageError).reason).toBe(reason);
  });

  it('keeps what an unreadable message says about itself, for the dead-letter record', () => {
    const body = JSON.stringify({ ...startMessage('acme', 'eval-01'), version: 9 });
    expect(() => parseWorkMessage(record(body))).toThrow(
      expect.objectContaining({ identity: { type: 'start', tenant_id: 'acme', evaluation_id: 'eval-01' } }),
    );
  });
});
