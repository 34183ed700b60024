import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, fakeApi, json, tempEnv, text, type Recorded } from './support.js';

let temp: ReturnType<typeof tempEnv>;
beforeEach(() => {
  temp = tempEnv();
});
afterEach(() => temp.cleanup());

const aggregate = (mean: number) => ({ mean, std_error: 0.05, ci95: [mean - 0.1, mean + 0.1], n: 4, n_excluded: 0 });
const modelResults = (model_id: string, accuracy: number) => ({
  model_id,
  baseline: true,
  completed_items: 4,
  failed_items: 0,
  metrics: { accuracy: aggregate(accuracy) },
  usage: { input_tokens: 0, output_tokens: 0 },
  cost_usd: null,
  latency_ms: { p50: 1, p95: 2 },
  failure_reasons: {},
});

function status(state: string, done: number, extra: Record<string, unknown> = {}) {
  return {
    evaluation_id: 'eval-1',
    status: state,
    model_id: 'a',
    model_id_2: 'b',
    benchmark_id: 'task-1',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    progress: {
      total_items: 4,
      completed_items: done,
      failed_items: 0,
      percent: state === 'completed' ? 100 : done * 25,
      items_per_second: state === 'running' ? 2 : null,
      eta_seconds: state === 'running' ? (4 - done) / 2 : null,
      models:
        done === 0
          ? []
          : [
              { model_id: 'a', scored: done, failed: 0, percent: done * 25 },
              { model_id: 'b', scored: done, failed: 0, percent: done * 25 },
            ],
    },
    ...extra,
  };
}

const evaluation = (state = 'completed', extra: Record<string, unknown> = {}) => ({
  ...status(state, 4),
  benchmark_version: 1,
  benchmark_content_hash: 'sha256:abc',
  custom_metrics: ['accuracy'],
  models: [],
  results:
    state === 'failed'
      ? null
      : {
          models: [modelResults('a', 0.9), modelResults('b', 0.7)],
          comparison: {
            model_id: 'a',
            model_id_2: 'b',
            metrics: {
              accuracy: {
                difference: -0.2,
                ci95: [-0.4, 0],
                p_value: 0.03,
                p_value_adjusted: 0.03,
                test: 'mcnemar',
                wins: 0,
                ties: 3,
                losses: 1,
                n: 4,
                verdict: 'model_1 better',
              },
            },
          },
          seed: 1,
        },
  ...extra,
});

/** The status route answers each of `statuses` in turn, then the last one again. */
function evaluationApi(statuses: unknown[], final = evaluation()) {
  let polls = 0;
  return fakeApi({
    'POST /api/v3/evaluations': () =>
      json(202, {
        evaluation_id: 'eval-1',
        model_id: 'a',
        model_id_2: 'b',
        status: 'pending',
        benchmark_id: 'task-1',
        created_at: '2026-01-01T00:00:00Z',
        message: 'Evaluation created successfully and queued for execution',
      }),
    'GET /api/v3/evaluations/:id/status': () => statuses[Math.min(polls++, statuses.length - 1)],
    'GET /api/v3/evaluations/:id': () => final,
  });
}

const run = (argv: string[], api?: { fetch: typeof fetch }) => cli(argv, { env: temp.env, ...(api ? { fetch: api.fetch } : {}) });
const runArgs = ['eval', 'run', '--model', 'a', '--model-2', 'b', '--benchmark', 'task-1', '--metrics', 'accuracy', '--watch'];

describe('arbiter eval rescore', () => {
  const rescoreApi = () =>
    fakeApi({
      'POST /api/v3/evaluations/:id/rescore': () =>
        json(202, {
          evaluation_id: 'eval-2',
          model_id: 'a',
          model_id_2: 'b',
          status: 'pending',
          benchmark_id: 'task-1',
          created_at: '2026-01-01T00:00:00Z',
          message: 'Evaluation created successfully and queued for execution',
        }),
      'GET /api/v3/evaluations/:id/status': () => status('completed', 4, { evaluation_id: 'eval-2' }),
      'GET /api/v3/evaluations/:id': () => evaluation('completed', { evaluation_id: 'eval-2' }),
    });

  it("sends the metrics to the source's rescore route and prints the new evaluation's id", async () => {
    const api = rescoreApi();
    const result = await run(['eval', 'rescore', 'eval-1', '--metrics', 'token_f1,accuracy', '--budget-usd', '1'], api);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('eval-2');
    expect(api.requests[0]).toMatchObject({ method: 'POST', path: '/api/v3/evaluations/eval-1/rescore' });
    expect(api.requests[0]!.body).toEqual({ custom_metrics: ['token_f1', 'accuracy'], budget_usd: 1 });
  });

  it('with --watch follows the new evaluation and prints its tables; --metrics is required', async () => {
    const watched = await run(['eval', 'rescore', 'eval-1', '--metrics', 'accuracy', '--watch'], rescoreApi());
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain('accuracy');
    expect((await run(['eval', 'rescore', 'eval-1'], rescoreApi())).code).toBe(2);
  });
});

describe('arbiter eval run --watch', () => {
  it('sends --budget-usd as the budget_usd of the create body', async () => {
    const api = evaluationApi([status('completed', 4)]);

    const result = await run([...runArgs, '--budget-usd', '2.5'], api);

    expect(result.code).toBe(0);
    expect(api.requests[0]!.body).toMatchObject({ model_id: 'a', budget_usd: 2.5 });
    expect((await run([...runArgs, '--budget-usd', '0'], api)).code).not.toBe(0);
  });

  it('creates the comparison, prints one progress line per change, then the tables', async () => {
    const api = evaluationApi([status('pending', 0), status('running', 2), status('running', 2), status('completed', 4)]);

    const result = await run(runArgs, api);

    expect(result.code).toBe(0);
    expect(api.requests[0]!.body).toEqual({ model_id: 'a', model_id_2: 'b', benchmark_id: 'task-1', custom_metrics: ['accuracy'] });
    const progress = result.stderr.split('\n').filter((line) => line.startsWith('eval-1 '));
    expect(progress).toEqual([
      'eval-1 pending  a 0.0% (0/4)  b 0.0% (0/4)',
      'eval-1 running  a 50.0% (2/4)  b 50.0% (2/4)  2.0 items/s  ETA 1s',
      'eval-1 completed  a 100.0% (4/4)  b 100.0% (4/4)',
      'eval-1 completed after 3s',
    ]);
    expect(result.stdout).toContain(
      'a (baseline): 4 scored, 0 failed\n  metric     mean  95% CI          n  excluded\n  accuracy  0.900  [0.800, 1.000]  4         0',
    );
    expect(result.stdout).toContain('comparison: b − a');
    expect(result.stdout).toMatch(/accuracy\s+-0\.200\s+\[-0\.400, 0\.000\]\s+0\.030\s+0\/3\/1\s+a better/);
  });

  it('keeps watching through a passing 503, as after a restart', async () => {
    const api = evaluationApi([json(503, { code: 'service_unavailable', message: 'Service Unavailable' }), status('completed', 4)]);

    const result = await run(runArgs, api);

    expect(result.code).toBe(0);
    expect(api.requests.filter((request) => request.path.endsWith('/status'))).toHaveLength(2);
  });

  it('exits 3 naming the missed threshold, and 0 when every model meets it', async () => {
    const missed = await run([...runArgs, '--fail-under', 'accuracy=0.8'], evaluationApi([status('completed', 4)]));
    const met = await run([...runArgs, '--fail-under', 'accuracy=0.6'], evaluationApi([status('completed', 4)]));

    expect(missed.code).toBe(3);
    expect(missed.stdout).toContain('threshold met: accuracy of a is 0.900, at least 0.8');
    expect(missed.stderr).toContain('error: threshold missed: accuracy of b is 0.700, under 0.8\n');
    expect(met.code).toBe(0);
  });

  it('waits for the results when --fail-under is given without --watch', async () => {
    const result = await run(
      ['eval', 'run', '--model', 'a', '--benchmark', 'task-1', '--fail-under', 'accuracy=0.95'],
      evaluationApi([status('completed', 4)]),
    );

    expect(result.code).toBe(3);
    expect(result.stderr).toContain('error: 2 thresholds missed\n  accuracy of a is 0.900, under 0.95\n  accuracy of b is 0.700, under 0.95\n');
  });

  it('exits 1 with the reason when the evaluation fails', async () => {
    const error = { code: 'benchmark_deleted', message: 'The benchmark was deleted' };
    const result = await run(runArgs, evaluationApi([status('failed', 0, { error })], evaluation('failed', { error })));

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: evaluation eval-1 failed: The benchmark was deleted (benchmark_deleted)\n');
  });

  it('without --watch prints the evaluation id alone on standard output', async () => {
    const result = await run(['eval', 'run', '--model', 'a', '--benchmark', 'task-1'], evaluationApi([]));

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('eval-1\n');
    expect(result.stderr).toContain('arbiter eval watch eval-1');
  });
});

describe('errors', () => {
  it('answers usage errors with exit 2 before sending anything', async () => {
    const api = evaluationApi([]);
    const results = await Promise.all([
      run(['eval', 'run', '--model', 'a'], api),
      run(['eval', 'run', '--model', 'a', '--benchmark', 'b', '--fail-under', 'accuracy'], api),
      run(['eval', 'list', '--limit', '1000'], api),
      run(['eval', 'nope'], api),
    ]);

    expect(results.map((result) => result.code)).toEqual([2, 2, 2, 2]);
    expect(results[0]!.stderr).toContain("error: required option '--benchmark <benchmark_id>' not specified");
    expect(results[2]!.stderr).toContain('must be a whole number from 1 to 100');
    expect(api.requests).toHaveLength(0);
  });

  it("prints the API's message, code and offending fields, without a stack trace", async () => {
    const api = fakeApi({
      'POST /api/v3/evaluations': () =>
        json(422, {
          code: 'unknown_model',
          message: 'Unknown model nope',
          errors: [{ path: 'model_id', message: 'no registered or built-in model with this id' }],
        }),
    });

    const result = await run(['eval', 'run', '--model', 'nope', '--benchmark', 'task-1'], api);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: Unknown model nope (unknown_model)\n  model_id: no registered or built-in model with this id\n');
  });

  it("reads API Gateway's own errors, which carry only a message", async () => {
    const api = fakeApi({ 'GET /api/v3/evaluations/:id': () => json(429, { message: 'Too Many Requests' }) });

    const result = await run(['eval', 'show', 'eval-1'], api);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: Too Many Requests (429)\n');
  });

  it('names the endpoint it cannot reach', async () => {
    const fetch = (async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    }) as unknown as typeof globalThis.fetch;

    const result = await run(['eval', 'list'], { fetch });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: cannot reach http://arbiter.test (ECONNREFUSED)\n');
  });

  it('says how to log in when there is no configuration', async () => {
    const result = await cli(['benchmarks', 'list'], { env: { ARBITER_CONFIG: join(temp.dir, 'none.json') } });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: not logged in\n  run `arbiter login --endpoint URL --api-key KEY`');
  });
});

describe('arbiter eval results', () => {
  const header = 'item_id,position,model_id,status\n';
  function exportApi(pages: string[], contentType = 'text/csv; charset=utf-8') {
    return fakeApi({
      'GET /api/v3/evaluations/:id/results': (request: Recorded) => {
        const index = Number(request.query.get('cursor') ?? 0);
        return text(pages[index]!, contentType, index + 1 < pages.length ? { 'x-arbiter-next-cursor': String(index + 1) } : {});
      },
    });
  }

  it('follows the continuation header and writes the CSV header once', async () => {
    const api = exportApi([`${header}q1,0,a,scored\n`, `${header}q2,1,a,failed\n`, `${header}q3,2,a,scored\n`]);

    const result = await run(['eval', 'results', 'eval-1', '--format', 'csv', '--failed', '--model', 'a'], api);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${header}q1,0,a,scored\nq2,1,a,failed\nq3,2,a,scored\n`);
    expect(
      api.requests.map((request) => [
        request.query.get('format'),
        request.query.get('failed'),
        request.query.get('model_id'),
        request.query.get('cursor'),
      ]),
    ).toEqual([
      ['csv', 'true', 'a', null],
      ['csv', 'true', 'a', '1'],
      ['csv', 'true', 'a', '2'],
    ]);
  });

  it('writes JSONL to a file with -o', async () => {
    const output = join(temp.dir, 'results.jsonl');
    const result = await run(
      ['eval', 'results', 'eval-1', '--format', 'jsonl', '-o', output],
      exportApi(['{"item_id":"q1"}\n', '{"item_id":"q2"}\n'], 'application/x-ndjson'),
    );

    expect(result.code).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe('{"item_id":"q1"}\n{"item_id":"q2"}\n');
  });

  it('stops, leaving no file, when the columns change between responses', async () => {
    const output = join(temp.dir, 'results.csv');
    const result = await run(['eval', 'results', 'eval-1', '-o', output], exportApi([`${header}q1,0,a,scored\n`, 'item_id,other\nq2,x\n']));

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: the CSV columns changed between responses');
    expect(readdirSync(temp.dir).filter((name) => name.startsWith('results'))).toEqual([]);
  });
});

describe('arbiter eval report', () => {
  it('writes the HTML the report route answers', async () => {
    const output = join(temp.dir, 'report.html');
    const api = fakeApi({ 'GET /api/v3/evaluations/:id/report': () => text('<!doctype html><title>r</title>', 'text/html; charset=utf-8') });

    const result = await run(['eval', 'report', 'eval-1', '-o', output], api);

    expect(result.code).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe('<!doctype html><title>r</title>');
  });

  it('reports an error answer of the route and writes nothing', async () => {
    const output = join(temp.dir, 'report.html');
    const api = fakeApi({ 'GET /api/v3/evaluations/:id/report': () => json(404, { code: 'not_found', message: 'No evaluation eval-x' }) });

    const result = await run(['eval', 'report', 'eval-x', '-o', output], api);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: No evaluation eval-x (not_found)\n');
    expect(existsSync(output)).toBe(false);
  });
});

describe('arbiter benchmarks import', () => {
  function benchmarkApi(appendAnswer?: (request: Recorded) => unknown) {
    return fakeApi({
      'POST /api/v3/benchmarks': (request) =>
        json(201, { benchmark_id: 'task-1', name: (request.body as { name: string }).name, task_type: 'exact_answer', item_count: 0 }),
      'POST /api/v3/benchmarks/:id/items': (request) => appendAnswer?.(request) ?? { item_count: 0 },
    });
  }

  it('creates the benchmark with the first batch and appends the rest in order, with progress lines', async () => {
    const lines = [
      '{"name":"Sums","task_type":"exact_answer"}',
      ...Array.from({ length: 2500 }, (_, index) => JSON.stringify({ input: `${index}+1`, expected: String(index + 1) })),
    ];
    const file = join(temp.dir, 'sums.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const api = benchmarkApi();

    const result = await run(['benchmarks', 'import', file], api);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('task-1\n');
    expect(api.requests.map((request) => [request.path, (request.body as { items: unknown[] }).items.length])).toEqual([
      ['/api/v3/benchmarks', 1000],
      ['/api/v3/benchmarks/task-1/items', 1000],
      ['/api/v3/benchmarks/task-1/items', 500],
    ]);
    expect(api.requests[0]!.body).toMatchObject({ name: 'Sums', task_type: 'exact_answer' });
    const sent = api.requests.flatMap((request) => (request.body as { items: { input: string }[] }).items.map((item) => item.input));
    expect(sent).toEqual(Array.from({ length: 2500 }, (_, index) => `${index}+1`));
    expect(result.stderr).toMatch(
      /sent 1000 items \(\d+% of the file\)\nsent 2000 items \(\d+% of the file\)\nsent 2500 items \(100% of the file\)\n/,
    );
  });

  it('points a rejected item at its line in the file and says how to resume', async () => {
    const file = join(temp.dir, 'items.csv');
    writeFileSync(file, `input,expected\n${Array.from({ length: 1003 }, (_, index) => `q${index},a`).join('\n')}\n`);
    const api = benchmarkApi(() =>
      json(400, {
        code: 'validation_error',
        message: 'Some items are not valid; nothing was written',
        errors: [{ path: 'items.2.id', message: 'duplicate item id q1' }],
      }),
    );

    const result = await run(['benchmarks', 'import', file, '--name', 'Q', '--task-type', 'exact_answer'], api);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: Some items are not valid; nothing was written (validation_error)\n  line 1004: id: duplicate item id q1\n',
    );
    expect(result.stderr).toContain(
      `task-1 holds the first 1000 items; after fixing the file, send the rest with: arbiter benchmarks import ${file} --into task-1 --skip 1000`,
    );
  });

  it('guesses the task type from the items and says so', async () => {
    const file = join(temp.dir, 'quiz.json');
    writeFileSync(file, JSON.stringify([{ input: 'Capital of France?', choices: ['Paris', 'Lyon'], expected: 'A' }]));
    const api = benchmarkApi();

    const result = await run(['benchmarks', 'import', file], api);

    expect(result.code).toBe(0);
    expect(api.requests[0]!.body).toMatchObject({ name: 'quiz', task_type: 'multiple_choice' });
    expect(result.stderr).toContain('task type: multiple_choice (guessed from the items');
  });
});
