/**
 * What the fault tests share: a benchmark whose expected outcome is known item by item (the fake model
 * answers the arithmetic, refuses the items marked `[reject]`, and one reference answer is wrong), and
 * running an evaluation through the API to its final state.
 */
import { pollUntil } from '../../../local/poll.js';
import type { FakeModelServer } from '../../../local/fake-model-server/server.js';
import type { api } from './local-stack.js';

export const finalStatuses = ['completed', 'failed', 'cancelled'];

export interface KnownBenchmark {
  benchmarkId: string;
  items: number;
  /** Items the fake refuses (400, not retried): failed for it, scored for the reference baseline. */
  rejected: number;
  /** Items the fake answers but whose stored reference is wrong: scored, exact match 0. */
  wrong: number;
}

/** `[reject]` on every fifth item from the fourth; item 7's reference is wrong. */
export async function createKnownBenchmark(client: ReturnType<typeof api>, name: string, count: number): Promise<KnownBenchmark> {
  const items = Array.from({ length: count }, (_, i) => ({
    input: i % 5 === 3 ? `[reject] ${i} + ${i}` : `${i} + ${i}`,
    expected: i === 7 ? 'fifteen' : String(2 * i),
  }));
  const created = await client.request('POST', '/api/v3/benchmarks', { body: { name, task_type: 'exact_answer', items } });
  if (created.status !== 201) throw new Error(`could not create benchmark ${name}: ${created.status} ${created.text}`);
  const rejected = items.filter((item) => item.input.startsWith('[reject]')).length;
  return { benchmarkId: created.json.benchmark_id, items: count, rejected, wrong: count > 7 && !items[7]!.input.startsWith('[reject]') ? 1 : 0 };
}

/** Registers `modelId` as an OpenAI-compatible model served by the fake, refusing `[reject]` prompts. */
export async function registerFakeModel(
  client: ReturnType<typeof api>,
  fake: FakeModelServer,
  modelId: string,
  options: { timeoutMs?: number; maxConcurrency?: number } = {},
) {
  fake.setOptions({ promptFaults: [{ marker: '[reject]', fault: 'bad_request' }] });
  const registered = await client.request('POST', '/api/v3/models', {
    body: {
      model_id: modelId,
      provider: 'openai_compatible',
      provider_model_id: 'fake-1',
      base_url: fake.url,
      timeout_ms: options.timeoutMs ?? 2000,
      max_concurrency: options.maxConcurrency ?? 8,
    },
  });
  if (registered.status !== 201) throw new Error(`could not register ${modelId}: ${registered.status} ${registered.text}`);
}

/** Creates an evaluation through the API and waits for its final state; answers the full record. */
export async function runToEnd(client: ReturnType<typeof api>, body: unknown, timeoutMs = 90_000) {
  const created = await client.request('POST', '/api/v3/evaluations', { body });
  if (created.status !== 202) throw new Error(`create answered ${created.status}: ${created.text}`);
  const id = created.json.evaluation_id as string;
  await pollUntil(
    async () => {
      const status = await client.request('GET', `/api/v3/evaluations/${id}/status`);
      return finalStatuses.includes(status.json.status) ? true : undefined;
    },
    { timeoutMs, intervalMs: 250, description: `evaluation ${id} to reach a final state` },
  );
  return (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
}

/**
 * The final counts a comparison of the fake (registered as `modelId`) with `baseline:reference` on a
 * known benchmark must show, however often its messages were delivered.
 */
export function expectedCounts(benchmark: KnownBenchmark, modelId = 'fake') {
  const scored = benchmark.items - benchmark.rejected;
  return {
    status: 'completed',
    progress: { total_items: benchmark.items, completed_items: scored, failed_items: benchmark.rejected },
    model_progress: { [modelId]: { scored, failed: benchmark.rejected }, 'baseline:reference': { scored: benchmark.items, failed: 0 } },
    models: {
      [modelId]: {
        completed_items: scored,
        failed_items: benchmark.rejected,
        metrics: { exact_match: { mean: (scored - benchmark.wrong) / scored, n: scored, n_excluded: benchmark.rejected } },
      },
      'baseline:reference': {
        completed_items: benchmark.items,
        failed_items: 0,
        metrics: { exact_match: { mean: 1, n: benchmark.items, n_excluded: 0 } },
      },
    },
  };
}
