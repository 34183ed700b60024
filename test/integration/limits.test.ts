/**
 * Every limit the API promises, each with a test against the local stack: request body size (per route,
 * and API Gateway's 10 MB), items per request and per benchmark, string and list lengths in every request
 * schema, page size, cursor length, id length. Each refusal is a 4xx with `code`, `message` and the field
 * at fault, and writes nothing; each limit is also shown to be the limit (the value at it is accepted).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { benchmarkLimits } from '#shared/contracts/benchmarks/schemas.js';
import { MAX_PAGE_SIZE } from '#shared/contracts/pagination.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { benchmarkKeys } from '#shared/adapters/dynamodb/keys.js';
import type { RouteDefinition } from '#shared/contracts/function-manifest.js';
import { localDocumentClient } from '../../local/seed.js';
import { createRawClient, type RawClient } from './support/fuzz-http.js';
import { createWorld, fillPath, pathParameterNames, routeKey, type World } from './support/fuzz-world.js';
import { api, startTestStack, type ApiResponse, type TestStack } from './support/local-stack.js';
import { describeChanges, snapshotTables, type TableSnapshot } from './support/table-snapshot.js';

let stack: TestStack;
let world: World;
let client: ReturnType<typeof api>;
let raw: RawClient;
let documents: ReturnType<typeof localDocumentClient>;

const KB = 1024;
const MB = 1024 * 1024;
/** What `httpRoute` allows when a route names no limit of its own. */
const DEFAULT_BODY_LIMIT = 256 * KB;
/** The per-route body limits, as documented in the README. */
const bodyLimits: Record<string, number> = {
  'POST /api/v3/evaluations': 64 * KB,
  'POST /api/v3/evaluations/estimate': 64 * KB,
  'POST /api/v3/evaluations/{evaluation_id}/rescore': 64 * KB,
  'POST /api/v3/models': 64 * KB,
  'POST /api/v3/comparisons': 512 * KB,
  'POST /api/v3/webhooks': 16 * KB,
  'POST /api/v3/benchmarks': benchmarkLimits.maxRequestBytes,
  'POST /api/v3/benchmarks/{benchmark_id}/items': benchmarkLimits.maxRequestBytes,
};

const ownKey = () => world.tenants.A.ownerKey;
const own = (name: string, index = 0) => world.tenants.A.ids[name]![index]!;

/** A JSON object of exactly `bytes` bytes that no route accepts (unknown field), so nothing is written. */
function paddedBody(bytes: number): Buffer {
  const shell = '{"padding":""}';
  return Buffer.from(`{"padding":"${'p'.repeat(bytes - shell.length)}"}`, 'utf8');
}

function expectRefusal(response: ApiResponse, status: number, code: string, path?: string) {
  expect({ status: response.status, code: response.json?.code, message: typeof response.json?.message }).toEqual({ status, code, message: 'string' });
  if (path !== undefined) expect(response.json.errors.map((error: { path: string }) => error.path)).toContain(path);
}

const routes = () => world.routes.filter((route) => route.authorized);
/** A's own resource for a read; for a write, an id that does not exist, so a body the route ignores changes nothing. */
const pathFor = (route: RouteDefinition) =>
  fillPath(
    route.path,
    Object.fromEntries(pathParameterNames(route.path).map((name) => [name, route.method === 'GET' ? own(name) : 'task-doesnotexist'])),
  );

beforeAll(async () => {
  stack = await startTestStack();
  world = await createWorld(stack);
  client = api(stack);
  raw = createRawClient(stack.apiUrl, { maxSockets: 2, timeoutMs: 120_000 });
  documents = localDocumentClient(stack.env);
}, 240_000);

afterAll(async () => {
  raw?.close();
  documents?.destroy();
  await stack?.stop();
});

describe('request body size', () => {
  it('names a limit for every route that takes a body, or the default applies', () => {
    const unknown = Object.keys(bodyLimits).filter((key) => !world.routes.some((route) => routeKey(route) === key));
    expect(unknown).toEqual([]);
  });

  it("refuses a body one byte over each route's limit with 413 payload_too_large, and takes one at the limit", async () => {
    const before = await snapshotTables(documents, stack.env);
    for (const route of routes()) {
      const limit = bodyLimits[routeKey(route)] ?? DEFAULT_BODY_LIMIT;
      const send = (bytes: number) =>
        raw.send({
          method: route.method,
          target: pathFor(route),
          headers: { authorization: `Bearer ${ownKey()}`, 'content-type': 'application/json' },
          body: paddedBody(bytes),
        });
      const over = await send(limit + 1);
      expect({ route: routeKey(route), status: over.status, code: (over.json as { code?: string })?.code }).toEqual({
        route: routeKey(route),
        status: 413,
        code: 'payload_too_large',
      });
      expect((over.json as { message: string }).message).toContain(`${limit} bytes`);
      const at = await send(limit);
      expect({ route: routeKey(route), status: at.status }).not.toEqual({ route: routeKey(route), status: 413 });
      expect(at.status).toBeLessThan(500);
    }
    expect(describeChanges(before, await snapshotTables(documents, stack.env))).toEqual([]);
  }, 180_000);

  it('counts bytes, not characters: 4-byte characters reach the limit four times sooner', async () => {
    const emoji = '😀'.repeat(16 * KB + 1); // 64 KB + 4 bytes of UTF-8, a quarter of that in characters
    const response = await client.request('POST', '/api/v3/evaluations', { apiKey: ownKey(), body: { model_id: emoji, benchmark_id: 'x' } });
    expectRefusal(response, 413, 'payload_too_large');
  });

  it("is API Gateway's to refuse above 10 MB (413, API Gateway's own message), below it the route's", async () => {
    const send = (bytes: number) =>
      raw.send({
        method: 'POST',
        target: '/api/v3/benchmarks',
        headers: { authorization: `Bearer ${ownKey()}`, 'content-type': 'application/json' },
        body: paddedBody(bytes),
      });
    const gateway = await send(10 * MB + 1);
    expect({ status: gateway.status, json: gateway.json }).toEqual({ status: 413, json: { message: 'Request Entity Too Large' } });
    const route = await send(10 * MB);
    expect({ status: route.status, code: (route.json as { code?: string }).code }).toEqual({ status: 413, code: 'payload_too_large' });
    // One message field for both: clients need not know which layer refused.
    expect((route.json as { message: string }).message).toMatch(/^Request Entity Too Large/);
  }, 120_000);
});

describe('items', () => {
  const items = (count: number, tag: string) => Array.from({ length: count }, (_, i) => ({ input: `${tag} ${i}`, expected: String(i) }));

  it(`refuses more than ${benchmarkLimits.maxItemsPerRequest} items in one create or append, and takes exactly that many`, async () => {
    const tooMany = await client.request('POST', '/api/v3/benchmarks', {
      apiKey: ownKey(),
      body: { name: 'Big', task_type: 'free_text', items: items(1001, 'c') },
    });
    expectRefusal(tooMany, 400, 'validation_error', 'items');
    expect(tooMany.json.errors[0].message).toContain('1000');
    const created = await client.request('POST', '/api/v3/benchmarks', {
      apiKey: ownKey(),
      body: { name: 'Big', task_type: 'free_text', items: items(1000, 'c') },
    });
    expect({ status: created.status, count: created.json.item_count }).toEqual({ status: 201, count: 1000 });

    const id = created.json.benchmark_id;
    const appendTooMany = await client.request('POST', `/api/v3/benchmarks/${id}/items`, { apiKey: ownKey(), body: { items: items(1001, 'a') } });
    expectRefusal(appendTooMany, 400, 'validation_error', 'items');
    const appended = await client.request('POST', `/api/v3/benchmarks/${id}/items`, { apiKey: ownKey(), body: { items: items(1000, 'a') } });
    expect({ status: appended.status, count: appended.json.item_count }).toEqual({ status: 200, count: 2000 });
    const none = await client.request('POST', `/api/v3/benchmarks/${id}/items`, { apiKey: ownKey(), body: { items: [] } });
    expectRefusal(none, 400, 'validation_error', 'items');
  });

  it(`refuses an append that would take a benchmark past ${benchmarkLimits.maxItemsPerBenchmark} items, all or nothing`, async () => {
    const created = await client.request('POST', '/api/v3/benchmarks', {
      apiKey: ownKey(),
      body: { name: 'Nearly full', task_type: 'free_text', items: items(1, 'f') },
    });
    const id = created.json.benchmark_id;
    // Filling 200,000 items through the API takes minutes; the count the append checks is set instead.
    await documents.send(
      new UpdateCommand({
        TableName: stack.env[tableDefinitions.benchmarks.envVar],
        Key: benchmarkKeys.meta(world.tenants.A.tenantId, id),
        UpdateExpression: 'SET item_count = :count',
        ExpressionAttributeValues: { ':count': benchmarkLimits.maxItemsPerBenchmark - 1 },
      }),
    );
    const over = await client.request('POST', `/api/v3/benchmarks/${id}/items`, { apiKey: ownKey(), body: { items: items(2, 'over') } });
    expectRefusal(over, 400, 'validation_error', 'items');
    expect((await client.request('GET', `/api/v3/benchmarks/${id}`, { apiKey: ownKey() })).json.item_count).toBe(
      benchmarkLimits.maxItemsPerBenchmark - 1,
    );
    const last = await client.request('POST', `/api/v3/benchmarks/${id}/items`, { apiKey: ownKey(), body: { items: items(1, 'last') } });
    expect({ status: last.status, count: last.json.item_count }).toEqual({ status: 200, count: benchmarkLimits.maxItemsPerBenchmark });
  });
});

describe('string and list lengths in request bodies', () => {
  const text = (length: number) => 'x'.repeat(length);
  const item = (fields: Record<string, unknown>) => ({ name: 'Limits', task_type: 'free_text', items: [{ input: 'q', ...fields }] });
  const model = (fields: Record<string, unknown>) => ({
    model_id: 'limits-model',
    provider: 'openai_compatible',
    provider_model_id: 'p',
    base_url: 'http://localhost:1/v1',
    ...fields,
  });
  const evaluation = (fields: Record<string, unknown>) => ({ model_id: 'baseline:echo', benchmark_id: own('benchmark_id'), ...fields });
  const contains = (index: number) => ({ name: `has_${index}`, type: 'contains', value: String(index) });

  type Case = [label: string, path: string, body: () => unknown, field: string];
  const refused: Case[] = [
    ['benchmark name over 200', '/api/v3/benchmarks', () => ({ ...item({}), name: text(201) }), 'name'],
    ['benchmark description over 2,000', '/api/v3/benchmarks', () => ({ ...item({}), description: text(2001) }), 'description'],
    ['prompt template over 20,000', '/api/v3/benchmarks', () => ({ ...item({}), prompt_template: `{input}${text(19_994)}` }), 'prompt_template'],
    [
      'default metrics over 20',
      '/api/v3/benchmarks',
      () => ({ ...item({}), default_metrics: Array.from({ length: 21 }, (_, i) => `m${i}`) }),
      'default_metrics',
    ],
    ['item input over 32 KB', '/api/v3/benchmarks', () => item({ input: text(32 * KB + 1) }), 'items.0.input'],
    ['item expected over 32 KB', '/api/v3/benchmarks', () => item({ expected: text(32 * KB + 1) }), 'items.0.expected'],
    ['item context over 32 KB', '/api/v3/benchmarks', () => item({ context: text(32 * KB + 1) }), 'items.0.context'],
    ['an item over 32 KB in all', '/api/v3/benchmarks', () => item({ input: text(20_000), expected: text(13_000) }), 'items.0'],
    ['metadata taking an item over 32 KB', '/api/v3/benchmarks', () => item({ metadata: { note: text(33_000) } }), 'items.0'],
    ['item id over 128', '/api/v3/benchmarks', () => item({ id: text(129) }), 'items.0.id'],
    [
      'a choice over 2,000',
      '/api/v3/benchmarks',
      () => ({ ...item({ choices: ['a', text(2001)] }), task_type: 'multiple_choice' }),
      'items.0.choices.1',
    ],
    [
      'over 26 choices',
      '/api/v3/benchmarks',
      () => ({ ...item({ choices: Array.from({ length: 27 }, (_, i) => `c${i}`) }), task_type: 'multiple_choice' }),
      'items.0.choices',
    ],
    ['model id over 200', '/api/v3/models', () => model({ model_id: text(201) }), 'model_id'],
    ['provider model id over 200', '/api/v3/models', () => model({ provider_model_id: text(201) }), 'provider_model_id'],
    ['display name over 200', '/api/v3/models', () => model({ display_name: text(201) }), 'display_name'],
    ['base URL over 2,000', '/api/v3/models', () => model({ base_url: `http://localhost/${text(2000)}` }), 'base_url'],
    ['system prompt over 20,000', '/api/v3/models', () => model({ parameters: { system_prompt: text(20_001) } }), 'parameters.system_prompt'],
    [
      'over 8 stop sequences',
      '/api/v3/models',
      () => model({ parameters: { stop_sequences: Array.from({ length: 9 }, (_, i) => `s${i}`) } }),
      'parameters.stop_sequences',
    ],
    ['a stop sequence over 100', '/api/v3/models', () => model({ parameters: { stop_sequences: [text(101)] } }), 'parameters.stop_sequences.0'],
    ['max tokens over 200,000', '/api/v3/models', () => model({ parameters: { max_tokens: 200_001 } }), 'parameters.max_tokens'],
    ['max concurrency over 256', '/api/v3/models', () => model({ max_concurrency: 257 }), 'max_concurrency'],
    ['timeout over 900,000 ms', '/api/v3/models', () => model({ timeout_ms: 900_001 }), 'timeout_ms'],
    ['evaluated model id over 200', '/api/v3/evaluations', () => evaluation({ model_id: text(201) }), 'model_id'],
    ['benchmark id over 200', '/api/v3/evaluations', () => evaluation({ benchmark_id: text(201) }), 'benchmark_id'],
    [
      'custom metrics over 20',
      '/api/v3/evaluations',
      () => evaluation({ custom_metrics: Array.from({ length: 21 }, (_, i) => contains(i)) }),
      'custom_metrics',
    ],
    [
      'a metric name over 64',
      '/api/v3/evaluations',
      () => evaluation({ custom_metrics: [{ ...contains(0), name: `m${text(64)}` }] }),
      'custom_metrics.0.name',
    ],
    [
      'a regex over 1,000',
      '/api/v3/evaluations',
      () => evaluation({ custom_metrics: [{ name: 'r', type: 'regex', pattern: text(1001) }] }),
      'custom_metrics.0.pattern',
    ],
    [
      'a contains value over 1,000',
      '/api/v3/evaluations',
      () => evaluation({ custom_metrics: [{ ...contains(0), value: text(1001) }] }),
      'custom_metrics.0.value',
    ],
    [
      'a rubric over 5,000',
      '/api/v3/evaluations',
      () => evaluation({ custom_metrics: [{ name: 'j', type: 'llm_judge', rubric: text(5001) }] }),
      'custom_metrics.0.rubric',
    ],
  ];

  let before: TableSnapshot;
  beforeAll(async () => {
    before = await snapshotTables(documents, stack.env);
  });

  it.each(refused.map(([label, path, body, field]) => ({ label, path, body, field })))(
    'refuses $label (400 at $field)',
    async ({ path, body, field }) => {
      const response = await client.request('POST', path, { apiKey: ownKey(), body: body() });
      expectRefusal(response, 400, 'validation_error', field);
    },
  );

  // What a field schema lets through but DynamoDB would refuse: a 400 naming the field, never a 500.
  const nested = (levels: number) => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < levels; i += 1) schema = { type: 'object', properties: { a: schema } };
    return schema;
  };
  const unstorable: [label: string, path: string, rawBody: () => string, field: string][] = [
    [
      'a metadata number beyond a safe integer',
      '/api/v3/benchmarks',
      () => '{"name":"n","task_type":"free_text","items":[{"input":"q","metadata":{"n":1e100}}]}',
      'items.0.metadata.n',
    ],
    [
      'a metadata number closer to zero than 1e-130',
      '/api/v3/benchmarks',
      () => '{"name":"n","task_type":"free_text","items":[{"input":"q","metadata":{"n":5e-324}}]}',
      'items.0.metadata.n',
    ],
    [
      'an empty metadata key',
      '/api/v3/benchmarks',
      () => '{"name":"n","task_type":"free_text","items":[{"input":"q","metadata":{"":1}}]}',
      'items.0.metadata',
    ],
    [
      'an unpaired surrogate in an item',
      '/api/v3/benchmarks',
      () => '{"name":"n","task_type":"free_text","items":[{"input":"q\\ud800"}]}',
      'items.0.input',
    ],
    ['an unpaired surrogate in a name', '/api/v3/models', () => JSON.stringify(model({})).replace('"p"', '"p\\udfff"'), 'provider_model_id'],
    [
      'a JSON Schema metric nested deeper than 20 levels',
      '/api/v3/evaluations',
      () => JSON.stringify(evaluation({ custom_metrics: [{ name: 's', type: 'json_schema', schema: nested(9) }] })),
      'custom_metrics.0.schema',
    ],
    [
      'a JSON Schema metric with an empty key',
      '/api/v3/evaluations',
      () => JSON.stringify(evaluation({ custom_metrics: [{ name: 's', type: 'json_schema', schema: { properties: { '': {} } } }] })),
      'custom_metrics.0.schema.properties',
    ],
    ['a model id every object already has as a property', '/api/v3/models', () => JSON.stringify(model({ model_id: '__proto__' })), 'model_id'],
    ['a model to evaluate named constructor', '/api/v3/evaluations', () => JSON.stringify(evaluation({ model_id: 'constructor' })), 'model_id'],
    [
      'a metric named constructor',
      '/api/v3/evaluations',
      () => JSON.stringify(evaluation({ custom_metrics: [{ ...contains(0), name: 'constructor' }] })),
      'custom_metrics.0.name',
    ],
    [
      'a judge scale beyond a safe integer',
      '/api/v3/evaluations',
      () =>
        JSON.stringify(
          evaluation({ custom_metrics: [{ name: 'j', type: 'llm_judge', rubric: 'r', judge_model_id: 'baseline:echo', scale: [0, 1e200] }] }),
        ),
      'custom_metrics.0.scale.1',
    ],
  ];

  it.each(unstorable.map(([label, path, rawBody, field]) => ({ label, path, rawBody, field })))(
    'refuses $label (400 at $field), where storage would have failed',
    async ({ path, rawBody, field }) => {
      const response = await client.request('POST', path, { apiKey: ownKey(), rawBody: rawBody() });
      expectRefusal(response, 400, 'validation_error');
      expect(response.json.errors.map((error: { path: string }) => error.path)).toContainEqual(
        expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}`)),
      );
    },
  );

  it('refuses an Idempotency-Key over 128 characters', async () => {
    const response = await client.request('POST', '/api/v3/evaluations', {
      apiKey: ownKey(),
      body: evaluation({}),
      headers: { 'idempotency-key': text(129) },
    });
    expectRefusal(response, 400, 'validation_error', 'idempotency-key');
  });

  it('wrote nothing for any of these refusals', async () => {
    expect(describeChanges(before, await snapshotTables(documents, stack.env))).toEqual([]);
  });

  it('takes every length at its limit', async () => {
    const accepted: [string, unknown, number][] = [
      [
        '/api/v3/benchmarks',
        {
          ...item({ id: text(128), expected: text(10_000), context: text(10_000) }),
          name: text(200),
          description: text(2000),
          prompt_template: `{input}${text(19_993)}`,
        },
        201,
      ],
      [
        '/api/v3/benchmarks',
        { ...item({ choices: Array.from({ length: 25 }, (_, i) => `c${i}`).concat(text(2000)) }), task_type: 'multiple_choice' },
        201,
      ],
      [
        '/api/v3/models',
        model({
          model_id: text(200),
          provider_model_id: text(200),
          display_name: text(200),
          parameters: { system_prompt: text(20_000), stop_sequences: Array.from({ length: 8 }, () => text(100)), max_tokens: 200_000 },
          max_concurrency: 256,
          timeout_ms: 900_000,
        }),
        201,
      ],
      ['/api/v3/evaluations', evaluation({ custom_metrics: Array.from({ length: 20 }, (_, i) => contains(i)) }), 202],
      [
        '/api/v3/evaluations',
        evaluation({
          custom_metrics: [
            { name: `m${text(63)}`, type: 'regex', pattern: text(1000) },
            { ...contains(0), value: text(1000) },
          ],
        }),
        202,
      ],
      // 8 levels of properties put the innermost object at depth 19 of the body, the deepest allowed.
      ['/api/v3/evaluations', evaluation({ custom_metrics: [{ name: 's', type: 'json_schema', schema: nested(8) }] }), 202],
      ['/api/v3/benchmarks', item({ metadata: { big: Number.MAX_SAFE_INTEGER, small: 1e-130, text: 'é😀\u0000' } }), 201],
    ];
    for (const [path, body, status] of accepted) {
      const response = await client.request('POST', path, { apiKey: ownKey(), body });
      expect({ path, status: response.status, body: response.status === status ? '' : response.text }).toEqual({ path, status, body: '' });
    }
  });
});

describe('page size, cursors and ids', () => {
  const lists = () => routes().filter((route) => world.listRouteKeys.has(routeKey(route)));

  it(`refuses limit above ${MAX_PAGE_SIZE} or below 1 on every list with 400, takes ${MAX_PAGE_SIZE}`, async () => {
    expect(lists().length).toBeGreaterThanOrEqual(5);
    for (const route of lists()) {
      for (const limit of [String(MAX_PAGE_SIZE + 1), '0', '1000', '-1', '1.5']) {
        const response = await client.request('GET', `${pathFor(route)}?limit=${limit}`, { apiKey: ownKey() });
        expect({
          route: routeKey(route),
          limit,
          status: response.status,
          code: response.json?.code,
          field: response.json?.errors?.[0]?.path,
        }).toEqual({
          route: routeKey(route),
          limit,
          status: 400,
          code: 'validation_error',
          field: 'limit',
        });
      }
      const max = await client.request('GET', `${pathFor(route)}?limit=${MAX_PAGE_SIZE}`, { apiKey: ownKey() });
      expect({ route: routeKey(route), status: max.status }).toEqual({ route: routeKey(route), status: 200 });
      expect(max.json.items.length).toBeLessThanOrEqual(MAX_PAGE_SIZE);
    }
  });

  it('refuses a cursor over 2,048 characters on every list', async () => {
    for (const route of lists()) {
      const response = await client.request('GET', `${pathFor(route)}?cursor=${'A'.repeat(2049)}`, { apiKey: ownKey() });
      expect({ route: routeKey(route), status: response.status, field: response.json?.errors?.[0]?.path }).toEqual({
        route: routeKey(route),
        status: 400,
        field: 'cursor',
      });
    }
  });

  it('refuses forged cursors on every list: not base64 JSON, wrong keys, empty or oversized key values', async () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    const forged = [
      '%25%25%25',
      encode([1, 2]),
      encode({ pk: 'x' }),
      encode({ gsi1pk: 'TENANT#tenant-a#EVALS', gsi1sk: '', pk: 'TENANT#tenant-b#EVAL#x', sk: 'EVAL' }),
      encode({ pk: '', sk: '' }),
      encode({ gsi1pk: 'TENANT#tenant-a#BENCHMARKS', gsi1sk: 'z'.repeat(600), pk: 'p', sk: 's' }),
    ];
    for (const route of lists()) {
      for (const cursor of forged) {
        const response = await client.request('GET', `${pathFor(route)}?cursor=${cursor}`, { apiKey: ownKey() });
        expect({ route: routeKey(route), cursor, status: response.status, field: response.json?.errors?.[0]?.path }).toEqual({
          route: routeKey(route),
          cursor,
          status: 400,
          field: 'cursor',
        });
      }
    }
    // The catalogue is one page: it issues no cursor, so it takes none.
    const builtin = await client.request('GET', `/api/v3/models?source=builtin&cursor=${forged[1]}`, { apiKey: ownKey() });
    expect({ status: builtin.status, field: builtin.json?.errors?.[0]?.path }).toEqual({ status: 400, field: 'cursor' });
  });

  it('answers 404, not 500, for an id over 200 characters on every route with an id', async () => {
    for (const route of routes().filter((candidate) => pathParameterNames(candidate.path).length > 0)) {
      for (const length of [201, 3000]) {
        const path = fillPath(route.path, Object.fromEntries(pathParameterNames(route.path).map((name) => [name, `task-${'a'.repeat(length)}`])));
        const response = await client.request(route.method, path, {
          apiKey: ownKey(),
          body: route.method === 'GET' ? undefined : { items: [{ input: 'x' }] },
        });
        expect({ route: routeKey(route), length, status: response.status, code: response.json?.code }).toEqual({
          route: routeKey(route),
          length,
          status: 404,
          code: 'not_found',
        });
      }
    }
  });
});
