import { createArbiterClient } from '../../client/index.js';

/** A fetch that records each request and answers with `body` as JSON. */
function recordingFetch(status: number, body: unknown) {
  const requests: Request[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    requests.push(input instanceof Request ? input : new Request(input, init));
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { requests, fetch: fetch as typeof globalThis.fetch };
}

describe('createArbiterClient', () => {
  it('sends the API key as a bearer token to the endpoint, and returns the typed body', async () => {
    const recorder = recordingFetch(202, { evaluation_id: 'eval-1', status: 'pending' });
    const arbiter = createArbiterClient({ endpoint: 'https://arbiter.example/', apiKey: 'ak_secret', fetch: recorder.fetch });

    const { data, error } = await arbiter.POST('/api/v3/evaluations', { body: { model_id: 'gpt-4', benchmark_id: 'task-abc123' } });

    expect(error).toBeUndefined();
    expect(data?.evaluation_id).toBe('eval-1');
    const [request] = recorder.requests;
    expect(request?.url).toBe('https://arbiter.example/api/v3/evaluations');
    expect(request?.headers.get('authorization')).toBe('Bearer ak_secret');
    expect(await request?.json()).toEqual({ model_id: 'gpt-4', benchmark_id: 'task-abc123' });
  });

  it('sends no Authorization header without a key, and accepts an endpoint ending in /api/v3', async () => {
    const recorder = recordingFetch(200, { status: 'ok', checks: { table: 'ok', queue: 'ok' } });
    const arbiter = createArbiterClient({ endpoint: 'http://localhost:3000/api/v3', fetch: recorder.fetch });

    await arbiter.GET('/api/v3/health');

    expect(recorder.requests[0]?.url).toBe('http://localhost:3000/api/v3/health');
    expect(recorder.requests[0]?.headers.has('authorization')).toBe(false);
  });

  it("answers an API error as `error` with the API's code and message, without throwing", async () => {
    const recorder = recordingFetch(404, { code: 'not_found', message: 'Not Found: no evaluation eval-x' });
    const arbiter = createArbiterClient({ endpoint: 'http://localhost:3000', apiKey: 'k', fetch: recorder.fetch });

    const { data, error, response } = await arbiter.GET('/api/v3/evaluations/{evaluation_id}', { params: { path: { evaluation_id: 'eval-x' } } });

    expect(data).toBeUndefined();
    expect(response.status).toBe(404);
    expect(error).toEqual({ code: 'not_found', message: 'Not Found: no evaluation eval-x' });
    expect(recorder.requests[0]?.url).toBe('http://localhost:3000/api/v3/evaluations/eval-x');
  });
});
