import { renderReport } from '#shared/domain/report/render-report.js';
import { RANKED_ITEMS } from '#shared/domain/report/report-data.js';
import { modelA, modelB, reportData } from './fixtures.js';

const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, 'g')) ?? []).length;

/** Opening tags of the elements carrying a class, e.g. every `<rect class="bar" …>`. */
const elements = (text: string, tag: string, className: string) => text.match(new RegExp(`<${tag} class="${className}"[^>]*>`, 'g')) ?? [];

const attribute = (element: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(element)?.[1];

/** The four per-answer metrics of the fixture (pairwise_preference is reported with the comparison). */
const perAnswerMetrics = ['exact_match', 'token_f1', 'relevance', 'latency_ms'];

describe('renderReport: comparison mode', () => {
  const data = reportData();
  const page = renderReport(data);

  it('draws one bar per metric and model, each with its 95% interval whisker', () => {
    const bars = elements(page, 'rect', 'bar');
    expect(bars).toHaveLength(perAnswerMetrics.length * 2);
    const pairs = bars.map((bar) => `${attribute(bar, 'data-metric')}|${attribute(bar, 'data-model')}`).sort();
    expect(pairs).toEqual(perAnswerMetrics.flatMap((metric) => [`${metric}|${modelA}`, `${metric}|${modelB}`]).sort());
    const whiskers = elements(page, 'g', 'ci-whisker').filter((whisker) => attribute(whisker, 'data-model'));
    expect(whiskers).toHaveLength(perAnswerMetrics.length * 2);
  });

  it('draws each bar to its mean, on the metric scale', () => {
    const exact = data.evaluation.results!.models[0]!.metrics.exact_match!;
    const bar = elements(page, 'rect', 'bar').find((b) => attribute(b, 'data-metric') === 'exact_match' && attribute(b, 'data-model') === modelA)!;
    expect(Number(attribute(bar, 'data-mean'))).toBeCloseTo(exact.mean!, 10);
    // The axis spans x = 12 … 428 for [0, 1].
    expect(Number(attribute(bar, 'width'))).toBeCloseTo(exact.mean! * 416, 0);
    expect(page).toContain(`${exact.mean!.toFixed(3)} [${exact.ci95![0].toFixed(3)}, ${exact.ci95![1].toFixed(3)}]`);
  });

  it('shows the comparison: difference with interval, p-value, verdict and a wins/ties/losses bar per metric', () => {
    const comparison = data.evaluation.results!.comparison!.metrics.exact_match!;
    const row = /<tr data-metric="exact_match">[\s\S]*?<\/tr>/.exec(page.slice(page.indexOf('comparison-table')))![0];
    expect(row).toContain(`+${comparison.difference!.toFixed(3)}`);
    expect(row).toContain(`[+${comparison.ci95![0].toFixed(3)}, +${comparison.ci95![1].toFixed(3)}]`);
    expect(row).toContain('McNemar exact');
    expect(row).toContain(`${modelB} better`);
    const segments = elements(row, 'rect', 'outcome-segment');
    expect(segments.map((segment) => [attribute(segment, 'data-kind'), Number(attribute(segment, 'data-count'))])).toEqual([
      ['wins', comparison.wins],
      ['ties', comparison.ties],
      ['losses', comparison.losses],
    ]);
    expect(count(page, /class="chart difference-chart"/)).toBe(perAnswerMetrics.length);
    expect(page).toContain('class="pairwise-table"');
  });

  it('draws a histogram per metric with every scored item counted once per model', () => {
    expect(count(page, /class="chart histogram"/)).toBe(perAnswerMetrics.length);
    for (const metric of perAnswerMetrics) {
      for (const model of [modelA, modelB]) {
        const counted = elements(page, 'rect', 'hist-bar')
          .filter((bar) => attribute(bar, 'data-metric') === metric && attribute(bar, 'data-model') === model)
          .reduce((sum, bar) => sum + Number(attribute(bar, 'data-count')), 0);
        expect(counted).toBe(data.sample!.scores[metric]![model]!.length);
      }
    }
  });

  it('shows latency and cost per model', () => {
    const [first] = data.evaluation.results!.models;
    expect(count(page, /class="latency-bar"/)).toBe(4); // p50 and p95 per model
    expect(count(page, /class="cost-bar"/)).toBe(2);
    expect(page).toContain(`p50 ${Math.round(first!.latency_ms.p50!)} ms`);
    expect(page).toContain('rate_limited × 1');
  });

  it('lists the items where the models disagree most, largest gap first, with both answers and the expected one', () => {
    const rows = page.match(/<tr class="ranked-item"[\s\S]*?<\/tr>/g)!;
    expect(rows).toHaveLength(RANKED_ITEMS);
    const gaps = data.sample!.items.map((item) => item.rank_score);
    expect(gaps).toEqual([...gaps].sort((a, b) => b - a));
    const top = data.sample!.items[0]!;
    expect(rows[0]).toContain(`data-position="${top.position}"`);
    expect(rows[0]).toContain(`>${top.expected}</div>`);
    expect(rows[0]).toContain(`>${top.outputs[modelA]!.output}</div>`);
    expect(rows[0]).toContain(`>${top.outputs[modelB]!.output}</div>`);
  });

  it('names the benchmark, models, status and provenance in the header', () => {
    const { evaluation } = data;
    expect(page).toContain('data-status="completed"');
    expect(page).toContain(evaluation.benchmark_content_hash);
    expect(page).toContain(`version ${evaluation.benchmark_version}`);
    expect(page).toContain(`<code>${evaluation.results!.seed}</code>`);
    expect(page).toContain('judged by <code>judge-model</code>');
    expect(page).toContain('version <code>0.1.0</code>');
    expect(page).toContain('2026-11-25 18:00:00 UTC');
  });

  it('is self-contained: no scripts, and nothing loaded from anywhere', () => {
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/\b(src|href)="(?!data:)/);
    expect(page).not.toMatch(/url\(/);
    expect(page).toContain(`http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;`);
  });
});

describe('renderReport: single model', () => {
  const data = reportData({ comparison: false });
  const page = renderReport(data);

  it('draws one bar per metric, no comparison, and ranks the lowest-scoring items', () => {
    expect(elements(page, 'rect', 'bar')).toHaveLength(perAnswerMetrics.length);
    expect(page).not.toContain('class="comparison"');
    expect(page).toContain('data-mode="single"');
    expect(page).toContain('Lowest-scoring items');
    const shortfalls = data.sample!.items.map((item) => item.rank_score);
    expect(shortfalls.every((value) => value > 0)).toBe(true);
    expect(shortfalls).toEqual([...shortfalls].sort((a, b) => b - a));
  });
});

describe('renderReport: unfinished and failed evaluations', () => {
  it('shows a running evaluation as header and progress, without charts', () => {
    const page = renderReport(reportData({ status: 'running', withResults: false }));
    expect(page).toContain('data-status="running"');
    expect(page).toContain('class="progress-section"');
    expect(page).toContain('52.5% · 20 scored, 1 failed of 40');
    expect(page).toMatch(/items\/s · about \d+ s left/);
    expect(page).not.toContain('<svg');
    expect(page).not.toContain('class="metrics"');
  });

  it('shows a pending evaluation as queued', () => {
    const data = reportData({ status: 'pending', withResults: false });
    const page = renderReport({
      ...data,
      evaluation: { ...data.evaluation, progress: { total_items: 40, completed_items: 0, failed_items: 0 }, model_progress: {} },
    });
    expect(page).toContain('Queued');
    expect(page).toContain('0% · 0 scored, 0 failed of 40');
    expect(page).not.toContain('<svg');
  });

  it('shows a failed evaluation with its error and no charts', () => {
    const page = renderReport(reportData({ status: 'failed', withResults: false }));
    expect(page).toContain('data-status="failed"');
    expect(page).toContain('<code>model_unusable</code>');
    expect(page).toContain(`Every item failed for ${modelA}: rate_limited`);
    expect(page).not.toContain('<svg');
  });

  it('charts a cancelled evaluation that has results, saying it stopped part-way', () => {
    const page = renderReport(reportData({ status: 'cancelled' }));
    expect(page).toContain('Cancelled part-way');
    expect(elements(page, 'rect', 'bar')).toHaveLength(perAnswerMetrics.length * 2);
  });
});

describe('renderReport: metrics', () => {
  it('renders an evaluation with computed metrics only (no judges)', () => {
    const page = renderReport(
      reportData({
        metrics: [
          { name: 'accuracy', kind: 'computed', range: [0, 1], higherIsBetter: true, binary: true },
          { name: 'token_f1', kind: 'computed', range: [0, 1], higherIsBetter: true, binary: false },
        ],
      }),
    );
    expect(page).toContain('none (no judged metrics)');
    expect(page).not.toContain('class="pairwise-table"');
    expect(elements(page, 'rect', 'bar')).toHaveLength(2 * 2);
  });

  it('leaves out the bar of a model with no scores for a metric, and says so', () => {
    const data = reportData();
    const models = data.evaluation.results!.models.map((model, index) =>
      index === 0 ? { ...model, metrics: { ...model.metrics, relevance: { mean: null, std_error: null, ci95: null, n: 0, n_excluded: 40 } } } : model,
    );
    const page = renderReport({ ...data, evaluation: { ...data.evaluation, results: { ...data.evaluation.results!, models } } });
    expect(elements(page, 'rect', 'bar')).toHaveLength(perAnswerMetrics.length * 2 - 1);
    expect(page).toContain('no scores (n = 0)');
  });
});

describe('renderReport: escaping', () => {
  const hostile = `<script>alert("owned")</script><img src=x onerror="alert(1)">' & "`;

  it('escapes answers, inputs, names and error messages, so they show as text and never run', () => {
    const data = reportData({ hostileText: hostile });
    const withError = {
      ...data,
      benchmark: { name: `<b>bold</b> "quoted"`, task_type: 'free_text' as const },
    };
    const page = renderReport(withError);
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>bold');
    expect(page).toContain('&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39; &amp; &quot;');
    expect(page).toContain('&lt;b&gt;bold&lt;/b&gt; &quot;quoted&quot;');
    // The hostile text reached the page (in the disagreement table), escaped.
    expect(count(page, /&lt;script&gt;/)).toBeGreaterThan(0);

    const failed = reportData({ status: 'failed', withResults: false });
    const failedPage = renderReport({ ...failed, evaluation: { ...failed.evaluation, error: { code: 'x', message: hostile } } });
    expect(failedPage).not.toContain('<script');
    expect(failedPage).toContain('&lt;script&gt;');
  });
});
