import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { benchmarkKeys, evaluationKeys } from '#shared/adapters/dynamodb/keys.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { localDocumentClient } from '../../local/seed.js';
import { pollUntil } from '../../local/poll.js';
import { api, startTestStack, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let keys: DynamoDbApiKeyStore;

const items = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({ input: `What is ${from + i} + 1?`, expected: String(from + i + 1) }));

async function benchmarkRowCount(): Promise<number> {
  const result = await documents.send(
    new ScanCommand({ TableName: stack.env[tableDefinitions.benchmarks.envVar], Select: 'COUNT', ConsistentRead: true }),
  );
  return result.Count ?? 0;
}

async function keyFor(tenantId: string): Promise<string> {
  return (await keys.issue({ tenantId, scopes: ['benchmarks:read', 'benchmarks:write', 'evaluations:read', 'evaluations:write'] })).key;
}

async function create(body: unknown, apiKey?: string) {
  const response = await client.request('POST', '/api/v3/benchmarks', { body, apiKey });
  expect(response.status).toBe(201);
  return response.json;
}

beforeAll(async () => {
  stack = await startTestStack();
  client = api(stack);
  documents = localDocumentClient(stack.env);
  keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
});

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
});

describe('creating and reading benchmarks', () => {
  it('creates a benchmark from JSON and reads it back', async () => {
    const response = await client.request('POST', '/api/v3/benchmarks', {
      body: { name: 'Sums', task_type: 'exact_answer', default_metrics: ['exact_match'], items: items(3) },
    });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      name: 'Sums',
      task_type: 'exact_answer',
      item_count: 3,
      version: 1,
      prompt_template: expect.stringContaining('{input}'),
    });
    expect(response.json.benchmark_id).toMatch(/^task-[0-9a-z]{26}$/);
    expect(response.json.content_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(response.json.tenant_id).toBeUndefined();
    expect(response.headers.get('location')).toBe(`/api/v3/benchmarks/${response.json.benchmark_id}`);

    const read = await client.request('GET', `/api/v3/benchmarks/${response.json.benchmark_id}`);
    expect(read.status).toBe(200);
    expect(read.json).toEqual(response.json);
  });

  it('imports JSONL: the benchmark on the first line, one item per line', async () => {
    const lines = [
      JSON.stringify({ name: 'Capitals', task_type: 'multiple_choice' }),
      JSON.stringify({ id: 'fr', input: 'Capital of France?', choices: ['Paris', 'Lyon'], expected: 'A' }),
      '',
      JSON.stringify({ id: 'jp', input: 'Capital of Japan?', choices: ['Osaka', 'Tokyo'], expected: 'B' }),
    ];
    const response = await client.request('POST', '/api/v3/benchmarks', {
      rawBody: lines.join('\n'),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(response.status).toBe(201);
    expect(response.json.item_count).toBe(2);
    const listed = await client.request('GET', `/api/v3/benchmarks/${response.json.benchmark_id}/items`);
    expect(listed.json.items.map((item: { item_id: string }) => item.item_id)).toEqual(['fr', 'jp']);
  });

  it('answers a JSONL line that is not JSON with its line number, writing nothing', async () => {
    const before = await benchmarkRowCount();
    const response = await client.request('POST', '/api/v3/benchmarks', {
      rawBody: [JSON.stringify({ name: 'x', task_type: 'free_text' }), JSON.stringify({ input: 'a' }), '{"input": '].join('\n'),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(response.status).toBe(400);
    expect(response.json.code).toBe('malformed_json');
    expect(JSON.stringify(response.json.errors)).toContain('line 3');
    expect(await benchmarkRowCount()).toBe(before);
  });

  it('lists newest first and paginates to the end without repeats', async () => {
    const key = await keyFor('pager');
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1) created.push((await create({ name: `B${i}`, task_type: 'free_text', items: items(1) }, key)).benchmark_id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await client.request('GET', `/api/v3/benchmarks${query}`, { apiKey: key });
      expect(page.status).toBe(200);
      expect(page.json.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.items.map((b: { benchmark_id: string }) => b.benchmark_id));
      cursor = page.json.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...created].reverse());
  });

  it('pages through items in order', async () => {
    const benchmark = await create({ name: 'Long', task_type: 'exact_answer', items: items(45) });
    const inputs: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=20&cursor=${encodeURIComponent(cursor)}` : '?limit=20';
      const page = await client.request('GET', `/api/v3/benchmarks/${benchmark.benchmark_id}/items${query}`);
      expect(page.status).toBe(200);
      inputs.push(...page.json.items.map((item: { input: string }) => item.input));
      cursor = page.json.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(inputs).toEqual(items(45).map((item) => item.input));
  });
});

describe('appending and versions', () => {
  it('appends items in order, extends the hash, and keeps the version while no evaluation used it', async () => {
    const benchmark = await create({ name: 'Grow', task_type: 'exact_answer', items: items(2) });
    const appended = await client.request('POST', `/api/v3/benchmarks/${benchmark.benchmark_id}/items`, { body: { items: items(3, 2) } });
    expect(appended.status).toBe(200);
    expect(appended.json).toMatchObject({ item_count: 5, version: 1 });
    expect(appended.json.content_hash).not.toBe(benchmark.content_hash);
    const listed = await client.request('GET', `/api/v3/benchmarks/${benchmark.benchmark_id}/items`);
    expect(listed.json.items.map((item: { item_id: string }) => item.item_id)).toEqual([
      'item-000001',
      'item-000002',
      'item-000003',
      'item-000004',
      'item-000005',
    ]);
  });

  it('starts a new version when an evaluation pinned the current one, and the evaluation keeps its pin', async () => {
    const benchmark = await create({ name: 'Pinned', task_type: 'exact_answer', items: items(4) });
    const evaluation = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'baseline:reference', benchmark_id: benchmark.benchmark_id },
    });
    expect(evaluation.status).toBe(202);

    const appended = await client.request('POST', `/api/v3/benchmarks/${benchmark.benchmark_id}/items`, { body: { items: items(2, 4) } });
    expect(appended.json).toMatchObject({ item_count: 6, version: 2 });

    const record = await documents.send(
      new GetCommand({
        TableName: stack.env[tableDefinitions.evaluations.envVar],
        Key: evaluationKeys.record('dev', evaluation.json.evaluation_id),
      }),
    );
    expect(record.Item).toMatchObject({
      benchmark_version: 1,
      benchmark_content_hash: benchmark.content_hash,
      progress: { total_items: 4 },
    });

    // A second append without a new evaluation stays on version 2.
    const again = await client.request('POST', `/api/v3/benchmarks/${benchmark.benchmark_id}/items`, { body: { items: items(1, 6) } });
    expect(again.json).toMatchObject({ item_count: 7, version: 2 });
  });

  it('refuses an item id already in the benchmark, writing nothing', async () => {
    const benchmark = await create({ name: 'Ids', task_type: 'free_text', items: [{ id: 'a', input: 'x' }] });
    const before = await benchmarkRowCount();
    const response = await client.request('POST', `/api/v3/benchmarks/${benchmark.benchmark_id}/items`, {
      body: {
        items: [
          { id: 'b', input: 'y' },
          { id: 'a', input: 'z' },
        ],
      },
    });
    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ path: 'items.1.id', message: 'duplicate item id a' }]);
    expect(await benchmarkRowCount()).toBe(before);
    expect((await client.request('GET', `/api/v3/benchmarks/${benchmark.benchmark_id}`)).json.item_count).toBe(1);
  });
});

describe('deleting', () => {
  it('refuses while an evaluation is pending on the benchmark', async () => {
    const benchmark = await create({ name: 'Busy', task_type: 'exact_answer', items: items(2) });
    const evaluation = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'baseline:echo', benchmark_id: benchmark.benchmark_id },
    });
    expect(evaluation.status).toBe(202);
    const status = await client.request('GET', `/api/v3/evaluations/${evaluation.json.evaluation_id}/status`);
    if (!['pending', 'running'].includes(status.json.status)) return; // already finished: nothing left to guard
    const response = await client.request('DELETE', `/api/v3/benchmarks/${benchmark.benchmark_id}`);
    expect(response.status).toBe(409);
    expect(response.json.code).toBe('benchmark_in_use');
  });

  it('hides the benchmark at once and purges its items in the background', async () => {
    const benchmark = await create({ name: 'Doomed', task_type: 'free_text', items: items(60) });
    const response = await client.request('DELETE', `/api/v3/benchmarks/${benchmark.benchmark_id}`);
    expect(response.status).toBe(204);
    expect((await client.request('GET', `/api/v3/benchmarks/${benchmark.benchmark_id}`)).status).toBe(404);
    expect((await client.request('GET', `/api/v3/benchmarks/${benchmark.benchmark_id}/items`)).status).toBe(404);
    expect((await client.request('DELETE', `/api/v3/benchmarks/${benchmark.benchmark_id}`)).status).toBe(404);

    await pollUntil(
      async () => {
        const rows = await documents.send(
          new QueryCommand({
            TableName: stack.env[tableDefinitions.benchmarks.envVar],
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': benchmarkKeys.partition('dev', benchmark.benchmark_id) },
            Select: 'COUNT',
          }),
        );
        return rows.Count === 0 ? true : undefined;
      },
      { timeoutMs: 30_000, description: 'the deleted benchmark’s items to be purged' },
    );
  });
});

describe('tenant isolation', () => {
  it("answers 404 for another tenant's benchmark on every route", async () => {
    const benchmark = await create({ name: 'Mine', task_type: 'free_text', items: items(1) });
    const theirs = await keyFor('intruder');
    const id = benchmark.benchmark_id;
    for (const [method, path, body] of [
      ['GET', `/api/v3/benchmarks/${id}`],
      ['GET', `/api/v3/benchmarks/${id}/items`],
      ['POST', `/api/v3/benchmarks/${id}/items`, { items: items(1) }],
      ['DELETE', `/api/v3/benchmarks/${id}`],
    ] as const) {
      const response = await client.request(method, path, { apiKey: theirs, body });
      expect(response.status).toBe(404);
    }
    const list = await client.request('GET', '/api/v3/benchmarks', { apiKey: theirs });
    expect(list.json.items.map((b: { benchmark_id: string }) => b.benchmark_id)).not.toContain(id);
    expect((await client.request('GET', `/api/v3/benchmarks/${id}`)).json.item_count).toBe(1);
  });

  it("refuses another list's cursor", async () => {
    const mine = await client.request('GET', '/api/v3/benchmarks?limit=1');
    expect(mine.json.next_cursor).toEqual(expect.any(String));
    const theirs = await client.request('GET', `/api/v3/benchmarks?cursor=${encodeURIComponent(mine.json.next_cursor)}`, {
      apiKey: await keyFor('cursor-thief'),
    });
    expect(theirs.status).toBe(400);
    expect(theirs.json.errors[0].path).toBe('cursor');
  });
});

describe('bad input: 4xx with code and message, and nothing written', () => {
  const valid = () => ({ name: 'ok', task_type: 'exact_answer', items: items(1) });
  type Case = [
    label: string,
    method: 'POST' | 'GET',
    path: () => string,
    body: () => unknown,
    status: number,
    code: string,
    headers?: Record<string, string>,
  ];
  let existing = '';
  beforeAll(async () => {
    existing = (await create({ name: 'Target', task_type: 'multiple_choice', items: [{ input: 'q', choices: ['a', 'b'] }] })).benchmark_id;
  });
  const create_ = () => '/api/v3/benchmarks';
  const append = () => `/api/v3/benchmarks/${existing}/items`;
  const cases: Case[] = [
    ['a JSON array', 'POST', create_, () => [valid()], 400, 'validation_error'],
    ['no name', 'POST', create_, () => ({ task_type: 'free_text' }), 400, 'validation_error'],
    ['an empty name', 'POST', create_, () => ({ ...valid(), name: '' }), 400, 'validation_error'],
    ['an unknown task type', 'POST', create_, () => ({ ...valid(), task_type: 'essay' }), 400, 'validation_error'],
    ['an unknown field', 'POST', create_, () => ({ ...valid(), owner: 'me' }), 400, 'validation_error'],
    ['items not an array', 'POST', create_, () => ({ ...valid(), items: { input: 'x' } }), 400, 'validation_error'],
    ['an item without input', 'POST', create_, () => ({ ...valid(), items: [{ expected: '1' }] }), 400, 'validation_error'],
    ['an item with an empty input', 'POST', create_, () => ({ ...valid(), items: [{ input: '' }] }), 400, 'validation_error'],
    ['an item with a numeric input', 'POST', create_, () => ({ ...valid(), items: [{ input: 4 }] }), 400, 'validation_error'],
    ['an item with an unknown field', 'POST', create_, () => ({ ...valid(), items: [{ input: 'x', answer: 'y' }] }), 400, 'validation_error'],
    ['an item id with a space', 'POST', create_, () => ({ ...valid(), items: [{ id: 'a b', input: 'x' }] }), 400, 'validation_error'],
    [
      'duplicate item ids',
      'POST',
      create_,
      () => ({
        ...valid(),
        items: [
          { id: 'a', input: 'x' },
          { id: 'a', input: 'y' },
        ],
      }),
      400,
      'validation_error',
    ],
    [
      'one choice',
      'POST',
      create_,
      () => ({ ...valid(), task_type: 'multiple_choice', items: [{ input: 'x', choices: ['a'] }] }),
      400,
      'validation_error',
    ],
    ['multiple choice without choices', 'POST', create_, () => ({ ...valid(), task_type: 'multiple_choice' }), 400, 'validation_error'],
    [
      'metadata with an object value',
      'POST',
      create_,
      () => ({ ...valid(), items: [{ input: 'x', metadata: { a: { b: 1 } } }] }),
      400,
      'validation_error',
    ],
    ['a template without {input}', 'POST', create_, () => ({ ...valid(), prompt_template: 'Answer this' }), 400, 'validation_error'],
    [
      'a template with an unknown placeholder',
      'POST',
      create_,
      () => ({ ...valid(), prompt_template: '{input} {question}' }),
      400,
      'validation_error',
    ],
    ['a template with an unclosed {{', 'POST', create_, () => ({ ...valid(), prompt_template: 'Q: {{item.question' }), 400, 'validation_error'],
    [
      'a template with an unknown {{ }} placeholder',
      'POST',
      create_,
      () => ({ ...valid(), prompt_template: '{{input}} {{question}}' }),
      400,
      'validation_error',
    ],
    ['a template with a stray }}', 'POST', create_, () => ({ ...valid(), prompt_template: '{{input}} }}' }), 400, 'validation_error'],
    [
      'an item without the field its template reads',
      'POST',
      create_,
      () => ({ ...valid(), prompt_template: 'Q: {{item.question}}', items: [{ input: 'x', metadata: { question: 'q' } }, { input: 'y' }] }),
      422,
      'template_field_missing',
    ],
    ['a bad default metric', 'POST', create_, () => ({ ...valid(), default_metrics: ['Exact Match'] }), 400, 'validation_error'],
    ['1,001 items in one request', 'POST', create_, () => ({ ...valid(), items: items(1001) }), 400, 'validation_error'],
    [
      'an item over 32 KB',
      'POST',
      create_,
      () => ({ ...valid(), items: [{ input: 'x', context: 'c'.repeat(32_000), expected: 'e'.repeat(2000) }] }),
      400,
      'validation_error',
    ],
    ['a body over 5 MB', 'POST', create_, () => ({ ...valid(), description: 'd'.repeat(6 * 1024 * 1024) }), 413, 'payload_too_large'],
    ['malformed JSON', 'POST', create_, () => ({ raw: '{"name": "x",' }), 400, 'malformed_json'],
    ['a text/plain body', 'POST', create_, () => ({ raw: JSON.stringify(valid()) }), 415, 'unsupported_media_type', { 'content-type': 'text/plain' }],
    [
      'JSONL with items on the first line',
      'POST',
      create_,
      () => ({ raw: JSON.stringify(valid()) }),
      400,
      'malformed_json',
      { 'content-type': 'application/x-ndjson' },
    ],
    ['an empty JSONL body', 'POST', create_, () => ({ raw: '\n\n' }), 400, 'malformed_json', { 'content-type': 'application/x-ndjson' }],
    ['an append with no items', 'POST', append, () => ({ items: [] }), 400, 'validation_error'],
    ['an append without choices on a multiple-choice benchmark', 'POST', append, () => ({ items: [{ input: 'x' }] }), 400, 'validation_error'],
    ['an append to an unknown benchmark', 'POST', () => '/api/v3/benchmarks/task-nope/items', () => ({ items: items(1) }), 404, 'not_found'],
    ['a list with limit 0', 'GET', () => '/api/v3/benchmarks?limit=0', () => undefined, 400, 'validation_error'],
    ['a list with limit 1000', 'GET', () => '/api/v3/benchmarks?limit=1000', () => undefined, 400, 'validation_error'],
    [
      'a list with a tampered cursor',
      'GET',
      () => '/api/v3/benchmarks?cursor=eyJwayI6IlRFTkFOVCNvdGhlciJ9',
      () => undefined,
      400,
      'validation_error',
    ],
    ['a list with a cursor that is not base64 JSON', 'GET', () => '/api/v3/benchmarks?cursor=%25%25%25', () => undefined, 400, 'validation_error'],
    ['items of an unknown benchmark', 'GET', () => '/api/v3/benchmarks/task-nope/items', () => undefined, 404, 'not_found'],
  ];

  it(`covers at least 25 kinds (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(25));

  const table = cases.map(([label, method, path, makeBody, status, code, headers]) => ({ label, method, path, makeBody, status, code, headers }));

  it.each(table)('$label', async ({ method, path, makeBody, status, code, headers }) => {
    const before = await benchmarkRowCount();
    const body = makeBody();
    const raw = typeof body === 'object' && body !== null && 'raw' in body ? (body as { raw: string }).raw : undefined;
    const response = await client.request(method, path(), raw !== undefined ? { rawBody: raw, headers } : { body, headers });
    expect(response.status).toBe(status);
    expect(response.json).toMatchObject({ code, message: expect.any(String) });
    expect(await benchmarkRowCount()).toBe(before);
  });
});
