/**
 * The checks of `npm run bench:load` (bench/load-traffic.ts, bench/load-drain.ts): a load run is only as
 * good as its counting, so the mix, the per-kind bookkeeping and the final count check are tested here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { driveAtFixedRate } from '../../bench/fixed-rate.js';
import { countProblem, type EvaluationSummary } from '../../bench/load-drain.js';
import { createTraffic, latencySummary, percentile } from '../../bench/load-traffic.js';

describe('bench:load traffic', () => {
  it('sends the configured share of creates, spread evenly, and reads only evaluations that exist', () => {
    const traffic = createTraffic({ apiKey: 'arb_key', benchmarkId: 'task-1', createShare: 0.25, seed: 7, knownIds: ['eval-a', 'eval-b'] });
    const planned = Array.from({ length: 400 }, () => traffic.next());

    const creates = planned.filter((request) => request.method === 'POST');
    expect(creates).toHaveLength(100);
    expect(planned.slice(0, 8).map((request) => request.method)).toEqual(['GET', 'GET', 'GET', 'POST', 'GET', 'GET', 'GET', 'POST']);
    for (const status of planned.filter((request) => request.method === 'GET')) {
      expect(status.path).toBe(`/api/v3/evaluations/${status.evaluationId}/status`);
      expect(['eval-a', 'eval-b']).toContain(status.evaluationId);
      expect(status.headers).toEqual({ authorization: 'Bearer arb_key' });
    }
    // Half the creates are comparisons, so the final check covers two-model counts.
    const bodies = creates.map((request) => JSON.parse(String(request.body)));
    expect(bodies.filter((body) => body.model_id_2)).toHaveLength(50);
    expect(bodies.every((body) => body.benchmark_id === 'task-1')).toBe(true);
    expect(traffic.stats.create.sent).toBe(100);
    expect(traffic.stats.status.sent).toBe(300);
  });

  it('opens with creates when no evaluation exists yet, and reads the ones created', () => {
    const traffic = createTraffic({ apiKey: 'arb_key', benchmarkId: 'task-1', createShare: 0.1, seed: 1 });
    const create = traffic.next();
    expect(create.method).toBe('POST');
    traffic.record(create, 12, 202, JSON.stringify({ evaluation_id: 'eval-new' }));

    expect(traffic.evaluationIds).toEqual(['eval-new']);
    expect(traffic.next().path).toBe('/api/v3/evaluations/eval-new/status');
  });

  it('counts answers, non-2xx codes, mismatched bodies and requests without an answer, per kind', () => {
    const traffic = createTraffic({ apiKey: 'arb_key', benchmarkId: 'task-1', createShare: 0.5, seed: 1, knownIds: ['eval-a'] });
    traffic.record(traffic.next(), 5, 200, JSON.stringify({ evaluation_id: 'eval-other' }));
    traffic.record(traffic.next(), 7, 503, JSON.stringify({ code: 'service_unavailable' }));
    traffic.record(traffic.next(), 9000);

    expect(traffic.stats.status).toMatchObject({ sent: 2, responses: 1, malformed: 1, non2xx: {}, errors: 1, latenciesMs: [5] });
    expect(traffic.stats.create).toMatchObject({ sent: 1, responses: 1, malformed: 0, non2xx: { 503: 1 }, latenciesMs: [7] });
    expect(traffic.evaluationIds).toEqual(['eval-a']);
  });

  it('reports nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 50)).toBeNull();
    expect(latencySummary([30, 10, 20])).toEqual({ p50: 20, p90: 30, p99: 30, max: 30 });
  });
});

describe('bench:load fixed-rate driver', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // Answers every request after 300 ms, except /hang, which it never answers.
    server = createServer((request, response) => {
      if (request.url === '/hang') return;
      setTimeout(() => response.end('ok'), 300);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('keeps sending on schedule while answers are slow, and times their latency from when they were due', async () => {
    const latencies: number[] = [];
    const result = await driveAtFixedRate({
      url,
      rate: 40,
      seconds: 1,
      maxConnections: 64,
      timeoutMs: 5000,
      next: () => ({ method: 'GET', path: '/slow', headers: {} }),
      record: (_request, latencyMs, status) => {
        expect(status).toBe(200);
        latencies.push(latencyMs);
      },
    });

    expect(result).toMatchObject({ sent: 40, answered: 40, failed: 0 });
    // A closed loop would wait for each 300 ms answer; on schedule, about 300 ms × 40/s = 12 are open at once.
    expect(result.peakInFlight).toBeGreaterThanOrEqual(8);
    expect(result.elapsedSeconds).toBeLessThan(2);
    expect(Math.min(...latencies)).toBeGreaterThanOrEqual(295);
  });

  it('counts a request that gets no answer within the timeout as failed', async () => {
    const outcomes: (number | undefined)[] = [];
    const result = await driveAtFixedRate({
      url,
      rate: 10,
      seconds: 0.2,
      maxConnections: 4,
      timeoutMs: 400,
      next: () => ({ method: 'POST', path: '/hang', headers: { 'content-type': 'application/json' }, body: '{}' }),
      record: (_request, _latencyMs, status) => outcomes.push(status),
    });

    expect(result).toMatchObject({ sent: 2, answered: 0, failed: 2 });
    expect(outcomes).toEqual([undefined, undefined]);
  });
});

describe('bench:load final check', () => {
  const finished = (overrides: Partial<EvaluationSummary> & { models?: EvaluationSummary['progress']['models'] } = {}): EvaluationSummary => ({
    evaluation_id: 'eval-1',
    status: 'completed',
    progress: {
      total_items: 5,
      completed_items: 4,
      failed_items: 1,
      models: overrides.models ?? [{ model_id: 'baseline:reference', scored: 4, failed: 1 }],
    },
    ...overrides,
  });

  it('accepts an evaluation whose items all finished, scored or failed', () => {
    expect(countProblem(finished(), 5)).toBeUndefined();
    const comparison = finished({
      model_id_2: 'baseline:echo',
      models: [
        { model_id: 'baseline:reference', scored: 5, failed: 0 },
        { model_id: 'baseline:echo', scored: 3, failed: 2 },
      ],
    });
    expect(countProblem(comparison, 5)).toBeUndefined();
  });

  it('flags lost items, a model not counted and an evaluation that did not complete', () => {
    expect(countProblem({ ...finished(), progress: { ...finished().progress, completed_items: 3 } }, 5)).toMatch(/completed 3 \+ failed 1/);
    expect(countProblem(finished({ model_id_2: 'baseline:echo' }), 5)).toMatch(/1 models counted, expected 2/);
    expect(
      countProblem(
        finished({
          model_id_2: 'baseline:echo',
          models: [
            { model_id: 'baseline:reference', scored: 5, failed: 0 },
            { model_id: 'baseline:echo', scored: 3, failed: 0 },
          ],
        }),
        5,
      ),
    ).toMatch(/8 ≠ 5 items × 2 models/);
    expect(countProblem(finished({ status: 'failed' }), 5)).toBe('status failed');
    expect(countProblem(finished(), 6)).toMatch(/total_items 5, expected 6/);
  });
});
