import { parse } from 'csv-parse/sync';
import { NotFoundError } from '#shared/domain/errors.js';
import type { ItemResult, ModelOutput } from '#shared/contracts/evaluations/result-types.js';
import { csvFixedColumns, csvRecordsOf, escapedBytes, exportResults, type ExportRequest } from '#shared/domain/evaluations/results-export.js';
import type { Evaluation } from '#shared/contracts/evaluations/schemas.js';

const scored = (output: string, scores: Record<string, number | null>, extra: Partial<ModelOutput> = {}): ModelOutput => ({
  status: 'scored',
  output,
  scores,
  latency_ms: 12,
  usage: { input_tokens: 30, output_tokens: 4 },
  ...extra,
});
const failed = (code: string, message: string): ModelOutput => ({ status: 'failed', scores: {}, error: { code, message } });

function item(position: number, outputs: Record<string, ModelOutput>, extra: Partial<ItemResult> = {}): ItemResult {
  return { item_id: `item-${position}`, position, input: `question ${position}`, expected: `answer ${position}`, outputs, ...extra };
}

function evaluation(overrides: Partial<Evaluation> = {}): Evaluation {
  const model = (model_id: string) => ({
    model_id,
    provider: 'baseline' as const,
    provider_model_id: model_id,
    parameters: {},
    max_concurrency: 4,
    timeout_ms: 1000,
    builtin: true,
    baseline: true,
  });
  return {
    evaluation_id: 'eval-1',
    tenant_id: 'tenant-a',
    model_id: 'model-a',
    model_id_2: 'model-b',
    benchmark_id: 'task-1',
    benchmark_version: 1,
    benchmark_content_hash: 'hash',
    custom_metrics: ['accuracy', 'relevance'],
    models: [model('model-a'), model('model-b')],
    status: 'completed',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    progress: { total_items: 0, completed_items: 0, failed_items: 0 },
    model_progress: {},
    ...overrides,
  };
}

/** The store's contract as the export uses it: pages in item order, filters applied, opaque cursors. */
function fakeStore(record: Evaluation | undefined, rows: ItemResult[]) {
  const reads: { limit: number; cursor?: string }[] = [];
  return {
    reads,
    async get() {
      return record;
    },
    async listResults(_tenant: string, _evaluation: string, page: { limit: number; cursor?: string; failedOnly?: boolean; modelId?: string }) {
      reads.push({ limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}) });
      const after = page.cursor === undefined ? -1 : Number(page.cursor.replace('after-', ''));
      const matching = rows
        .filter((row) => row.position > after)
        .map((row) => (page.modelId ? { ...row, outputs: { [page.modelId]: row.outputs[page.modelId]! } } : row))
        .filter((row) => !page.failedOnly || Object.values(row.outputs).some((output) => output.status === 'failed'));
      const items = matching.slice(0, page.limit);
      const more = matching.length > items.length;
      return { items, next_cursor: more ? `after-${items.at(-1)!.position}` : null };
    },
    resultCursorAfter(_tenant: string, _evaluation: string, position: number) {
      return `after-${position}`;
    },
  };
}

const csv = (content: string) => parse(content, { columns: true }) as Record<string, string>[];

async function exportAll(store: ReturnType<typeof fakeStore>, request: ExportRequest, maxBytes: number) {
  const responses = [];
  let cursor: string | undefined;
  do {
    const page = await exportResults(store, 'tenant-a', 'eval-1', { ...request, ...(cursor ? { cursor } : {}) }, { maxBytes, pageSize: 3 });
    responses.push(page);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && responses.length < 100);
  return responses;
}

describe('CSV rows', () => {
  it('writes one record per model with the documented columns, empty cells for what is absent', async () => {
    const store = fakeStore(evaluation({ results: undefined }), [
      item(0, {
        'model-a': scored('Paris', { accuracy: 1, relevance: 0.75 }, { cost_usd: 0.0002 }),
        'model-b': failed('timeout', 'no answer in 60 s'),
      }),
    ]);

    const page = await exportResults(store, 'tenant-a', 'eval-1', { format: 'csv', failedOnly: false });

    expect(page.contentType).toBe('text/csv; charset=utf-8');
    expect(page.content.split('\n')[0]).toBe([...csvFixedColumns, 'score_accuracy', 'score_relevance'].join(','));
    expect(csv(page.content)).toEqual([
      {
        item_id: 'item-0',
        position: '0',
        model_id: 'model-a',
        status: 'scored',
        input: 'question 0',
        choices: '',
        expected: 'answer 0',
        answer: 'Paris',
        error_code: '',
        error_message: '',
        latency_ms: '12',
        input_tokens: '30',
        output_tokens: '4',
        cost_usd: '0.0002',
        messages: '',
        score_accuracy: '1',
        score_relevance: '0.75',
      },
      {
        item_id: 'item-0',
        position: '0',
        model_id: 'model-b',
        status: 'failed',
        input: 'question 0',
        choices: '',
        expected: 'answer 0',
        answer: '',
        error_code: 'timeout',
        error_message: 'no answer in 60 s',
        latency_ms: '',
        input_tokens: '',
        output_tokens: '',
        cost_usd: '',
        messages: '',
        score_accuracy: '',
        score_relevance: '',
      },
    ]);
  });

  it('quotes commas, quotes, newlines and carriage returns so the text reads back unchanged', async () => {
    const tricky = 'He said "no", then\nleft;\r\n=SUM(A1) – ünïcödé, 🚀';
    const store = fakeStore(evaluation(), [
      item(
        0,
        { 'model-a': scored(tricky, { accuracy: 0 }), 'model-b': scored('plain', { accuracy: 1 }) },
        { input: 'a, b', choices: ['x, "y"', 'z'] },
      ),
    ]);

    const rows = csv((await exportResults(store, 'tenant-a', 'eval-1', { format: 'csv', failedOnly: false })).content);

    expect(rows[0]).toMatchObject({ answer: tricky, input: 'a, b', choices: '["x, \\"y\\"","z"]' });
    expect(JSON.parse(rows[0]!.choices!)).toEqual(['x, "y"', 'z']);
    expect(rows[1]!.answer).toBe('plain');
  });

  it("writes a chat item's conversation as JSON turns that read back unchanged", async () => {
    const messages = [
      { role: 'system' as const, content: 'Answer in one word, "quoted".' },
      { role: 'user' as const, content: 'Capital of France?' },
    ];
    const store = fakeStore(evaluation(), [
      item(0, { 'model-a': scored('Paris', { accuracy: 1 }), 'model-b': scored('Lyon', { accuracy: 0 }) }, { input: 'Capital of France?', messages }),
    ]);

    const rows = csv((await exportResults(store, 'tenant-a', 'eval-1', { format: 'csv', failedOnly: false })).content);

    expect(rows.map((row) => JSON.parse(row.messages!))).toEqual([messages, messages]);
  });

  it('escapes cells that a spreadsheet would run as a formula, unless asked not to', async () => {
    const formula = '=HYPERLINK("http://x","y")';
    const store = fakeStore(evaluation(), [
      item(0, { 'model-a': scored(formula, { accuracy: 0 }), 'model-b': scored('@SUM(A1:A9)', { accuracy: 0 }) }, { input: '+1+1', expected: '-2' }),
    ]);

    const escaped = csv((await exportResults(store, 'tenant-a', 'eval-1', { format: 'csv', failedOnly: false })).content);
    const verbatim = csv((await exportResults(store, 'tenant-a', 'eval-1', { format: 'csv', failedOnly: false, escapeFormulas: false })).content);

    expect(escaped[0]).toMatchObject({ answer: `'${formula}`, input: "'+1+1", expected: "'-2" });
    expect(escaped[1]).toMatchObject({ answer: "'@SUM(A1:A9)" });
    expect(verbatim[0]).toMatchObject({ answer: formula, input: '+1+1', expected: '-2' });
    expect(verbatim[1]).toMatchObject({ answer: '@SUM(A1:A9)' });
  });

  it('takes the metric columns from the finished results, so every response of an export has the same header', async () => {
    const results = { models: [{ metrics: { token_f1: {}, exact_match: {} } }], seed: 1 } as unknown as Evaluation['results'];
    const store = fakeStore(evaluation({ custom_metrics: undefined, results }), [
      item(0, { 'model-a': failed('refused', 'no'), 'model-b': failed('refused', 'no') }),
    ]);

    const page = await exportResults(store, 'tenant-a', 'eval-1', { format: 'csv', failedOnly: false });

    expect(page.content.split('\n')[0]).toMatch(/,cost_usd,messages,score_exact_match,score_token_f1$/);
  });

  it('orders the metric columns as the request named the metrics, whatever order the stored results keep', async () => {
    const results = { models: [{ metrics: { bleu: {}, exact_match: {}, token_f1: {} } }], seed: 1 } as unknown as Evaluation['results'];
    const store = fakeStore(evaluation({ custom_metrics: ['token_f1', { name: 'bleu', type: 'regex', pattern: 'x' }], results }), []);

    const page = await exportResults(store, 'tenant-a', 'eval-1', { format: 'csv', failedOnly: false });

    expect(page.content.trim()).toMatch(/,cost_usd,messages,score_token_f1,score_bleu,score_exact_match$/);
  });

  it('keeps pairwise preference, which scores no single answer, out of the score columns', async () => {
    const store = fakeStore(evaluation({ custom_metrics: ['accuracy', 'pairwise_preference'] }), [
      item(0, { 'model-a': scored('x', { accuracy: 1 }) }),
    ]);

    const page = await exportResults(store, 'tenant-a', 'eval-1', { format: 'csv', failedOnly: false });

    expect(page.content.split('\n')[0]).toMatch(/,score_accuracy$/);
  });

  it('writes no record for a model without an answer to the item, rather than an empty one', () => {
    const records = csvRecordsOf(item(0, { 'model-a': scored('x', { accuracy: 1 }) }), ['model-a', 'model-b'], ['accuracy'], false);
    expect(records.map((record) => record[2])).toEqual(['model-a']);
  });
});

describe('filters', () => {
  const rows = [
    item(0, { 'model-a': scored('a', { accuracy: 1 }), 'model-b': failed('server_error', 'HTTP 500') }),
    item(1, { 'model-a': scored('b', { accuracy: 0 }), 'model-b': scored('b', { accuracy: 1 }) }),
    item(2, { 'model-a': failed('timeout', 'slow'), 'model-b': scored('c', { accuracy: 1 }) }),
  ];

  it('with failed=true, exports only the failed answers as CSV and the items holding one as JSONL', async () => {
    const store = fakeStore(evaluation(), rows);

    const asCsv = csv((await exportResults(store, 'tenant-a', 'eval-1', { format: 'csv', failedOnly: true })).content);
    const asJsonl = (await exportResults(store, 'tenant-a', 'eval-1', { format: 'jsonl', failedOnly: true })).content;

    expect(asCsv.map((row) => [row.item_id, row.model_id, row.error_code])).toEqual([
      ['item-0', 'model-b', 'server_error'],
      ['item-2', 'model-a', 'timeout'],
    ]);
    expect(
      asJsonl
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).item_id),
    ).toEqual(['item-0', 'item-2']);
  });

  it('with model_id, exports that model alone', async () => {
    const store = fakeStore(evaluation(), rows);

    const page = await exportResults(store, 'tenant-a', 'eval-1', { format: 'csv', failedOnly: false, modelId: 'model-b' });

    expect(csv(page.content).map((row) => row.model_id)).toEqual(['model-b', 'model-b', 'model-b']);
  });

  it('answers 404 for a model the evaluation did not run, and for an unknown evaluation', async () => {
    await expect(
      exportResults(fakeStore(evaluation(), rows), 't', 'eval-1', { format: 'csv', failedOnly: false, modelId: 'gpt-4' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(exportResults(fakeStore(undefined, rows), 't', 'eval-1', { format: 'jsonl', failedOnly: false })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('size cap and continuation', () => {
  const rows = Array.from({ length: 10 }, (_, position) =>
    item(position, {
      'model-a': scored(`"quoted" answer ${position}\n`.repeat(5), { accuracy: position % 2 }),
      'model-b': scored('x', { accuracy: 1 }),
    }),
  );

  it.each(['csv', 'jsonl'] as const)('%s: continues over several responses under the cap, each item exactly once', async (format) => {
    const store = fakeStore(evaluation(), rows);
    const maxBytes = 900;

    const responses = await exportAll(store, { format, failedOnly: false }, maxBytes);

    expect(responses.length).toBeGreaterThan(2);
    for (const response of responses) expect(escapedBytes(response.content)).toBeLessThanOrEqual(maxBytes);
    expect(responses.at(-1)!.nextCursor).toBeNull();
    const ids =
      format === 'csv'
        ? responses.flatMap((response) =>
            csv(response.content)
              .filter((row) => row.model_id === 'model-a')
              .map((row) => row.item_id),
          )
        : responses.flatMap((response) =>
            response.content
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line).item_id),
          );
    expect(ids).toEqual(rows.map((row) => row.item_id));
  });

  it('counts quotes and newlines twice, as Lambda does when it serialises the response', () => {
    expect(escapedBytes('ab')).toBe(2);
    expect(escapedBytes('"a"\n')).toBe(7);
    expect(escapedBytes('é')).toBe(2);
  });

  it('sends an item larger than the cap on its own rather than never', async () => {
    const store = fakeStore(evaluation(), rows.slice(0, 2));

    const first = await exportResults(store, 'tenant-a', 'eval-1', { format: 'jsonl', failedOnly: false }, { maxBytes: 10 });

    expect(first.items).toBe(1);
    expect(first.nextCursor).toBe('after-0');
  });

  it('reads everything in one response when it fits, across several table pages', async () => {
    const store = fakeStore(evaluation(), rows);

    const page = await exportResults(store, 'tenant-a', 'eval-1', { format: 'jsonl', failedOnly: false }, { pageSize: 4 });

    expect(page.items).toBe(10);
    expect(page.nextCursor).toBeNull();
    expect(store.reads.map((read) => read.cursor ?? null)).toEqual([null, 'after-3', 'after-7']);
  });
});
