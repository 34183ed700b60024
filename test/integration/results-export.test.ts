import { parse } from 'csv-parse/sync';
import { csvFixedColumns } from '#shared/domain/evaluations/results-export.js';
import { createArbiterClient } from '../../client/index.js';
import { api, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

// Small enough that twelve items need several responses, so the continuation is exercised for real.
const exportMaxBytes = 1500;

let stack: TestStack;
let client: ReturnType<typeof api>;
let evaluationId: string;

const tricky = { id: 'tricky', input: 'Say "hello, world"\nthen stop', expected: 'He said "hi", twice\r\nand left – ünïcödé' };
const items: { id: string; input: string; expected?: string }[] = [
  ...Array.from({ length: 9 }, (_, index) => ({ id: `q${index}`, input: `What is ${index} + ${index}?`, expected: String(index * 2) })),
  tricky,
  // No expected answer: baseline:reference refuses these, which gives the export failed answers to filter.
  { id: 'open-1', input: 'Tell me a story' },
  { id: 'open-2', input: 'Describe the sea' },
];
const models = ['baseline:reference', 'baseline:echo'];

beforeAll(async () => {
  stack = await startTestStack({ env: { ARBITER_EXPORT_MAX_BYTES: String(exportMaxBytes) } });
  client = api(stack);
  const benchmark = await client.request('POST', '/api/v3/benchmarks', { body: { name: 'Export', task_type: 'free_text', items } });
  expect(benchmark.status).toBe(201);
  const created = await client.request('POST', '/api/v3/evaluations', {
    body: { model_id: models[0], model_id_2: models[1], benchmark_id: benchmark.json.benchmark_id, custom_metrics: ['exact_match', 'token_f1'] },
  });
  expect(created.status).toBe(202);
  evaluationId = created.json.evaluation_id;
  await waitFor(async () => (await client.request('GET', `/api/v3/evaluations/${evaluationId}/status`)).json.status === 'completed', {
    timeoutMs: 60_000,
    description: 'the evaluation to complete',
  });
});

afterAll(async () => {
  await stack?.stop();
});

interface ExportResponse {
  text: string;
  headers: Headers;
}

/** Follows `x-arbiter-next-cursor` with the typed client, as the CLI does, and returns every response. */
async function exportAll(query: { format: 'csv' | 'jsonl'; failed?: boolean; model_id?: string }): Promise<ExportResponse[]> {
  const arbiter = createArbiterClient({ endpoint: stack.apiUrl, apiKey: stack.devApiKey });
  const responses: ExportResponse[] = [];
  let cursor: string | null = null;
  do {
    const { data, response }: { data?: unknown; response: Response } = await arbiter.GET('/api/v3/evaluations/{evaluation_id}/results', {
      params: { path: { evaluation_id: evaluationId }, query: { ...query, ...(cursor ? { cursor } : {}) } },
      parseAs: 'text',
    });
    expect(response.status).toBe(200);
    responses.push({ text: data as string, headers: response.headers });
    cursor = response.headers.get('x-arbiter-next-cursor');
  } while (cursor && responses.length < 50);
  return responses;
}

const csvRows = (responses: ExportResponse[]) => responses.flatMap((response) => parse(response.text, { columns: true }) as Record<string, string>[]);

describe('GET /api/v3/evaluations/{id}/results?format=csv', () => {
  it('exports every item for both models with the documented columns, over several responses', async () => {
    const responses = await exportAll({ format: 'csv' });

    expect(responses.length).toBeGreaterThan(1);
    for (const response of responses) {
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.text.split('\n')[0]).toBe([...csvFixedColumns, 'score_exact_match', 'score_token_f1'].join(','));
      expect(Buffer.byteLength(JSON.stringify(response.text))).toBeLessThanOrEqual(exportMaxBytes + 2);
    }
    const rows = csvRows(responses);
    expect(rows).toHaveLength(items.length * 2);
    expect(new Set(rows.map((row) => `${row.item_id}|${row.model_id}`)).size).toBe(items.length * 2);
    expect(rows.filter((row) => row.model_id === 'baseline:reference').map((row) => row.item_id)).toEqual(items.map((item) => item.id));

    const trickyRow = rows.find((row) => row.item_id === 'tricky' && row.model_id === 'baseline:reference')!;
    expect(trickyRow).toMatchObject({
      status: 'scored',
      input: tricky.input,
      expected: tricky.expected,
      answer: tricky.expected,
      score_exact_match: '1',
    });
    const refused = rows.find((row) => row.item_id === 'open-1' && row.model_id === 'baseline:reference')!;
    expect(refused).toMatchObject({ status: 'failed', error_code: 'refused', answer: '', score_exact_match: '' });
  });

  it('with failed=true, exports only the failed answers', async () => {
    const rows = csvRows(await exportAll({ format: 'csv', failed: true }));

    expect(rows.map((row) => [row.item_id, row.model_id, row.status])).toEqual([
      ['open-1', 'baseline:reference', 'failed'],
      ['open-2', 'baseline:reference', 'failed'],
    ]);
  });

  it('with model_id, exports that model alone', async () => {
    const rows = csvRows(await exportAll({ format: 'csv', model_id: 'baseline:echo' }));

    expect(rows).toHaveLength(items.length);
    expect(new Set(rows.map((row) => row.model_id))).toEqual(new Set(['baseline:echo']));
    expect(rows.every((row) => row.status === 'scored' && row.answer !== '')).toBe(true);
  });
});

describe('CSV exports and spreadsheet formulas', () => {
  it('escapes an answer a spreadsheet would run as a formula, and exports it verbatim with escape_formulas=false', async () => {
    const formula = '=HYPERLINK("http://x","y")';
    const benchmark = await client.request('POST', '/api/v3/benchmarks', {
      body: { name: 'Formulas', task_type: 'free_text', items: [{ id: 'f', input: 'Link?', expected: formula }] },
    });
    expect(benchmark.status).toBe(201);
    const created = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'baseline:reference', benchmark_id: benchmark.json.benchmark_id, custom_metrics: ['exact_match'] },
    });
    const id = created.json.evaluation_id as string;
    await waitFor(async () => (await client.request('GET', `/api/v3/evaluations/${id}/status`)).json.status === 'completed', {
      timeoutMs: 60_000,
      description: 'the evaluation to complete',
    });

    const escaped = await client.request('GET', `/api/v3/evaluations/${id}/results?format=csv`);
    const verbatim = await client.request('GET', `/api/v3/evaluations/${id}/results?format=csv&escape_formulas=false`);
    const invalid = await client.request('GET', `/api/v3/evaluations/${id}/results?format=csv&escape_formulas=no`);

    expect(parse(escaped.text, { columns: true })).toMatchObject([{ answer: `'${formula}`, expected: `'${formula}`, score_exact_match: '1' }]);
    expect(parse(verbatim.text, { columns: true })).toMatchObject([{ answer: formula, expected: formula }]);
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors).toEqual([{ path: 'escape_formulas', message: 'must be true or false' }]);
  });
});

describe('GET /api/v3/evaluations/{id}/results?format=jsonl', () => {
  it('exports one line per item, as the JSON pages show it', async () => {
    const responses = await exportAll({ format: 'jsonl' });
    const lines = responses.flatMap((response) =>
      response.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    );
    const page = await client.request('GET', `/api/v3/evaluations/${evaluationId}/results?limit=100`);

    expect(responses.length).toBeGreaterThan(1);
    expect(responses[0]!.headers.get('content-type')).toBe('application/x-ndjson');
    expect(lines).toEqual(page.json.items);
    expect(page.json.next_cursor).toBeNull();
  });

  it('with failed=true, exports the items where a model failed', async () => {
    const responses = await exportAll({ format: 'jsonl', failed: true });
    const ids = responses.flatMap((response) =>
      response.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).item_id),
    );

    expect(ids).toEqual(['open-1', 'open-2']);
  });
});

describe('export errors', () => {
  it('answers 400 for an unknown format, and 404 for an unknown evaluation or model', async () => {
    const badFormat = await client.request('GET', `/api/v3/evaluations/${evaluationId}/results?format=xml`);
    const unknown = await client.request('GET', '/api/v3/evaluations/eval-nope/results?format=csv');
    const otherModel = await client.request('GET', `/api/v3/evaluations/${evaluationId}/results?format=csv&model_id=gpt-4`);

    expect(badFormat.status).toBe(400);
    expect(badFormat.json.errors).toEqual([{ path: 'format', message: 'must be one of: json, csv, jsonl' }]);
    expect(unknown.status).toBe(404);
    expect(otherModel.status).toBe(404);
  });

  it('answers 400 for a cursor this API did not issue', async () => {
    const response = await client.request('GET', `/api/v3/evaluations/${evaluationId}/results?format=csv&cursor=bm9wZQ`);

    expect(response.status).toBe(400);
    expect(response.json.errors[0].path).toBe('cursor');
  });
});
