/**
 * `npm run bench:estimate`: how close `POST /evaluations/estimate` comes to what a run then uses. On the
 * local stack with the fake model server (which reports usage: whitespace-separated words) and a priced
 * model, two benchmarks of the same make (BENCH_ITEMS items each, free text of varied length): A is
 * estimated with no history and run; B is estimated with A as history and run. Prints estimated against
 * actual input and output tokens, cost, model and judge calls, and duration. The model is its own judge
 * (relevance), so its observed latency covers the judge calls too; judge calls' usage is not recorded, so
 * the token and cost rows compare the candidate's calls only.
 */
import '../local/sdk-warning.js';
import { startLocalStack } from '../local/stack.js';
import { startFakeModelServer } from '../local/fake-model-server/server.js';
import { mulberry32 } from '#shared/domain/stats/random.js';
import { apiCaller } from './support.js';

const totalItems = Number(process.env.BENCH_ITEMS ?? 300);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 20);
const pricing = { input_per_million: 3, output_per_million: 15 };

const fake = await startFakeModelServer({ latencyMs });
const stack = await startLocalStack({
  port: 0,
  inMemory: true,
  quiet: true,
  dataDir: `/tmp/arbiter-bench-estimate-${process.pid}`,
  env: { LOG_LEVEL: 'WARN', ARBITER_DEFAULT_JUDGE_MODEL: 'fake-priced' },
});
const call = apiCaller(stack.apiUrl, stack.devApiKey);

const words = 'the model reads each question and answers with a sentence that names the part of the system it concerns'.split(' ');
/** A paragraph of 1–4 sentences of 5–24 words, deterministic in `seed`; the fake answers with its last paragraph's first sentence. */
function paragraph(seed: number): string {
  const random = mulberry32(seed);
  const next = (n: number) => Math.floor(random() * n);
  const sentences = Array.from({ length: 1 + next(4) }, () => {
    const length = 5 + next(20);
    const text = Array.from({ length }, () => words[next(words.length)]).join(' ');
    return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
  });
  return sentences.join(' ');
}

async function createBenchmark(name: string, offset: number): Promise<string> {
  const benchmark = await call('POST', '/api/v3/benchmarks', {
    name,
    task_type: 'free_text',
    prompt_template: 'Summarise in one sentence:\n\n{input}',
  });
  for (let first = 0; first < totalItems; first += 1000) {
    const items = Array.from({ length: Math.min(1000, totalItems - first) }, (_, i) => ({
      input: paragraph(offset + first + i),
      expected: paragraph(offset + first + i + 7),
    }));
    await call('POST', `/api/v3/benchmarks/${benchmark.benchmark_id}/items`, { items });
  }
  return benchmark.benchmark_id;
}

async function runToEnd(body: unknown): Promise<{ evaluation: any; seconds: number; requests: number }> {
  const before = fake.stats().requests;
  const started = performance.now();
  const created = await call('POST', '/api/v3/evaluations', body);
  let status: any;
  do {
    await new Promise((resolve) => setTimeout(resolve, 200));
    status = await call('GET', `/api/v3/evaluations/${created.evaluation_id}/status`);
  } while (!['completed', 'failed', 'cancelled'].includes(status.status));
  const seconds = (performance.now() - started) / 1000;
  return { evaluation: await call('GET', `/api/v3/evaluations/${created.evaluation_id}`), seconds, requests: fake.stats().requests - before };
}

const pct = (estimated: number, actual: number) => (actual === 0 ? 'n/a' : `${(((estimated - actual) / actual) * 100).toFixed(1)}%`);
const usd = (value: number) => `$${value.toFixed(6)}`;

function report(label: string, estimate: any, run: { evaluation: any; seconds: number; requests: number }) {
  const model = estimate.models[0];
  const actual = run.evaluation.results.models[0];
  const judgeCalls = estimate.judges.reduce((sum: number, judge: any) => sum + judge.calls, 0);
  console.log(`\n${label}: ${estimate.item_count} items, status ${run.evaluation.status}, ${actual.completed_items} scored`);
  console.log(`  tokenisation: ${estimate.tokenisation.method}`);
  const rows: [string, string, string, string][] = [
    ['input tokens (low)', String(model.input_tokens.low), String(actual.usage.input_tokens), pct(model.input_tokens.low, actual.usage.input_tokens)],
    [
      'input tokens (expected)',
      String(model.input_tokens.expected),
      String(actual.usage.input_tokens),
      pct(model.input_tokens.expected, actual.usage.input_tokens),
    ],
    [
      'input tokens (high)',
      String(model.input_tokens.high),
      String(actual.usage.input_tokens),
      pct(model.input_tokens.high, actual.usage.input_tokens),
    ],
    [
      'output tokens (expected)',
      String(model.output_tokens.expected),
      String(actual.usage.output_tokens),
      pct(model.output_tokens.expected, actual.usage.output_tokens),
    ],
    [
      'output tokens (max bound)',
      String(model.output_tokens.max_tokens_bound),
      String(actual.usage.output_tokens),
      pct(model.output_tokens.max_tokens_bound, actual.usage.output_tokens),
    ],
    [
      'output tokens (observed)',
      model.output_tokens.observed_based === null ? 'none' : String(model.output_tokens.observed_based),
      String(actual.usage.output_tokens),
      model.output_tokens.observed_based === null ? 'n/a' : pct(model.output_tokens.observed_based, actual.usage.output_tokens),
    ],
    ['cost (low)', usd(model.cost_usd.low), usd(actual.cost_usd), pct(model.cost_usd.low, actual.cost_usd)],
    ['cost (expected)', usd(model.cost_usd.expected), usd(actual.cost_usd), pct(model.cost_usd.expected, actual.cost_usd)],
    ['cost (high)', usd(model.cost_usd.high), usd(actual.cost_usd), pct(model.cost_usd.high, actual.cost_usd)],
    ['calls (model + judges)', String(model.calls + judgeCalls), String(run.requests), pct(model.calls + judgeCalls, run.requests)],
    [
      'duration s (low–high)',
      `${estimate.duration.low_seconds}–${estimate.duration.high_seconds}`,
      run.seconds.toFixed(1),
      `latency ${estimate.duration.models.map((entry: any) => `${entry.latency_ms} ms ${entry.latency_source}`).join(', ')}`,
    ],
  ];
  for (const [name, estimated, measured, error] of rows)
    console.log(`  ${name.padEnd(26)} est ${estimated.padStart(14)}  actual ${measured.padStart(12)}  ${error}`);
}

try {
  const [first, second] = [await createBenchmark('Estimate A', 0), await createBenchmark('Estimate B', 1_000_000)];
  for (const [modelId, parameters] of [['fake-priced', { max_tokens: 64, system_prompt: 'You summarise text. Reply with one sentence.' }]] as const) {
    await call('POST', '/api/v3/models', {
      model_id: modelId,
      provider: 'openai_compatible',
      provider_model_id: 'fake',
      base_url: fake.url,
      max_concurrency: 8,
      timeout_ms: 10_000,
      parameters,
      pricing,
    });
  }
  const body = (benchmarkId: string) => ({ model_id: 'fake-priced', benchmark_id: benchmarkId, custom_metrics: ['token_f1', 'relevance'] });

  const estimateA = await call('POST', '/api/v3/evaluations/estimate', body(first));
  report('A (no history)', estimateA, await runToEnd(body(first)));
  const estimateB = await call('POST', '/api/v3/evaluations/estimate', body(second));
  report('B (A as history)', estimateB, await runToEnd(body(second)));
  console.log('\nJudge usage is not recorded per call, so judge tokens are not compared; their calls are counted above.');
} finally {
  await stack.stop();
  await fake.stop();
}
