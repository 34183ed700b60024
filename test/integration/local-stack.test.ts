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
