import type { ItemResult } from '#shared/contracts/evaluations/result-types.js';
import { binsFor, countInBins } from '#shared/domain/report/charts/histogram.js';
import { niceMax, ticks } from '#shared/domain/report/charts/scale.js';
import { escapeHtml, html } from '#shared/domain/report/html.js';
import { ResultsSampler, type ReportMetric } from '#shared/domain/report/report-data.js';

const binary: ReportMetric = { name: 'exact_match', kind: 'computed', range: [0, 1], higherIsBetter: true, binary: true };
const graded: ReportMetric = { name: 'token_f1', kind: 'computed', range: [0, 1], higherIsBetter: true, binary: false };
const latency: ReportMetric = { name: 'latency_ms', kind: 'computed', range: null, higherIsBetter: false, binary: false };

describe('html', () => {
  it('escapes every interpolated string, for text and quoted attributes alike', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    const name = '"><script>alert(1)</script>';
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
  });

  it('keeps markup made by the tag, in arrays too, and renders absent values as nothing', () => {
    const items = ['a<b', 'c'].map((text) => html`<li>${text}</li>`);
    expect(html`<ul>${items}${undefined}${null}${false}</ul>`.value).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
  });
});

describe('scales', () => {
  it('ends axes on round numbers just above the data', () => {
    expect(niceMax(1047)).toEqual({ max: 1500, step: 500 });
    expect(niceMax(0.0039).max).toBeCloseTo(0.004, 10);
    expect(niceMax(0)).toEqual({ max: 1, step: 0.25 });
    expect(ticks(0, 1500, 3)).toEqual([0, 500, 1000, 1500]);
    expect(ticks(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});

describe('histogram bins', () => {
  it('always has a fail and a pass bin for a pass/fail metric', () => {
    const { bins, discrete } = binsFor(binary, [1, 1, 1]);
    expect(bins.map((bin) => bin.label)).toEqual(['0 fail', '1 pass']);
    expect(countInBins(bins, [1, 1, 1], discrete)).toEqual([0, 3]);
  });

  it('uses ten equal bins over a bounded metric with many values, the maximum in the last', () => {
    const values = Array.from({ length: 21 }, (_, i) => i / 20);
    const { bins, discrete } = binsFor(graded, values);
    expect(discrete).toBe(false);
    expect(bins).toHaveLength(10);
    const counts = countInBins(bins, values, discrete);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(21);
    expect(counts[9]).toBe(3); // 0.9, 0.95 and 1
  });

  it('places a few continuous values by value, not as categories; a judge scale gets a bin per value', () => {
    const few = [0, 0.333, 0.667, 0.714, 1];
    const continuous = binsFor(graded, few);
    expect(continuous.discrete).toBe(false);
    expect(countInBins(continuous.bins, few, false)).toEqual([1, 0, 0, 1, 0, 0, 1, 1, 0, 1]);
    const judged = binsFor({ ...graded, name: 'relevance', kind: 'judge' }, [0.25, 0.5, 0.5, 1]);
    expect(judged.bins.map((bin) => bin.label)).toEqual(['0.25', '0.5', '1']);
  });

  it('puts round edges around an unbounded metric', () => {
    const values = Array.from({ length: 30 }, (_, i) => 207 + i * 30);
    const { bins } = binsFor(latency, values);
    expect(bins[0]!.low).toBe(200);
    expect(bins.every((bin) => bin.high - bin.low === 100)).toBe(true);
    expect(bins[bins.length - 1]!.high).toBeGreaterThanOrEqual(1077);
  });
});

function row(position: number, a: number | 'failed', b: number): ItemResult {
  const output = (score: number) => ({ status: 'scored' as const, output: `answer ${score}`, scores: { token_f1: score, latency_ms: 100 } });
  return {
    item_id: `item-${position}`,
    position,
    input: `question ${position}`,
    expected: 'x',
    outputs: {
      a: a === 'failed' ? { status: 'failed', scores: {}, error: { code: 'timeout', message: 'timed out' } } : output(a),
      b: output(b),
    },
  };
}

describe('ResultsSampler', () => {
  it('keeps the items with the widest gap between the models, widest first, over bounded metrics only', () => {
    const sampler = new ResultsSampler(['a', 'b'], [graded, latency], 3);
    sampler.add([row(0, 0.5, 0.5), row(1, 0.1, 0.9), row(2, 'failed', 1)]);
    sampler.add([row(3, 0.4, 0.6), row(4, 1, 0), row(5, 0.2, 0.9), row(6, 0.9, 0.8)]);
    const sample = sampler.result(false);
    expect(sample.items.map((item) => [item.position, Number(item.rank_score.toFixed(2))])).toEqual([
      [4, 1],
      [1, 0.8],
      [5, 0.7],
    ]);
    expect(sample.ranked_by).toEqual(['token_f1']);
    expect(sample.ranking).toBe('disagreement');
    expect(sample.scanned).toBe(7);
    // Failed answers are not scores: model a has six, model b seven.
    expect(sample.scores.token_f1!.a).toHaveLength(6);
    expect(sample.scores.token_f1!.b).toHaveLength(7);
  });

  it('ranks one model’s items by their shortfall from a perfect score, leaving perfect ones out', () => {
    const sampler = new ResultsSampler(['b'], [graded]);
    sampler.add([row(0, 0, 1), row(1, 0, 0.25), row(2, 0, 0.75)]);
    const sample = sampler.result(true);
    expect(sample.ranking).toBe('lowest');
    expect(sample.items.map((item) => [item.position, item.rank_score])).toEqual([
      [1, 0.75],
      [2, 0.25],
    ]);
    expect(sample.capped).toBe(true);
  });
});
