import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { firstRunScript, startBanner } from '../../local/banner.js';
import { isProcessAlive } from '../../local/child-process.js';
import { api, stackStartTimeoutMs, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

let stack: TestStack | undefined;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await startTestStack();
  client = api(stack);
}, stackStartTimeoutMs);

afterAll(async () => {
  await stack?.stop();
}, stackStartTimeoutMs);

describe('the local stack', () => {
  it('prints a first example that succeeds with no provider keys: a baseline comparison, completed, and its report', async () => {
    const banner = startBanner(stack!, false);
    const script = firstRunScript(stack!);
    // What npm start prints first is exactly this script.
    expect(banner).toContain(script.map((line) => `  ${line}`).join('\n'));
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-first-run-'));
    try {
      // As a new user would paste it: in a shell with no provider keys at all.
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/API_KEY$/.test(name)));
      const { stdout } = await promisify(execFile)('bash', ['-eo', 'pipefail', '-c', script.join('\n')], { cwd: dir, env, timeout: 90_000 });
      const evaluation = JSON.parse(stdout.split('\n').find((line) => line.startsWith('{'))!) as {
        status: string;
        results: { models: { completed_items: number; failed_items: number }[]; comparison?: unknown };
      };
      expect(evaluation.status).toBe('completed');
      expect(evaluation.results.models.every((model) => model.completed_items > 0 && model.failed_items === 0)).toBe(true);
      expect(evaluation.results.comparison).toBeDefined();
      expect(stdout).toContain('report: arbiter-report.html');
      expect(readFileSync(join(dir, 'arbiter-report.html'), 'utf8')).toContain('<html');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('answers health with 200 without an Authorization header', async () => {
    const response = await client.request('GET', '/api/v3/health', { apiKey: null });
    expect(response.status).toBe(200);
  });

  it('answers 401 like API Gateway when a protected route gets no Authorization header', async () => {
    const response = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'claude-3-sonnet-20240229', benchmark_id: stack!.sampleBenchmarkId },
      apiKey: null,
    });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ message: 'Unauthorized' });
  });

  it('answers 404 like API Gateway for a route that does not exist', async () => {
    const response = await client.request('GET', '/api/v3/no-such-route');
    expect(response.status).toBe(404);
    expect(response.json).toEqual({ message: 'Not Found' });
  });

  it('answers 404 for a known path with a method that has no route', async () => {
    const response = await client.request('DELETE', '/api/v3/health');
    expect(response.status).toBe(404);
  });

  it(
    'stops cleanly, leaving no child process behind',
    async () => {
      const running = stack!;
      const pids = Object.values(running.pids);
      expect(pids.length).toBeGreaterThanOrEqual(4);
      expect(pids.every((pid) => isProcessAlive(pid))).toBe(true);

      await running.stop();
      stack = undefined;

      await waitFor(() => pids.every((pid) => !isProcessAlive(pid)), { timeoutMs: 5_000, description: 'the children to exit' });
      await expect(fetch(`${running.apiUrl}/api/v3/health`)).rejects.toThrow();
    },
    stackStartTimeoutMs,
  );
});
