/**
 * Model-call limiters are per tenant and per model configuration (DESIGN.md §8): one tenant's model
 * server that hangs cannot take another tenant's slots, whatever the two models are called, and a model
 * whose `max_concurrency` differs between two evaluations keeps each bound while calls are in flight.
 * Driven through the chunk's own answering code, so the test holds whatever the limiter module looks like.
 */
import type { Benchmark, BenchmarkItem } from '#shared/contracts/benchmarks/schemas.js';
import type { Evaluation } from '#shared/contracts/evaluations/schemas.js';
import { chunkMessage } from '#shared/contracts/messages.js';
import type { Model } from '#shared/contracts/models/schemas.js';
import { ItemAnswerer } from '#shared/domain/evaluator/answer-item.js';
import { ChunkWatch } from '#shared/domain/evaluator/chunk-watch.js';
import { heldLimiters } from '#shared/domain/evaluator/concurrency.js';
import type { ChunkWork } from '#shared/domain/evaluator/load-chunk.js';
import type { GenerateRequest, GenerateResult, ModelClient } from '#shared/domain/ports/model-client.js';

const model = (overrides: Partial<Model>): Model => ({
  model_id: 'gpt-4o',
  provider: 'openai_compatible',
  provider_model_id: 'gpt-4o',
  base_url: 'http://models.invalid/v1',
  parameters: {},
  max_concurrency: 1,
  timeout_ms: 60_000,
  builtin: false,
  baseline: false,
  ...overrides,
});

const benchmark = { benchmark_id: 'task-1', prompt_template: '{input}', task_type: 'free_text' } as Benchmark;
const item = (position: number): BenchmarkItem =>
  ({ item_id: `q${position}`, position, input: `question ${position}`, expected: 'answer' }) as BenchmarkItem;

let evaluations = 0;
function workFor(tenantId: string, models: Model[]): ChunkWork {
  evaluations += 1;
  const evaluation = {
    evaluation_id: `eval-${evaluations}`,
    tenant_id: tenantId,
    model_id: models[0]!.model_id,
    benchmark_id: benchmark.benchmark_id,
    models,
    status: 'running',
    progress: { total_items: 100, completed_items: 0, failed_items: 0 },
  } as unknown as Evaluation;
  return {
    message: chunkMessage(tenantId, evaluation.evaluation_id, 0, 0, 100),
    evaluation,
    benchmark,
    items: [],
    samples: [],
    stored: new Map(),
    count: 100,
    scorer: { metrics: [], score: () => ({}) },
    judging: { tenantId, judged: [], pairwise: [] },
  };
}

/** A model client per base URL; calls to `hang` URLs wait until released, and every call is counted. */
function clients() {
  const inFlight = new Map<string, number>();
  const most = new Map<string, number>();
  const waiting: (() => void)[] = [];
  let released = false;
  const answered = (): GenerateResult => ({
    text: 'answer',
    finish_reason: 'stop',
    usage: { input_tokens: 1, output_tokens: 1 },
    latency_ms: 1,
    attempts: 1,
  });
  const clientFor = (m: Model): ModelClient => ({
    async generate(_request: GenerateRequest) {
      const key = `${m.base_url}|${m.max_concurrency}`;
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      most.set(key, Math.max(most.get(key) ?? 0, inFlight.get(key)!));
      try {
        if (m.base_url?.includes('hang') && !released) await new Promise<void>((resolve) => waiting.push(resolve));
        else await new Promise((resolve) => setTimeout(resolve, 5));
        return answered();
      } finally {
        inFlight.set(key, inFlight.get(key)! - 1);
      }
    },
  });
  const release = () => {
    released = true;
    for (const resolve of waiting.splice(0)) resolve();
  };
  return { clientFor, most, release };
}

const noStore = { evaluations: { getConsistent: async () => undefined } } as never;

function answerer(work: ChunkWork, clientFor: (m: Model) => ModelClient) {
  const watch = new ChunkWatch(noStore, work.evaluation, 0, () => Number.POSITIVE_INFINITY);
  return { answerer: new ItemAnswerer({ clientFor }, work, watch), watch };
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), ms))]);

describe('model-call limiters', () => {
  it("tenant B's gpt-4o on a server that hangs takes none of tenant A's gpt-4o slots", async () => {
    const { clientFor, release } = clients();
    const theirs = answerer(workFor('tenant-b', [model({ base_url: 'http://hang.invalid/v1' })]), clientFor);
    const ours = answerer(workFor('tenant-a', [model({})]), clientFor);

    const hung = [0, 1, 2].map((position) => theirs.answerer.answer({ item: item(position), repeat: 0 }, undefined));
    try {
      const answered = await within(ours.answerer.answer({ item: item(0), repeat: 0 }, undefined), 2000);
      expect(answered).not.toBe('late');
      expect(answered).toMatchObject({ outputs: { 'gpt-4o': { status: 'scored', output: 'answer' } } });
    } finally {
      release();
      await Promise.all(hung);
      theirs.watch.stop();
      ours.watch.stop();
    }
  });

  it('one tenant, the same model with another max_concurrency: each bound holds while the other has calls in flight', async () => {
    const { clientFor, most } = clients();
    const two = model({ max_concurrency: 2 });
    const three = model({ max_concurrency: 3 });
    const first = answerer(workFor('tenant-a', [two]), clientFor);
    const second = answerer(workFor('tenant-a', [three]), clientFor);
    const third = answerer(workFor('tenant-a', [two]), clientFor);

    // Calls of the first configuration queue up, the second configuration arrives while they are in
    // flight, then the first comes back: none of this may run more calls at once than its own bound.
    const calls = [
      ...[0, 1, 2, 3, 4, 5].map((position) => first.answerer.answer({ item: item(position), repeat: 0 }, undefined)),
      ...[0, 1, 2, 3, 4, 5].map((position) => second.answerer.answer({ item: item(position), repeat: 0 }, undefined)),
      ...[0, 1, 2, 3, 4, 5].map((position) => third.answerer.answer({ item: item(position), repeat: 0 }, undefined)),
    ];
    await Promise.all(calls);
    for (const { watch } of [first, second, third]) watch.stop();

    expect(most.get('http://models.invalid/v1|2')).toBe(2);
    expect(most.get('http://models.invalid/v1|3')).toBe(3);
    // Idle limiters are dropped, not kept for every configuration ever seen.
    expect(heldLimiters()).toBe(0);
  });

  it('the same configuration with its fields in another order shares one limiter, and so one bound', async () => {
    const { clientFor, most } = clients();
    const a = model({ parameters: { temperature: 0, max_tokens: 10 } });
    // The same fields, every level in reverse order, as a record read back from storage may have them.
    const reordered = Object.fromEntries(Object.entries({ ...a, parameters: { max_tokens: 10, temperature: 0 } }).reverse()) as Model;
    const first = answerer(workFor('tenant-a', [a]), clientFor);
    const second = answerer(workFor('tenant-a', [reordered]), clientFor);
    await Promise.all(
      [0, 1, 2].flatMap((position) => [
        first.answerer.answer({ item: item(position), repeat: 0 }, undefined),
        second.answerer.answer({ item: item(position), repeat: 0 }, undefined),
      ]),
    );
    for (const { watch } of [first, second]) watch.stop();

    expect(most.get('http://models.invalid/v1|1')).toBe(1);
  });
});
