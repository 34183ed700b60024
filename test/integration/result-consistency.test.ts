/**
 * What was counted is what is shown (DESIGN.md §8). Every message delivered twice at once by the local
 * event source (ARBITER_DUPLICATE_DELIVERY=concurrent), against a model that answers a prompt asked again
 * differently and later, as a sampling model does: the first delivery's answers are counted and
 * finalized, and a losing delivery that answered later must not overwrite them. Afterwards the
 * aggregates (`GET /evaluations/{id}`), the per-item results, the CSV export and the HTML report's
 * per-model numbers all agree exactly.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parse } from 'csv-parse/sync';
import type { ChunkMessage } from '#shared/contracts/messages.js';
import { queueDefinitions } from '#shared/contracts/resources.js';
import type { EvaluationStore } from '#shared/domain/ports/evaluation-store.js';
import { resetConfigForTests } from '#shared/platform/config.js';
import { localDocumentClient } from '../../local/seed.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { evaluationOutcome } from './support/evaluation-outcome.js';
import { finalStatuses } from './support/fault-runs.js';
import { inProcessEvaluator } from './support/in-process-evaluator.js';
import { api, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

const ITEMS = 6;
const MODEL = 'sampler';
const METRICS = ['exact_match', 'token_f1'];
/** A repeated prompt is answered this much later: after the first delivery counted and finalized. */
const REPEAT_LATENCY_MS = 1500;

let stack: TestStack;
let fake: FakeModelServer;
let client: ReturnType<typeof api>;
let sqs: SQSClient;
let documents: ReturnType<typeof localDocumentClient>;

beforeAll(async () => {
  fake = await startFakeModelServer({ seed: 4, repeats: { latencyMs: REPEAT_LATENCY_MS } });
  // One item a chunk: each chunk's first delivery answers and counts at once, its duplicates answer later.
  stack = await startTestStack({ env: { ARBITER_CHUNK_SIZE: '1', ARBITER_DUPLICATE_DELIVERY: 'concurrent', LOG_LEVEL: 'INFO' } });
  client = api(stack);
  sqs = new SQSClient({
    endpoint: stack.env.AWS_ENDPOINT_URL_SQS,
    region: stack.env.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  documents = localDocumentClient(stack.env);
  const registered = await client.request('POST', '/api/v3/models', {
    body: { model_id: MODEL, provider: 'openai_compatible', provider_model_id: 'fake-1', base_url: fake.url, timeout_ms: 10_000, max_concurrency: 8 },
  });
  expect(registered.status).toBe(201);
});

afterAll(async () => {
  documents?.destroy();
  sqs?.destroy();
  await stack?.stop();
  await fake?.stop();
});

/** Messages on the work queue, visible or held by a delivery still running. */
async function messagesOnWorkQueue(): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.env[queueDefinitions.work.envVar],
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Follows a listing or an export to its end: JSON pages by `next_cursor`, exports by their cursor header. */
async function readAll(path: string, format?: 'csv'): Promise<string[]> {
  const bodies: string[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ ...(format ? { format } : { limit: '100' }), ...(cursor ? { cursor } : {}) });
    const response = await client.request('GET', `${path}?${query}`);
    expect(response.status).toBe(200);
    bodies.push(response.text);
    cursor = format ? response.headers.get('x-arbiter-next-cursor') : response.json.next_cursor;
  } while (cursor && bodies.length < 100);
  return bodies;
}

interface Shown {
  output?: string;
  status: string;
  scores: Record<string, number | null>;
}

/** Mean, n and exclusions of one metric over one model's answers, as the aggregates define them. */
function summary(answers: Shown[], metric: string) {
  const values = answers.flatMap((answer) =>
    answer.status === 'scored' && typeof answer.scores[metric] === 'number' ? [answer.scores[metric] as number] : [],
  );
  return {
    mean: values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : null,
    n: values.length,
    n_excluded: answers.length - values.length,
  };
}

/** The event source's batch log lines, with the invocations each made. */
function deliveredBatches(): number[] {
  return stack
    .recentOutput('evaluator')
    .split('\n')
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { message?: string; request_id?: string };
        return entry.message === 'batch' && entry.request_id ? [entry.request_id.split(',').length] : [];
      } catch {
        return [];
      }
    });
}

async function createBenchmark(name: string): Promise<string> {
  const items = Array.from({ length: ITEMS }, (_, i) => ({ input: `${i + 1} + ${i + 1}`, expected: String(2 * (i + 1)) }));
  const benchmark = await client.request('POST', '/api/v3/benchmarks', { body: { name, task_type: 'exact_answer', items } });
  expect(benchmark.status).toBe(201);
  return benchmark.json.benchmark_id;
}

it('two concurrent deliveries of every chunk, answered differently: aggregates, results, CSV and report agree exactly', async () => {
  const created = await client.request('POST', '/api/v3/evaluations', {
    body: { model_id: MODEL, benchmark_id: await createBenchmark('Duplicates that disagree'), custom_metrics: METRICS },
  });
  expect(created.status).toBe(202);
  const id = created.json.evaluation_id as string;

  await waitFor(async () => finalStatuses.includes((await client.request('GET', `/api/v3/evaluations/${id}/status`)).json.status), {
    timeoutMs: 60_000,
    intervalMs: 200,
    description: `evaluation ${id} to reach a final state`,
  });
  // Every delivery has ended (the event source deletes a batch once both of its deliveries returned),
  // so a losing delivery had every chance to write after the count.
  await waitFor(async () => (await messagesOnWorkQueue()) === 0, { timeoutMs: 60_000, intervalMs: 250, description: 'every delivery to end' });
  expect(deliveredBatches().length).toBeGreaterThan(0);
  expect(deliveredBatches().every((invocations) => invocations === 2)).toBe(true);

  const evaluation = (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
  expect(evaluation.status).toBe('completed');
  const aggregate = evaluation.results.models.find((model: { model_id: string }) => model.model_id === MODEL);

  // Per-item results, as the JSON pages show them.
  const rows = (await readAll(`/api/v3/evaluations/${id}/results`)).flatMap((body) => JSON.parse(body).items as any[]);
  expect(rows.map((row) => row.position)).toEqual([...Array(ITEMS).keys()]);
  const answers: Shown[] = rows.map((row) => row.outputs[MODEL]);
  const scored = answers.filter((answer) => answer.status === 'scored').length;
  expect(aggregate).toMatchObject({ completed_items: scored, failed_items: ITEMS - scored });
  expect(evaluation.progress).toMatchObject({ total_items: ITEMS, completed_items: scored, failed_items: ITEMS - scored });
  for (const metric of METRICS) {
    const shown = summary(answers, metric);
    expect({ metric, n: aggregate.metrics[metric].n, n_excluded: aggregate.metrics[metric].n_excluded }).toEqual({
      metric,
      n: shown.n,
      n_excluded: shown.n_excluded,
    });
    expect(aggregate.metrics[metric].mean).toBeCloseTo(shown.mean!, 12);
  }

  // The CSV export: the same answers and scores, row for row.
  const csv = (await readAll(`/api/v3/evaluations/${id}/results`, 'csv')).flatMap(
    (body) => parse(body, { columns: true }) as Record<string, string>[],
  );
  expect(csv.map((record) => [record.position, record.model_id, record.status, record.answer])).toEqual(
    rows.map((row) => [String(row.position), MODEL, row.outputs[MODEL].status, row.outputs[MODEL].output ?? '']),
  );
  for (const metric of METRICS) {
    expect(csv.map((record) => Number(record[`score_${metric}`]))).toEqual(answers.map((answer) => answer.scores[metric]));
  }

  // The report: each per-model bar carries the aggregate's mean.
  const report = await client.request('GET', `/api/v3/evaluations/${id}/report`);
  expect(report.status).toBe(200);
  const bars = Object.fromEntries(
    [...report.text.matchAll(/<rect class="bar" data-metric="([^"]+)" data-model="([^"]+)" data-mean="([^"]+)"/g)].map((match) => [
      `${match[2]}|${match[1]}`,
      Number(match[3]),
    ]),
  );
  expect(bars).toEqual(Object.fromEntries(METRICS.map((metric) => [`${MODEL}|${metric}`, aggregate.metrics[metric].mean])));
}, 120_000);

describe('a delivery that stalled past its lease, taken over by another', () => {
  const previousLease = process.env.ARBITER_CHUNK_LEASE_SECONDS;
  beforeAll(() => {
    // A short lease, so the takeover happens within the test; read by the in-process evaluator.
    process.env.ARBITER_CHUNK_LEASE_SECONDS = '1';
    resetConfigForTests();
  });
  afterAll(() => {
    if (previousLease === undefined) delete process.env.ARBITER_CHUNK_LEASE_SECONDS;
    else process.env.ARBITER_CHUNK_LEASE_SECONDS = previousLease;
    resetConfigForTests();
    fake.setOptions({ latencyMs: 0, repeats: { latencyMs: REPEAT_LATENCY_MS } });
  });

  it('writes nothing once its answers come: the new holder counted its own, and they are what is shown', async () => {
    // The stalled delivery's calls (first of each prompt) take 3 s; its successor's (repeats) answer at once.
    fake.setOptions({ latencyMs: 3000, repeats: { latencyMs: 0 } });
    const stalled = inProcessEvaluator(stack.env, documents);
    // Its lease is never really renewed, as if its process had stopped: it runs out after a second.
    const store = stalled.deps.evaluations;
    // The successor must start only once the stalled delivery holds the lease: started together, either may
    // claim first, and a successor that wins simply finishes while the stalled one finds the chunk counted.
    let leased!: () => void;
    const stalledHoldsLease = new Promise<void>((resolve) => (leased = resolve));
    stalled.deps.evaluations = new Proxy(store, {
      get: (target, property, receiver) => {
        if (property === 'renewChunkLease') return async () => true;
        if (property === 'claimChunk') {
          return async (...args: Parameters<EvaluationStore['claimChunk']>) => {
            const claim = await target.claimChunk(...args);
            if (claim === 'leased') leased();
            return claim;
          };
        }
        return Reflect.get(target, property, receiver);
      },
    }) as EvaluationStore;
    const successor = inProcessEvaluator(stack.env, documents);

    const { evaluationId, start } = await stalled.create({
      model_id: MODEL,
      benchmark_id: await createBenchmark('Lease takeover'),
      custom_metrics: METRICS,
    });
    await stalled.deliver(start);
    const [chunk] = stalled.queue.take() as ChunkMessage[];
    const first = stalled.deliver(chunk!).then(
      () => undefined,
      (error: unknown) => error,
    );
    await stalledHoldsLease;
    // Waits while the lease is held, takes it once it ran out, answers, counts and finalizes.
    await successor.deliver(chunk!);
    expect(await first).toMatchObject({ name: 'ChunkLeaseLostError' });

    const outcome = await evaluationOutcome(documents, stack.env, evaluationId);
    expect(outcome.status).toBe('completed');
    // Only the successor's answers (every one a repeat) are stored, and they are what was aggregated.
    expect(outcome.rows.map((row) => row.outputs[MODEL]!.output)).toEqual(Array.from({ length: ITEMS }, (_, i) => `${2 * (i + 1)} (take 2)`));
    const answers = outcome.rows.map((row) => ({ ...row.outputs[MODEL]!, scores: row.outputs[MODEL]!.scores as Record<string, number | null> }));
    for (const metric of METRICS) expect(outcome.models[MODEL]!.metrics[metric]).toEqual(summary(answers, metric));
    expect(outcome.chunks).toEqual([{ chunk: 0, completed_items: ITEMS, failed_items: 0 }]);
  }, 60_000);
});
