/**
 * DynamoDB faults injected into a real client through its middleware stack, so the code under test and
 * the SDK's own retry logic run unchanged against a real DynamoDB Local:
 *
 * - `throttling` / `throughput_exceeded`: a 400 `ThrottlingException` / `ProvisionedThroughputExceededException`
 *   answered instead of sending the request (nothing was written);
 * - `internal_error`: the request is sent and applied, then its answer is replaced by a 500, the case where
 *   a retry repeats a write that already happened;
 * - `reset_before` / `reset_after`: the connection "resets" (`ECONNRESET`) before the request is sent, or after
 *   it was applied and before the answer arrived;
 * - `transaction_conflict`: a write meets a transaction in progress on the same item and is refused
 *   (`TransactionCanceledException` with a `TransactionConflict` reason for a transaction,
 *   `TransactionConflictException` for a single write); other operations get `throttling` instead.
 *
 * The middleware sits below the SDK's retry middleware (step `deserialize`, priority `low`: between the
 * deserializer and the HTTP handler), so the SDK sees these as it would see the real thing: it parses the
 * fabricated error bodies into its own exception classes and retries them by its own rules.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Readable } from 'node:stream';
import { mulberry32 } from '#shared/domain/stats/random.js';

export type DynamoDbFault = 'throttling' | 'throughput_exceeded' | 'internal_error' | 'reset_before' | 'reset_after' | 'transaction_conflict';

export const allDynamoDbFaults: readonly DynamoDbFault[] = [
  'throttling',
  'throughput_exceeded',
  'internal_error',
  'reset_before',
  'reset_after',
  'transaction_conflict',
];

const singleWrites = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

export interface DynamoDbFaultOptions {
  seed: number;
  /** Share of requests that meet a fault, drawn in arrival order from the seeded sequence. */
  rate: number;
  /** The faults to draw from, uniformly. All by default. */
  faults?: readonly DynamoDbFault[];
  /** Only these operations (`TransactWriteItems`, `BatchWriteItem`, …); all by default. */
  operations?: readonly string[];
}

export interface DynamoDbFaultStats {
  requests: number;
  injected: Partial<Record<DynamoDbFault, number>>;
  /** Faults per operation, e.g. `{ TransactWriteItems: 3 }`. */
  byOperation: Record<string, number>;
}

export interface DynamoDbFaultInjector {
  stats(): DynamoDbFaultStats;
  /** Stops injecting (the middleware stays, as a pass-through). */
  pause(): void;
  resume(): void;
}

const MIDDLEWARE_NAME = 'arbiterTestFaultInjection';

const errorBodies: Record<'throttling' | 'throughput_exceeded' | 'internal_error', { status: number; body: object }> = {
  throttling: {
    status: 400,
    body: { __type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  },
  throughput_exceeded: {
    status: 400,
    body: {
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message:
        'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    },
  },
  internal_error: {
    status: 500,
    body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' },
  },
};

function connectionReset(): Error {
  return Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' });
}

function conflictBody(operation: string, input: unknown): object {
  if (operation !== 'TransactWriteItems') {
    return { __type: 'com.amazonaws.dynamodb.v20120810#TransactionConflictException', message: 'Transaction is ongoing for the item' };
  }
  const count = ((input as { TransactItems?: unknown[] }).TransactItems ?? []).length;
  const reasons = Array.from({ length: count }, (_, index) =>
    index === count - 1 ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' },
  );
  return {
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    CancellationReasons: reasons,
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(', ')}]`,
  };
}

/** What DynamoDB sends for an error: a JSON body with `__type`, which the SDK turns into its exception class. */
function errorResponse(fault: keyof typeof errorBodies | { conflict: object }) {
  const { status, body } = typeof fault === 'object' ? { status: 400, body: fault.conflict } : errorBodies[fault];
  return {
    response: {
      statusCode: status,
      reason: status === 500 ? 'Internal Server Error' : 'Bad Request',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `fault-${Math.random().toString(36).slice(2)}` },
      body: new TextEncoder().encode(JSON.stringify(body)),
    },
  };
}

/** The real answer of a request whose answer is then "lost": read to the end, so its socket is freed. */
async function discard(output: unknown): Promise<void> {
  const body = (output as { response?: { body?: unknown } }).response?.body as Readable | undefined;
  if (body && typeof body.resume === 'function') {
    await new Promise<void>((resolve) => {
      body.on('end', resolve);
      body.on('error', () => resolve());
      body.resume();
    });
  }
}

/**
 * Adds seeded fault injection to `client` (the `DynamoDBClient` a document client was made from: the
 * document client shares its middleware stack).
 */
export function injectDynamoDbFaults(client: DynamoDBClient, options: DynamoDbFaultOptions): DynamoDbFaultInjector {
  const random = mulberry32(options.seed);
  const faults = options.faults ?? allDynamoDbFaults;
  const stats: DynamoDbFaultStats = { requests: 0, injected: {}, byOperation: {} };
  let paused = false;

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      if (paused || (options.operations && !options.operations.includes(operation))) return next(args);
      stats.requests += 1;
      if (random() >= options.rate) return next(args);
      const drawn = faults[Math.floor(random() * faults.length)]!;
      const conflicts = operation === 'TransactWriteItems' || singleWrites.has(operation);
      const fault: DynamoDbFault = drawn === 'transaction_conflict' && !conflicts ? 'throttling' : drawn;
      stats.injected[fault] = (stats.injected[fault] ?? 0) + 1;
      stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
      switch (fault) {
        case 'throttling':
        case 'throughput_exceeded':
          return errorResponse(fault) as Awaited<ReturnType<typeof next>>;
        case 'reset_before':
          throw connectionReset();
        case 'internal_error': {
          await discard(await next(args));
          return errorResponse(fault) as Awaited<ReturnType<typeof next>>;
        }
        case 'reset_after':
          await discard(await next(args));
          throw connectionReset();
        case 'transaction_conflict':
          return errorResponse({ conflict: conflictBody(operation, args.input) }) as Awaited<ReturnType<typeof next>>;
      }
    },
    { step: 'deserialize', priority: 'low', name: MIDDLEWARE_NAME, override: true },
  );

  return {
    stats: () => ({ requests: stats.requests, injected: { ...stats.injected }, byOperation: { ...stats.byOperation } }),
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
    },
  };
}

export interface TransactionConflictEmulator {
  /** Writes refused so far because they met a transaction in progress. */
  conflicts(): number;
}

/** The table and key of every item a write touches, as one string each. */
function touchedItems(operation: string, input: any): string[] {
  const itemKey = (tableName: unknown, item: Record<string, unknown> | undefined) => JSON.stringify([tableName, item?.pk, item?.sk]);
  if (operation === 'TransactWriteItems') {
    return ((input?.TransactItems ?? []) as any[]).map((part) => {
      const action = part.Put ?? part.Update ?? part.Delete ?? part.ConditionCheck;
      return itemKey(action?.TableName, part.Put ? action?.Item : action?.Key);
    });
  }
  if (operation === 'PutItem') return [itemKey(input?.TableName, input?.Item)];
  return [itemKey(input?.TableName, input?.Key)];
}

/**
 * DynamoDB refuses a write that meets a transaction in progress on one of its items: a transaction is
 * cancelled with a `TransactionConflict` reason for that item, a single write fails with
 * `TransactionConflictException`. DynamoDB Local serialises transactions instead, so a race between two
 * transactions on one item never shows there. This middleware refuses, as DynamoDB would, every write that
 * touches an item a transaction sent through `client` is still writing (from its sending to its answer);
 * the first transaction goes through. Shared by every caller of `client`, as the table is.
 */
export function emulateTransactionConflicts(client: DynamoDBClient): TransactionConflictEmulator {
  const inProgress = new Map<string, number>();
  let conflicts = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      if (operation !== 'TransactWriteItems' && !singleWrites.has(operation)) return next(args);
      const items = touchedItems(operation, args.input);
      const busy = items.map((item) => (inProgress.get(item) ?? 0) > 0);
      if (busy.some(Boolean)) {
        conflicts += 1;
        if (operation !== 'TransactWriteItems')
          return errorResponse({ conflict: conflictBody(operation, args.input) }) as Awaited<ReturnType<typeof next>>;
        const reasons = busy.map((conflict) =>
          conflict ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' },
        );
        const body = {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          CancellationReasons: reasons,
          Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(', ')}]`,
        };
        return errorResponse({ conflict: body }) as Awaited<ReturnType<typeof next>>;
      }
      if (operation !== 'TransactWriteItems') return next(args);
      for (const item of items) inProgress.set(item, (inProgress.get(item) ?? 0) + 1);
      try {
        return await next(args);
      } finally {
        for (const item of items) inProgress.set(item, inProgress.get(item)! - 1);
      }
    },
    { step: 'deserialize', priority: 'low', name: 'arbiterTestTransactionConflicts', override: true },
  );
  return { conflicts: () => conflicts };
}
