/**
 * What the evaluator writes while it runs chunks, read the way CloudWatch reads it: one batch of two
 * chunk messages of two evaluations, processed in parallel by the real handler against in-memory stores.
 * Every log line carries the evaluation it was written for (never the other one's), and the metrics come
 * out as EMF, one scope per message, in the Arbiter namespace with the service and stage dimensions.
 */
import { jest } from '@jest/globals';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { newBenchmark } from '#shared/domain/benchmarks/create-benchmark.js';
import type { Benchmark, BenchmarkItem } from '#shared/contracts/benchmarks/schemas.js';
import type { ItemResult } from '#shared/contracts/evaluations/result-types.js';
import type { Evaluation } from '#shared/contracts/evaluations/schemas.js';
import { scorerFor } from '#shared/domain/evaluator/metric-scorer.js';
import { chunkMessage } from '#shared/contracts/messages.js';
import { resolveBuiltinModel } from '#shared/domain/models/builtin-models.js';
import { ProviderError, type GenerateRequest, type ModelClient } from '#shared/domain/ports/model-client.js';

process.env.ARBITER_STAGE = 'unit';
process.env.AWS_REGION ??= 'us-east-1';
process.env.WORK_QUEUE_URL ??= 'http://127.0.0.1:1/queue/work';
process.env.WORK_DLQ_URL ??= 'http://127.0.0.1:1/queue/work-dlq';
// Imported after the variables are set: the metrics module reads the stage when it loads.
const { withRetries } = await import('#shared/adapters/providers/retry.js');

const TENANT = 'tenant-observed';
const model = resolveBuiltinModel('gpt-4o-mini')!;

/** Evaluation A's provider throttles two items once each; evaluation B's refuses one item's key for good. */
function answerFor(request: GenerateRequest, seen: Set<string>): string {
  if (request.prompt.includes('throttled once') && !seen.has(request.prompt)) {
    seen.add(request.prompt);
    throw new ProviderError('rate_limited', 'Too many requests', { status: 429 });
  }
  if (request.prompt.includes('bad key')) throw new ProviderError('auth_failed', 'The provider refused the key', { status: 401 });
  return request.reference?.expected ?? '';
}

function flakyClient(): ModelClient {
  const seen = new Set<string>();
  const raw: ModelClient = {
    generate: async (request) => ({
      text: answerFor(request, seen),
      finish_reason: 'stop',
      usage: { input_tokens: 10, output_tokens: 2 },
      latency_ms: 5,
      attempts: 1,
    }),
  };
  return withRetries(raw, { sleep: async () => {}, random: () => 0 });
}

/** Just enough of the two stores for a chunk to run and its evaluation to finalize. */
class InMemoryWorld {
  readonly evaluations = new Map<string, Evaluation>();
  readonly benchmarks = new Map<string, { benchmark: Benchmark; items: BenchmarkItem[] }>();
  readonly results = new Map<string, Map<number, ItemResult>>();
  private readonly counted = new Map<string, Set<number>>();

  add(evaluationId: string, inputs: { input: string; expected: string }[]): void {
    const { benchmark, items } = newBenchmark(TENANT, { name: evaluationId, task_type: 'exact_answer', items: inputs });
    this.benchmarks.set(benchmark.benchmark_id, { benchmark, items });
    const now = new Date().toISOString();
    this.evaluations.set(evaluationId, {
      evaluation_id: evaluationId,
      tenant_id: TENANT,
      model_id: model.model_id,
      benchmark_id: benchmark.benchmark_id,
      benchmark_version: benchmark.version,
      benchmark_content_hash: benchmark.content_hash,
      models: [model],
      status: 'running',
      created_at: now,
      updated_at: now,
      progress: { total_items: items.length, completed_items: 0, failed_items: 0 },
      model_progress: { [model.model_id]: { scored: 0, failed: 0 } },
      plan: { chunk_size: items.length, chunk_count: 1 },
      chunks_done: 0,
    });
    this.results.set(evaluationId, new Map());
    this.counted.set(evaluationId, new Set());
  }

  private async *pages(evaluationId: string): AsyncGenerator<ItemResult[]> {
    yield [...this.results.get(evaluationId)!.values()];
  }

  readonly deps = {
    evaluations: {
      getConsistent: async (_tenant: string, id: string) => structuredClone(this.evaluations.get(id)),
      getResults: async (_tenant: string, id: string, first: number, count: number) =>
        new Map([...this.results.get(id)!].filter(([position]) => position >= first && position < first + count)),
      claimChunk: async (_tenant: string, id: string, { chunk }: { chunk: number }) => (this.counted.get(id)!.has(chunk) ? 'counted' : 'leased'),
      renewChunkLease: async () => true,
      releaseChunkLease: async () => {},
      putResults: async (_tenant: string, id: string, _lease: unknown, rows: readonly ItemResult[]) => {
        for (const row of rows) this.results.get(id)!.set(row.position, structuredClone(row));
      },
      recordChunk: async (_tenant: string, id: string, { chunk }: { chunk: number }) => {
        const counted = this.counted.get(id)!;
        if (counted.has(chunk)) return false;
        counted.add(chunk);
        this.evaluations.get(id)!.chunks_done = counted.size;
        return true;
      },
      // One chunk per evaluation: its window has nothing more to send.
      claimNextChunk: async () => undefined,
      allResults: (_tenant: string, id: string) => this.pages(id),
      allScores: (_tenant: string, id: string) => this.pages(id),
      finish: async (_tenant: string, id: string, _from: string, to: Evaluation['status']) => {
        this.evaluations.get(id)!.status = to;
        return true;
      },
    },
    benchmarks: {
      get: async (_tenant: string, id: string) => this.benchmarks.get(id)?.benchmark,
      readRange: async (_tenant: string, id: string, first: number, count: number) =>
        this.benchmarks.get(id)!.items.filter((item) => item.position >= first && item.position < first + count),
    },
    queue: { send: async () => {}, sendAll: async () => {} },
    clientFor: flakyClient,
    scorerFor,
  };
}

const world = new InMemoryWorld();
/** Any store method the evaluator calls that this double lacks fails loudly rather than as `undefined is not a function`. */
const strict = <T extends object>(target: T, name: string): T =>
  new Proxy(target, {
    get: (object, property) => {
      if (property in object || typeof property === 'symbol' || property === 'then') return object[property as keyof T];
      throw new Error(`The in-memory ${name} has no ${String(property)}; add it to test/unit/observability.test.ts`);
    },
  });

jest.unstable_mockModule('../../functions/evaluator/evaluator-deps.js', () => ({
  evaluatorDeps: {
    ...world.deps,
    evaluations: strict(world.deps.evaluations, 'evaluation store'),
    benchmarks: strict(world.deps.benchmarks, 'benchmark store'),
  },
}));
const { handler } = await import('../../functions/evaluator/evaluator.js');
const { logger } = await import('#shared/platform/logger.js');

function record(body: object, messageId: string): SQSRecord {
  return {
    messageId,
    receiptHandle: messageId,
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:work',
    awsRegion: 'us-east-1',
  };
}

const context = { functionName: 'Evaluator', awsRequestId: 'request-1', getRemainingTimeInMillis: () => 300_000 } as unknown as Context;

type Line = Record<string, unknown> & {
  _aws?: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
};

/** Runs the handler on one batch and returns every JSON line it wrote to stdout and stderr. */
async function runBatch(event: SQSEvent): Promise<{ result: unknown; lines: Line[] }> {
  const written: string[] = [];
  const capture = (stream: NodeJS.WriteStream) =>
    jest.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof stream.write);
  const spies = [capture(process.stdout), capture(process.stderr)];
  try {
    const result = await handler(event, context);
    return {
      result,
      lines: written
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Line),
    };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

const A = 'eval-01aaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'eval-01bbbbbbbbbbbbbbbbbbbbbbbb';
let lines: Line[];
let result: unknown;

beforeAll(async () => {
  logger.setLogLevel('DEBUG');
  world.add(A, [
    { input: 'throttled once: 1 + 1', expected: '2' },
    { input: 'throttled once: 2 + 2', expected: '4' },
    { input: '3 + 3', expected: '6' },
  ]);
  world.add(B, [
    { input: '1 + 2', expected: '3' },
    { input: 'bad key: 2 + 3', expected: '5' },
    { input: '3 + 4', expected: '7' },
  ]);
  ({ result, lines } = await runBatch({
    Records: [record(chunkMessage(TENANT, A, 0, 0, 3), 'message-a'), record(chunkMessage(TENANT, B, 0, 0, 3), 'message-b')],
  }));
});

const logLines = () => lines.filter((line) => line._aws === undefined);
const metricLines = () => lines.filter((line) => line._aws !== undefined);

describe('a batch of two evaluations’ chunks', () => {
  test('runs both to completion with no failed record', () => {
    expect(result).toEqual({ batchItemFailures: [] });
    expect(world.evaluations.get(A)?.status).toBe('completed');
    expect(world.evaluations.get(B)?.status).toBe('completed');
  });

  test('every log line carries the evaluation id, the tenant and the message type', () => {
    expect(logLines().length).toBeGreaterThanOrEqual(6);
    for (const line of logLines()) {
      expect(line).toMatchObject({ evaluation_id: expect.stringMatching(/^eval-/), tenant_id: TENANT, message_type: 'chunk', service: 'arbiter' });
    }
  });

  test("each line names its own evaluation, though the two ran at the same time: retries were only A's", () => {
    const retries = logLines().filter((line) => line.message === 'provider call failed; retrying');

    expect(retries).toHaveLength(2);
    for (const line of retries) expect(line).toMatchObject({ evaluation_id: A, error_class: 'rate_limited', level: 'DEBUG' });
    expect(
      logLines()
        .filter((line) => line.message === 'chunk counted')
        .map((line) => line.evaluation_id)
        .sort(),
    ).toEqual([A, B]);
    expect(
      logLines()
        .filter((line) => line.message === 'evaluation finalized')
        .map((line) => line.evaluation_id)
        .sort(),
    ).toEqual([A, B]);
  });

  test('metrics are EMF in the Arbiter namespace, with service and stage dimensions and the evaluation as metadata', () => {
    const counts = metricLines().filter((line) => line._aws!.CloudWatchMetrics[0]!.Metrics.some((metric) => metric.Name === 'ItemsEvaluated'));

    expect(counts).toHaveLength(2);
    for (const line of counts) {
      const [directive] = line._aws!.CloudWatchMetrics;
      expect(directive!.Namespace).toBe('Arbiter');
      expect(directive!.Dimensions.map((set) => [...set].sort())).toEqual([['service', 'stage']]);
      expect(directive!.Metrics.every((metric) => metric.Unit === 'Count')).toBe(true);
      expect(line).toMatchObject({
        service: 'arbiter',
        stage: 'unit',
        tenant_id: TENANT,
        message_type: 'chunk',
        _aws: { Timestamp: expect.any(Number) },
      });
    }
    const of = (id: string) => counts.find((line) => line.evaluation_id === id)!;
    expect(of(A)).toMatchObject({ ItemsEvaluated: 3, ItemsFailed: 0, ProviderRetries: 2 });
    expect(of(B)).toMatchObject({ ItemsEvaluated: 3, ItemsFailed: 1 });
    expect(of(B).ProviderRetries).toBeUndefined();
  });

  test('provider errors are counted by class, each class on its own line with the error_class dimension', () => {
    const errors = metricLines().filter((line) => line._aws!.CloudWatchMetrics[0]!.Metrics.some((metric) => metric.Name === 'ProviderErrors'));

    expect(errors.map((line) => [line.evaluation_id, line.error_class, line.ProviderErrors]).sort()).toEqual([
      [A, 'rate_limited', 2],
      [B, 'auth_failed', 1],
    ]);
    for (const line of errors) {
      expect(line._aws!.CloudWatchMetrics[0]!.Dimensions.map((set) => [...set].sort())).toEqual([['error_class', 'service', 'stage']]);
    }
  });

  test('everything is published by the end of the invocation: nothing is left for the next one', async () => {
    const next = await runBatch({ Records: [] });

    expect(next.lines).toEqual([]);
  });
});
