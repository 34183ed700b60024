import { NotFoundError } from '#shared/domain/errors.js';
import type { ItemResult } from '#shared/contracts/evaluations/result-types.js';
import type { Evaluation } from '#shared/contracts/evaluations/schemas.js';
import type { Benchmark } from '#shared/contracts/benchmarks/schemas.js';
import { loadReportData, reportMetrics, type ReportStores } from '#shared/domain/report/load-report.js';
import { fixture } from './fixtures.js';

const benchmark = { name: 'Sums', task_type: 'exact_answer', default_metrics: undefined } as unknown as Benchmark;

/** Stores over one tenant's fixture, counting the result pages read. */
function stores(evaluation: Evaluation, rows: ItemResult[], pageSize: number, bench: Benchmark | undefined = benchmark) {
  const reads = { pages: 0 };
  const fake: ReportStores = {
    evaluations: {
      get: async (tenantId, evaluationId) =>
        tenantId === evaluation.tenant_id && evaluationId === evaluation.evaluation_id ? evaluation : undefined,
      async *allResults() {
        for (let at = 0; at < rows.length; at += pageSize) {
          reads.pages++;
          yield rows.slice(at, at + pageSize);
        }
      },
    },
    benchmarks: { get: async () => bench },
  };
  return { fake, reads };
}

describe('loadReportData', () => {
  it("answers 404 for another tenant's evaluation, as for an unknown id", async () => {
    const { evaluation, rows } = fixture();
    const { fake } = stores(evaluation, rows, 10);
    await expect(loadReportData(fake, 'tenant-b', evaluation.evaluation_id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(loadReportData(fake, 'tenant-a', 'eval-unknown')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('pages through every result of a small evaluation', async () => {
    const { evaluation, rows } = fixture({ items: 25 });
    const { fake, reads } = stores(evaluation, rows, 10);
    const data = await loadReportData(fake, 'tenant-a', evaluation.evaluation_id);
    expect(reads.pages).toBe(3);
    expect(data.sample).toMatchObject({ scanned: 25, capped: false });
    expect(data.benchmark?.name).toBe('Sums');
    expect(data.metrics.map((metric) => metric.name)).toEqual(evaluation.custom_metrics);
  });

  it('stops reading at the cap on a large evaluation, and says the sample is partial', async () => {
    const { evaluation, rows } = fixture({ items: 120 });
    const { fake, reads } = stores(evaluation, rows, 10);
    const data = await loadReportData(fake, 'tenant-a', evaluation.evaluation_id, { maxScannedItems: 35 });
    expect(reads.pages).toBe(4);
    expect(data.sample).toMatchObject({ scanned: 35, capped: true });
    expect(data.sample!.scores.token_f1![evaluation.model_id]!.length).toBeLessThanOrEqual(35);
  });

  it('stops reading when its time budget is spent, keeping what it read', async () => {
    const { evaluation, rows } = fixture({ items: 120 });
    const { fake, reads } = stores(evaluation, rows, 10);
    // Each look at the clock finds a second gone: the start, then once after each page.
    let now = 0;
    const clock = () => (now += 1000);
    const data = await loadReportData(fake, 'tenant-a', evaluation.evaluation_id, { scanBudgetMs: 2500, clock });
    expect(reads.pages).toBe(3);
    expect(data.sample).toMatchObject({ scanned: 30, capped: true });
  });

  it('does not read results of an evaluation that has none yet', async () => {
    const { evaluation, rows } = fixture({ status: 'running', withResults: false });
    const { fake, reads } = stores(evaluation, rows, 10);
    const data = await loadReportData(fake, 'tenant-a', evaluation.evaluation_id);
    expect(reads.pages).toBe(0);
    expect(data.sample).toBeUndefined();
  });
});

describe('reportMetrics', () => {
  it("takes the metrics' scales and directions from their definitions", () => {
    const { evaluation } = fixture();
    const metrics = Object.fromEntries(reportMetrics(evaluation, benchmark).map((metric) => [metric.name, metric]));
    expect(metrics.exact_match).toMatchObject({ range: [0, 1], binary: true, higherIsBetter: true, kind: 'computed' });
    expect(metrics.latency_ms).toMatchObject({ range: null, higherIsBetter: false });
    expect(metrics.relevance?.kind).toBe('judge');
    expect(metrics.pairwise_preference?.kind).toBe('pairwise');
  });

  it('falls back to the names in the results when the benchmark (and its default metrics) is gone', () => {
    const { evaluation } = fixture();
    const withoutRequest: Evaluation = { ...evaluation };
    delete withoutRequest.custom_metrics;
    const metrics = reportMetrics(withoutRequest, undefined);
    expect(metrics.map((metric) => metric.name).sort()).toEqual([...evaluation.custom_metrics!].map(String).sort());
    expect(metrics.find((metric) => metric.name === 'latency_ms')).toMatchObject({ range: null, higherIsBetter: false });
  });
});
