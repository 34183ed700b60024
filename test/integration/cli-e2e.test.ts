/**
 * The README's path for a new user, end to end: start the service, create an API key, then drive the
 * `arbiter` CLI as a subprocess: log in, register a model, import a benchmark file, run a comparison
 * with --watch, gate on --fail-under, export the results and write the HTML report.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { startTestStack, type TestStack } from './support/local-stack.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const fixture = join(repoRoot, 'test/fixtures/cli-benchmark.csv');
const fixtureItems = 12;

let stack: TestStack;
let fake: FakeModelServer;
let workDir: string;
let apiKey: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { cwd: repoRoot, env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** The CLI as a user runs it: its own process, a private config file, no terminal (progress as lines). */
function arbiter(...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ARBITER_CONFIG: join(workDir, 'config', 'arbiter.json') };
  delete env.ARBITER_ENDPOINT;
  delete env.ARBITER_API_KEY;
  return exec(process.execPath, [join(repoRoot, 'bin/arbiter.js'), ...args], env);
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'arbiter-cli-e2e-'));
  fake = await startFakeModelServer({ seed: 7, latencyMs: 60 });
  // Small chunks, so that progress moves in several steps while the CLI watches.
  stack = await startTestStack({ env: { ARBITER_CHUNK_SIZE: '3' } });
  const created = await exec(
    'npm',
    ['run', '--silent', 'api-key', '--', 'create', '--tenant', 'e2e', '--scopes', 'all', '--data-dir', stack.dataDir],
    process.env,
  );
  expect(created.code).toBe(0);
  apiKey = created.stdout.trim().split('\n').at(-1)!;
  expect(apiKey).toMatch(/^arb_/);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('arbiter, as the README walks a new user through it', () => {
  let benchmarkId: string;
  let evaluationId: string;

  it('logs in, keeping the key in a file only its owner can read', async () => {
    const login = await arbiter('login', '--endpoint', stack.apiUrl, '--api-key', apiKey);

    expect(login).toMatchObject({ code: 0 });
    const config = join(workDir, 'config', 'arbiter.json');
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ endpoint: stack.apiUrl, api_key: apiKey });
  });

  it('registers a model and imports a benchmark file', async () => {
    const [model, imported] = await Promise.all([
      arbiter(
        'models',
        'add',
        'fake',
        '--provider',
        'openai_compatible',
        '--provider-model-id',
        'fake-1',
        '--base-url',
        fake.url,
        '--max-concurrency',
        '2',
      ),
      arbiter('benchmarks', 'import', fixture, '--name', 'CLI fixture', '--task-type', 'exact_answer'),
    ]);
    const listed = await arbiter('benchmarks', 'list');

    expect(model).toMatchObject({ code: 0, stdout: 'fake\n' });
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain(`sent ${fixtureItems} items (100% of the file)`);
    benchmarkId = imported.stdout.trim();
    expect(benchmarkId).toMatch(/^task-/);
    expect(listed.stdout).toMatch(new RegExp(`${benchmarkId}\\s+CLI fixture\\s+exact_answer\\s+${fixtureItems}\\s+1`));
  });

  it('runs a comparison with --watch: progress lines while it runs, then a table per model and the comparison', async () => {
    const run = await arbiter(
      'eval',
      'run',
      '--model',
      'fake',
      '--model-2',
      'baseline:reference',
      '--benchmark',
      benchmarkId,
      '--metrics',
      'exact_match,token_f1',
      '--watch',
      '--interval',
      '0.2',
    );

    expect(run.code).toBe(0);
    evaluationId = /created (eval-\S+):/.exec(run.stderr)![1]!;
    const progress = run.stderr.split('\n').filter((line) => line.startsWith(`${evaluationId} `));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(
      progress.every((line) => /^eval-\S+ (pending|running|completed)( {2}\S+ \d+\.\d% \(\d+\/12\)){2}/.test(line) || / completed after /.test(line)),
    ).toBe(true);
    expect(progress).toContain(`${evaluationId} completed  fake 100.0% (12/12)  baseline:reference 100.0% (12/12)`);

    // The fake answers the nine sums and misses the two capitals; the open question has no expected answer.
    expect(run.stdout).toMatch(
      /fake: 12 scored, 0 failed\n\s+metric\s+mean\s+95% CI\s+n\s+excluded\n\s+exact_match\s+0\.818\s+\[\d\.\d{3}, \d\.\d{3}\]\s+11\s+1\n\s+token_f1/,
    );
    expect(run.stdout).toMatch(
      /baseline:reference \(baseline\): 11 scored, 1 failed\n\s+metric\s+mean\s+95% CI\s+n\s+excluded\n\s+exact_match\s+1\.000/,
    );
    expect(run.stdout).toContain('failures: refused 1');
    expect(run.stdout).toMatch(
      /comparison: baseline:reference − fake .*\n\s+metric\s+difference\s+95% CI\s+p-value\s+wins\/ties\/losses\s+verdict\n\s+exact_match\s+\+0\.182\s+\[[^\]]+\]\s+\S+\s+2\/9\/0\s+(no significant difference|baseline:reference better)/,
    );
  });

  it('exits 3 naming the metric and model under a --fail-under threshold, and 0 when all meet it', async () => {
    const [missed, met] = await Promise.all([
      arbiter('eval', 'watch', evaluationId, '--fail-under', 'exact_match=0.9'),
      arbiter('eval', 'watch', evaluationId, '--fail-under', 'exact_match=0.8', '--fail-under', 'token_f1=0.5'),
    ]);

    expect(missed.code).toBe(3);
    expect(missed.stderr).toContain('error: threshold missed: exact_match of fake is 0.818, under 0.9\n');
    expect(met.code).toBe(0);
    expect(met.stdout).toContain('threshold met: exact_match of fake is 0.818, at least 0.8');
  });

  it('exports every result as CSV and JSONL, and the failed answers alone', async () => {
    const csvFile = join(workDir, 'results.csv');
    const [csv, failed, jsonl] = await Promise.all([
      arbiter('eval', 'results', evaluationId, '--format', 'csv', '-o', csvFile),
      arbiter('eval', 'results', evaluationId, '--format', 'csv', '--failed'),
      arbiter('eval', 'results', evaluationId, '--format', 'jsonl'),
    ]);

    expect(csv.code).toBe(0);
    const rows = parse(readFileSync(csvFile, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(fixtureItems * 2);
    expect(rows.find((row) => row.item_id === 'quoted' && row.model_id === 'fake')).toMatchObject({
      input: 'Compute, then answer with "the number" only: 3 + 4',
      answer: '7',
      score_exact_match: '1',
    });
    expect((parse(failed.stdout, { columns: true }) as Record<string, string>[]).map((row) => [row.item_id, row.model_id, row.error_code])).toEqual([
      ['open-ended', 'baseline:reference', 'refused'],
    ]);
    expect(
      jsonl.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).item_id),
    ).toHaveLength(fixtureItems);
  });

  it('writes the HTML report', async () => {
    const file = join(workDir, 'report.html');
    const report = await arbiter('eval', 'report', evaluationId, '-o', file);

    expect(report.code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain(evaluationId);
    expect(html).toContain('baseline:reference');
  });

  it('explains API errors with their code and fields, and exits 1 without a stack trace', async () => {
    const [unknown, missing] = await Promise.all([
      arbiter('eval', 'run', '--model', 'no-such-model', '--benchmark', benchmarkId),
      arbiter('eval', 'show', 'eval-doesnotexist'),
    ]);

    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: .+ \(unknown_model\)\n {2}model_id: .+\n$/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .+ \(not_found\)\n/);
    expect(`${unknown.stderr}${missing.stderr}`).not.toMatch(/\n\s+at /);
  });
});
