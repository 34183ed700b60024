import type { EstimateResponse } from '#shared/contracts/evaluations/estimate-schemas.js';
import type { Io } from '../../../cli/io.js';
import { runCli } from '../../../cli/run.js';
import { fakeApi, json, tempEnv } from './support.js';

let temp: ReturnType<typeof tempEnv>;
beforeEach(() => {
  temp = tempEnv();
});
afterEach(() => temp.cleanup());

const output = (perCall: number, calls: number, observed: number | null) => ({
  max_tokens_per_call: perCall,
  max_tokens_source: 'parameters' as const,
  max_tokens_bound: perCall * calls,
  observed_mean_per_call: observed === null ? null : observed / calls,
  observed_based: observed,
  observed_from: observed === null ? null : { evaluations: 2, calls },
  expected: observed ?? perCall * calls,
});

const sample: EstimateResponse = {
  benchmark_id: 'task-1',
  benchmark_version: 2,
  item_count: 30,
  items_rendered: 30,
  tokenisation: { method: 'arbiter-heuristic-v1', description: 'words, characters ÷ 4, bytes ÷ 3' },
  models: [
    {
      model_id: 'gpt-x',
      calls: 30,
      input_tokens: { low: 600, expected: 800, high: 1100 },
      output_tokens: output(40, 30, 90),
      cost_usd: { low: 0.00312, expected: 0.00376, high: 0.0213 },
    },
    {
      model_id: 'local',
      calls: 30,
      input_tokens: { low: 600, expected: 800, high: 1100 },
      output_tokens: output(1024, 30, null),
      cost_usd: null,
      cost_note: 'local has no pricing: register it with "pricing"',
    },
  ],
  judges: [
    {
      judge_model_id: 'judge',
      metrics: [{ name: 'relevance', kind: 'judge', calls: 60 }],
      calls: 60,
      input_tokens: { low: 9000, expected: 12_000, high: 75_000 },
      output_tokens: output(200, 60, null),
      cost_usd: { low: 0.00225, expected: 0.0078, high: 0.03375 },
    },
  ],
  totals: {
    calls: 120,
    input_tokens: { low: 10_200, expected: 13_600, high: 77_200 },
    output_tokens: { max_tokens_bound: 44_120, expected: 43_610 },
    cost_usd: { low: 0.0054, expected: 0.01155, high: 0.05505 },
    cost_complete: false,
    unpriced_models: ['local'],
  },
  duration: {
    low_seconds: 3,
    high_seconds: 95,
    chunk_size: 100,
    chunk_count: 1,
    parallel_chunks: 1,
    bottleneck_model_id: 'judge',
    models: [],
  },
  assumptions: ['Every item is answered once by each model.'],
};

const created = {
  evaluation_id: 'eval-1',
  model_id: 'gpt-x',
  status: 'pending',
  benchmark_id: 'task-1',
  created_at: '2026-01-01T00:00:00Z',
  message: 'ok',
};

function api() {
  return fakeApi({
    'POST /api/v3/evaluations/estimate': () => sample,
    'POST /api/v3/evaluations': () => json(202, created),
  });
}

/** A command line run in-process; `terminal` makes standard input and error terminals, answering `answer` when asked. */
async function run(argv: string[], fetch: typeof globalThis.fetch, terminal?: { answer: string }) {
  let stdout = '';
  let stderr = '';
  const questions: string[] = [];
  const io: Io = {
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: false },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: terminal !== undefined },
    env: temp.env,
    fetch,
    sleep: async () => {},
    now: () => 0,
    stdin: { isTTY: terminal !== undefined },
    ask: async (question) => {
      questions.push(question);
      return terminal?.answer ?? '';
    },
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr, questions };
}

const paths = (fake: ReturnType<typeof api>) => fake.requests.map((request) => `${request.method} ${request.path}`);

describe('arbiter eval estimate', () => {
  it('sends the create body to the estimate route and prints a table per model and judge with totals', async () => {
    const fake = api();

    const result = await run(
      ['eval', 'estimate', '--model', 'gpt-x', '--model-2', 'local', '--benchmark', 'task-1', '--metrics', 'relevance'],
      fake.fetch,
    );

    expect(result.code).toBe(0);
    expect(paths(fake)).toEqual(['POST /api/v3/evaluations/estimate']);
    expect(fake.requests[0]!.body).toEqual({ model_id: 'gpt-x', model_id_2: 'local', benchmark_id: 'task-1', custom_metrics: ['relevance'] });
    expect(result.stdout).toContain('estimate: task-1 (version 2, 30 items), tokens by arbiter-heuristic-v1');
    expect(result.stdout).toMatch(/model\s+gpt-x\s+30\s+600–1,100\s+90 \/ 1,200\s+\$0\.0031 \/ \$0\.0038 \/ \$0\.021/);
    expect(result.stdout).toMatch(/model\s+local\s+30\s+600–1,100\s+30,720 \/ 30,720\s+no pricing/);
    expect(result.stdout).toMatch(/judge\s+judge \(relevance\)\s+60\s+9,000–75,000/);
    expect(result.stdout).toMatch(/total\s+\(without local\)\s+120\s+10,200–77,200/);
    expect(result.stdout).toContain('duration: 3s to 1m35s (1 chunks of 100, up to 1 at once; slowest: judge)');
    expect(result.stdout).toContain('observed output: gpt-x 3 tokens a call (2 evaluations)');
    expect(result.stdout).toContain('note: local has no pricing');
    expect(result.stdout).toContain('  - Every item is answered once by each model.');
  });

  it('answers a service without the route with an error, and prints JSON with --json', async () => {
    const old = fakeApi({});
    const missing = await run(['eval', 'estimate', '--model', 'a', '--benchmark', 'task-1'], old.fetch);
    const asJson = await run(['eval', 'estimate', '--model', 'a', '--benchmark', 'task-1', '--json'], api().fetch);

    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('has no estimate route');
    expect(JSON.parse(asJson.stdout)).toEqual(sample);
  });
});

describe('arbiter eval run shows the estimate first', () => {
  const runArgs = ['eval', 'run', '--model', 'gpt-x', '--benchmark', 'task-1'];

  it('asks on a terminal, and creates nothing unless the answer is yes', async () => {
    const declined = api();
    const no = await run(runArgs, declined.fetch, { answer: 'n' });
    const accepted = api();
    const yes = await run(runArgs, accepted.fetch, { answer: 'y' });

    expect(no.questions).toEqual(['Run it? [y/N] ']);
    expect(no.code).toBe(0);
    expect(no.stderr).toContain('estimate: task-1');
    expect(no.stderr).toContain('not run: nothing was created');
    expect(paths(declined)).toEqual(['POST /api/v3/evaluations/estimate']);
    expect(yes.code).toBe(0);
    expect(paths(accepted)).toEqual(['POST /api/v3/evaluations/estimate', 'POST /api/v3/evaluations']);
    expect(yes.stdout).toBe('eval-1\n');
  });

  it('an empty answer is no', async () => {
    const fake = api();
    const result = await run(runArgs, fake.fetch, { answer: '' });

    expect(paths(fake)).toEqual(['POST /api/v3/evaluations/estimate']);
    expect(result.stderr).toContain('not run');
  });

  it('--yes skips the question on a terminal', async () => {
    const fake = api();
    const result = await run([...runArgs, '--yes'], fake.fetch, { answer: 'n' });

    expect(result.questions).toEqual([]);
    expect(paths(fake)).toEqual(['POST /api/v3/evaluations/estimate', 'POST /api/v3/evaluations']);
    expect(result.stderr).toContain('estimate: task-1');
  });

  it('without a terminal prints the estimate on standard error and runs without asking', async () => {
    const fake = api();
    const result = await run(runArgs, fake.fetch);

    expect(result.questions).toEqual([]);
    expect(result.stderr).toContain('estimate: task-1');
    expect(result.stdout).toBe('eval-1\n');
    expect(paths(fake)).toEqual(['POST /api/v3/evaluations/estimate', 'POST /api/v3/evaluations']);
  });

  it("stops with the estimate's 422 before creating", async () => {
    const fake = fakeApi({
      'POST /api/v3/evaluations/estimate': () =>
        json(422, { code: 'unknown_model', message: 'Unknown model nope', errors: [{ path: 'model_id', message: 'no model with this id' }] }),
      'POST /api/v3/evaluations': () => json(202, created),
    });
    const result = await run(runArgs, fake.fetch);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: Unknown model nope (unknown_model)\n  model_id: no model with this id\n');
    expect(paths(fake)).toEqual(['POST /api/v3/evaluations/estimate']);
  });
});
