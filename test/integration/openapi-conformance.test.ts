/**
 * Response conformance: every route of the API is called through the typed client against a real local
 * stack, successes and representative errors, and every real response (status, media type, required
 * headers, body) is checked against what the OpenAPI document declares for that route.
 */
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { buildOpenApiDocument } from '#shared/contracts/openapi/document.js';
import { createArbiterClient, type ArbiterClient } from '../../client/index.js';
import { localDocumentClient } from '../../local/seed.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { describeErrors, openApiValidator } from '../support/openapi-validator.js';
import { startTestStack, waitFor, type TestStack } from './support/local-stack.js';

const document = buildOpenApiDocument();
const validator = openApiValidator(document);

interface Exchange {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  text: string;
}

/** Each response the client received, as it came off the wire, by the Response object the client got. */
const exchanges = new WeakMap<Response, Exchange>();
/** `METHOD /path/template` → statuses seen, for the coverage check at the end. */
const seen = new Map<string, Set<number>>();

const recordingFetch: typeof fetch = async (input, init) => {
  const request = input instanceof Request ? input : new Request(input, init);
  const response = await fetch(request);
  const text = await response.clone().text();
  exchanges.set(response, { method: request.method, url: request.url, status: response.status, headers: response.headers, text });
  return response;
};

const routes = Object.entries(document.paths).flatMap(([template, item]) =>
  Object.keys(item).map((method) => ({
    template,
    method: method.toUpperCase(),
    pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  })),
);

/** What is wrong with one exchange, as the document sees it; empty when it conforms. */
function nonConformance(exchange: Exchange): string[] {
  const path = new URL(exchange.url).pathname;
  const route = routes.find((r) => r.method === exchange.method && r.pattern.test(path));
  if (!route) return [`${exchange.method} ${path} is not a route of the document`];
  const key = `${route.method} ${route.template}`;
  seen.set(key, (seen.get(key) ?? new Set()).add(exchange.status));

  const declared = document.paths[route.template]![route.method.toLowerCase()]!.responses;
  const response = declared[String(exchange.status)] as
    | { content?: Record<string, unknown>; headers?: Record<string, { required?: boolean }> }
    | undefined;
  if (!response) return [`${key} answered ${exchange.status}, which the document does not declare (it declares ${Object.keys(declared).join(', ')})`];

  const problems: string[] = [];
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if (header.required && !exchange.headers.has(name)) problems.push(`${key} ${exchange.status}: the required header ${name} is missing`);
  }
  const mediaTypes = Object.keys(response.content ?? {});
  if (mediaTypes.length === 0) {
    if (exchange.text !== '')
      problems.push(`${key} ${exchange.status}: the document declares no body, the response has ${JSON.stringify(exchange.text.slice(0, 200))}`);
    return problems;
  }
  const mediaType = (exchange.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (!mediaTypes.includes(mediaType)) {
    return [
      ...problems,
      `${key} ${exchange.status}: content type ${mediaType || '(none)'} is not one the document declares (${mediaTypes.join(', ')})`,
    ];
  }
  let body: unknown = exchange.text;
  if (mediaType === 'application/json') {
    try {
      body = JSON.parse(exchange.text);
    } catch {
      return [...problems, `${key} ${exchange.status}: the body is not JSON: ${exchange.text.slice(0, 200)}`];
    }
  }
  const errors = validator.checkResponse(route.template, route.method, exchange.status, mediaType, body);
  if (errors.length > 0)
    problems.push(`${key} ${exchange.status} ${mediaType} does not match the document's schema:\n${describeErrors(errors, body)}`);
  return problems;
}

/**
 * Awaits a typed client call, checks that it answered `status` and that the response conforms to the
 * document, and returns the client's result.
 */
async function expectConforming<T extends { response: Response }>(call: Promise<T>, status: number): Promise<T> {
  const result = await call;
  const exchange = exchanges.get(result.response);
  if (!exchange) throw new Error('the response did not come through the recording fetch');
  const path = new URL(exchange.url).pathname;
  if (exchange.status !== status) {
    throw new Error(`${exchange.method} ${path}: expected ${status}, got ${exchange.status}: ${exchange.text.slice(0, 500)}`);
  }
  const problems = nonConformance(exchange);
  if (problems.length > 0) throw new Error(`${exchange.method} ${path} does not conform to the OpenAPI document:\n${problems.join('\n')}`);
  return result;
}

let stack: TestStack;
let fake: FakeModelServer;
let arbiter: ArbiterClient;
let anonymous: ArbiterClient;
let readOnly: ArbiterClient;
let otherTenant: ArbiterClient;
let benchmarkId: string;
let evaluationId: string;

const client = (apiKey?: string) => createArbiterClient({ endpoint: stack.apiUrl, fetch: recordingFetch, ...(apiKey ? { apiKey } : {}) });
const evaluationPath = (id: string) => ({ params: { path: { evaluation_id: id } } });
const benchmarkPath = (id: string) => ({ params: { path: { benchmark_id: id } } });
const modelPath = (id: string) => ({ params: { path: { model_id: id } } });

const items = [
  { id: 'q1', input: '2 + 3', expected: '5' },
  { id: 'q2', input: '7 + 1', expected: '8' },
  // The fake model answers 400 to this prompt: the item fails for that model, with its reason.
  { id: 'q3', input: '4 + 4 FAIL-HERE', expected: '8' },
];

beforeAll(async () => {
  fake = await startFakeModelServer({ seed: 7, promptFaults: [{ marker: 'FAIL-HERE', fault: 'bad_request' }] });
  stack = await startTestStack({ env: { ARBITER_DEFAULT_JUDGE_MODEL: 'judge' } });
  const documents = localDocumentClient(stack.env);
  try {
    const keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
    const read = await keys.issue({ tenantId: 'dev', scopes: ['evaluations:read', 'benchmarks:read', 'models:read'] });
    const other = await keys.issue({ tenantId: 'other-tenant', scopes: ['evaluations:read', 'evaluations:write', 'benchmarks:read', 'models:read'] });
    arbiter = client(stack.devApiKey);
    anonymous = client();
    readOnly = client(read.key);
    otherTenant = client(other.key);
  } finally {
    documents.destroy();
  }
});

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

describe('public routes', () => {
  it('GET /health answers 200 without a key', async () => {
    const { data } = await expectConforming(anonymous.GET('/api/v3/health'), 200);
    expect(data?.status).toBe('ok');
  });

  it('GET /openapi.json serves this very document without a key', async () => {
    const { data } = await expectConforming(anonymous.GET('/api/v3/openapi.json'), 200);
    expect(data).toEqual(JSON.parse(JSON.stringify(document)));
  });
});

describe('models', () => {
  it('registers models (201), refuses a duplicate (409), an invalid body (400) and a missing credential (422)', async () => {
    for (const [modelId, providerModelId] of [
      ['fake-a', 'gpt-4o'],
      ['judge', 'claude-3-haiku'],
    ] as const) {
      const { data, response } = await expectConforming(
        arbiter.POST('/api/v3/models', {
          body: {
            model_id: modelId,
            provider: 'openai_compatible',
            provider_model_id: providerModelId,
            base_url: fake.url,
            timeout_ms: 2000,
            max_concurrency: 4,
          },
        }),
        201,
      );
      expect(data?.model_id).toBe(modelId);
      expect(response.headers.get('location')).toBe(`/api/v3/models/${modelId}`);
    }
    const duplicate = await expectConforming(
      arbiter.POST('/api/v3/models', { body: { model_id: 'fake-a', provider: 'openai_compatible', provider_model_id: 'x', base_url: fake.url } }),
      409,
    );
    expect(duplicate.error?.code).toBe('model_exists');

    const invalid = await expectConforming(arbiter.POST('/api/v3/models', { body: { model_id: 'no-provider' } as never }), 400);
    expect(invalid.error?.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(['provider']));

    const unusable = await expectConforming(
      arbiter.POST('/api/v3/models', {
        body: { model_id: 'keyless', provider: 'openai', provider_model_id: 'gpt-4o', api_key_env: 'ARBITER_TEST_NO_SUCH_KEY' },
      }),
      422,
    );
    expect(unusable.error?.code).toBe('api_key_env_not_allowed');
  });

  it('refuses a body that is not JSON (400) or not sent as JSON (415)', async () => {
    const malformed = await expectConforming(arbiter.POST('/api/v3/models', { body: {} as never, bodySerializer: () => '{"model_id":' }), 400);
    expect(malformed.error?.code).toBe('malformed_json');
    const wrongType = await expectConforming(
      arbiter.POST('/api/v3/models', { body: {} as never, bodySerializer: () => 'model_id=x', headers: { 'content-type': 'text/plain' } }),
      415,
    );
    expect(wrongType.error?.code).toBe('unsupported_media_type');
  });

  it('lists registered and built-in models (200), refusing a bad limit (400)', async () => {
    const { data } = await expectConforming(arbiter.GET('/api/v3/models', { params: { query: { limit: 100 } } }), 200);
    expect(data?.items.map((m) => m.model_id)).toEqual(expect.arrayContaining(['fake-a', 'judge', 'baseline:reference']));
    expect(data?.next_cursor).toBeNull();
    await expectConforming(arbiter.GET('/api/v3/models', { params: { query: { limit: 0 } } }), 400);
    await expectConforming(arbiter.GET('/api/v3/models', { params: { query: { source: 'builtin' } } }), 200);
  });

  it('reads a registered and a built-in model (200) and answers 404 for an unknown one', async () => {
    await expectConforming(arbiter.GET('/api/v3/models/{model_id}', modelPath('fake-a')), 200);
    const builtin = await expectConforming(arbiter.GET('/api/v3/models/{model_id}', modelPath('baseline:reference')), 200);
    expect(builtin.data).toMatchObject({ builtin: true, baseline: true });
    await expectConforming(arbiter.GET('/api/v3/models/{model_id}', modelPath('no-such-model')), 404);
  });

  it('deletes a registered model (204), then 404; a built-in one answers 409', async () => {
    await expectConforming(
      arbiter.POST('/api/v3/models', { body: { model_id: 'short-lived', provider: 'baseline', provider_model_id: 'echo' } }),
      201,
    );
    await expectConforming(arbiter.DELETE('/api/v3/models/{model_id}', modelPath('short-lived')), 204);
    await expectConforming(arbiter.DELETE('/api/v3/models/{model_id}', modelPath('short-lived')), 404);
    const builtin = await expectConforming(arbiter.DELETE('/api/v3/models/{model_id}', modelPath('baseline:echo')), 409);
    expect(builtin.error?.code).toBe('builtin_model');
  });
});

describe('benchmarks', () => {
  it('creates a benchmark from JSON (201) and from JSON Lines (201)', async () => {
    const created = await expectConforming(
      arbiter.POST('/api/v3/benchmarks', { body: { name: 'Conformance', task_type: 'exact_answer', items: items.slice(0, 2) } }),
      201,
    );
    benchmarkId = created.data!.benchmark_id;
    expect(created.response.headers.get('location')).toBe(`/api/v3/benchmarks/${benchmarkId}`);

    const lines = [JSON.stringify({ name: 'From JSONL', task_type: 'free_text' }), JSON.stringify({ input: 'Say hi' })].join('\n');
    const fromLines = await expectConforming(
      arbiter.POST('/api/v3/benchmarks', { body: lines, bodySerializer: () => lines, headers: { 'content-type': 'application/x-ndjson' } }),
      201,
    );
    expect(fromLines.data?.item_count).toBe(1);
  });

  it('refuses an invalid benchmark (400)', async () => {
    const invalid = await expectConforming(arbiter.POST('/api/v3/benchmarks', { body: { name: 'x', task_type: 'poetry' } as never }), 400);
    expect(invalid.error?.errors?.[0]?.path).toBe('task_type');
  });

  it('appends items (200), answering 404 for an unknown benchmark', async () => {
    const { data } = await expectConforming(
      arbiter.POST('/api/v3/benchmarks/{benchmark_id}/items', { ...benchmarkPath(benchmarkId), body: { items: items.slice(2) } }),
      200,
    );
    expect(data?.item_count).toBe(3);
    await expectConforming(
      arbiter.POST('/api/v3/benchmarks/{benchmark_id}/items', { ...benchmarkPath('task-nope'), body: { items: items.slice(2) } }),
      404,
    );
  });

  it('lists benchmarks (200), refusing a cursor it did not issue (400)', async () => {
    const { data } = await expectConforming(arbiter.GET('/api/v3/benchmarks', { params: { query: { limit: 1 } } }), 200);
    expect(data?.items).toHaveLength(1);
    expect(data?.next_cursor).toEqual(expect.any(String));
    await expectConforming(arbiter.GET('/api/v3/benchmarks', { params: { query: { cursor: data!.next_cursor! } } }), 200);
    const forged = await expectConforming(arbiter.GET('/api/v3/benchmarks', { params: { query: { cursor: 'bm90LWEtY3Vyc29y' } } }), 400);
    expect(forged.error?.errors?.[0]?.path).toBe('cursor');
  });

  it('reads a benchmark and pages through its items (200), 404 for an unknown id', async () => {
    await expectConforming(arbiter.GET('/api/v3/benchmarks/{benchmark_id}', benchmarkPath(benchmarkId)), 200);
    await expectConforming(arbiter.GET('/api/v3/benchmarks/{benchmark_id}', benchmarkPath('task-nope')), 404);
    const first = await expectConforming(
      arbiter.GET('/api/v3/benchmarks/{benchmark_id}/items', { params: { path: { benchmark_id: benchmarkId }, query: { limit: 2 } } }),
      200,
    );
    expect(first.data?.items.map((item) => item.item_id)).toEqual(['q1', 'q2']);
    const rest = await expectConforming(
      arbiter.GET('/api/v3/benchmarks/{benchmark_id}/items', {
        params: { path: { benchmark_id: benchmarkId }, query: { cursor: first.data!.next_cursor! } },
      }),
      200,
    );
    expect(rest.data?.items.map((item) => item.item_id)).toEqual(['q3']);
    await expectConforming(arbiter.GET('/api/v3/benchmarks/{benchmark_id}/items', benchmarkPath('task-nope')), 404);
  });

  it('deletes a benchmark (204), then 404', async () => {
    const spare = await expectConforming(
      arbiter.POST('/api/v3/benchmarks', { body: { name: 'Spare', task_type: 'free_text', items: [{ input: 'x' }] } }),
      201,
    );
    await expectConforming(arbiter.DELETE('/api/v3/benchmarks/{benchmark_id}', benchmarkPath(spare.data!.benchmark_id)), 204);
    await expectConforming(arbiter.DELETE('/api/v3/benchmarks/{benchmark_id}', benchmarkPath(spare.data!.benchmark_id)), 404);
  });
});

describe('evaluations', () => {
  const comparison = () => ({
    model_id: 'fake-a',
    model_id_2: 'baseline:reference',
    benchmark_id: benchmarkId,
    custom_metrics: ['exact_match', 'relevance', 'pairwise_preference'],
  });

  it('creates a comparison (202) and replays it for the same Idempotency-Key (202), 409 for another body', async () => {
    const created = await expectConforming(
      arbiter.POST('/api/v3/evaluations', { body: comparison(), headers: { 'idempotency-key': 'conformance-1' } }),
      202,
    );
    evaluationId = created.data!.evaluation_id;
    expect(created.data).toMatchObject({ status: 'pending', model_id_2: 'baseline:reference' });

    const replayed = await expectConforming(
      arbiter.POST('/api/v3/evaluations', { body: comparison(), headers: { 'idempotency-key': 'conformance-1' } }),
      202,
    );
    expect(replayed.data?.evaluation_id).toBe(evaluationId);
    expect(replayed.response.headers.get('idempotent-replayed')).toBe('true');

    const reused = await expectConforming(
      arbiter.POST('/api/v3/evaluations', {
        body: { ...comparison(), custom_metrics: ['exact_match'] },
        headers: { 'idempotency-key': 'conformance-1' },
      }),
      409,
    );
    expect(reused.error?.code).toBe('idempotency_key_reused');
  });

  it('refuses an invalid body (400), an unknown benchmark or model (422) and an oversized body (413)', async () => {
    const invalid = await expectConforming(arbiter.POST('/api/v3/evaluations', { body: { benchmark_id: benchmarkId } as never }), 400);
    expect(invalid.error?.errors).toEqual([{ path: 'model_id', message: 'is required' }]);
    const unknownBenchmark = await expectConforming(
      arbiter.POST('/api/v3/evaluations', { body: { model_id: 'fake-a', benchmark_id: 'task-nope' } }),
      422,
    );
    expect(unknownBenchmark.error?.code).toBe('unknown_benchmark');
    const unknownModel = await expectConforming(
      arbiter.POST('/api/v3/evaluations', { body: { model_id: 'nobody', benchmark_id: benchmarkId } }),
      422,
    );
    expect(unknownModel.error?.code).toBe('unknown_model');
    await expectConforming(arbiter.POST('/api/v3/evaluations', { body: { model_id: 'x'.repeat(70_000), benchmark_id: benchmarkId } }), 413);
  });

  it('answers 401 without a key or with an unknown one, and 403 for a key without the scope', async () => {
    const missing = await expectConforming(anonymous.POST('/api/v3/evaluations', { body: comparison() }), 401);
    expect(missing.error?.message).toBe('Unauthorized');
    const unknown = await expectConforming(client('not-a-key').POST('/api/v3/evaluations', { body: comparison() }), 401);
    expect(unknown.error).toMatchObject({ code: 'unauthorized' });
    const forbidden = await expectConforming(readOnly.POST('/api/v3/evaluations', { body: comparison() }), 403);
    expect(forbidden.error).toMatchObject({ code: 'forbidden' });
  });

  it('tracks the evaluation to completion (200) and reads it with its results (200)', async () => {
    await waitFor(
      async () => {
        const { data } = await expectConforming(arbiter.GET('/api/v3/evaluations/{evaluation_id}/status', evaluationPath(evaluationId)), 200);
        return data?.status === 'completed' || data?.status === 'failed' ? data : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: `evaluation ${evaluationId} to finish` },
    );
    const { data } = await expectConforming(arbiter.GET('/api/v3/evaluations/{evaluation_id}', evaluationPath(evaluationId)), 200);
    expect(data?.status).toBe('completed');
    expect(data?.results?.comparison?.pairwise?.pairwise_preference).toBeDefined();
    expect(data?.results?.judges?.relevance?.judge_model_id).toBe('judge');
    expect(data?.results?.models.find((m) => m.model_id === 'fake-a')?.failed_items).toBe(1);
  });

  it("answers 404 for an unknown id and for another tenant's evaluation", async () => {
    await expectConforming(arbiter.GET('/api/v3/evaluations/{evaluation_id}', evaluationPath('eval-nope')), 404);
    await expectConforming(otherTenant.GET('/api/v3/evaluations/{evaluation_id}', evaluationPath(evaluationId)), 404);
    await expectConforming(arbiter.GET('/api/v3/evaluations/{evaluation_id}/status', evaluationPath('eval-nope')), 404);
  });

  it('lists evaluations (200), refusing an unknown status filter (400)', async () => {
    const { data } = await expectConforming(arbiter.GET('/api/v3/evaluations', { params: { query: { status: 'completed' } } }), 200);
    expect(data?.items.map((e) => e.evaluation_id)).toContain(evaluationId);
    await expectConforming(arbiter.GET('/api/v3/evaluations', { params: { query: { status: 'finished' as never } } }), 400);
  });

  it('pages through per-item results (200) and exports them as CSV and JSON Lines', async () => {
    const page = await expectConforming(arbiter.GET('/api/v3/evaluations/{evaluation_id}/results', evaluationPath(evaluationId)), 200);
    expect(page.data?.items.map((row) => row.item_id)).toEqual(['q1', 'q2', 'q3']);
    expect(page.data?.items[2]?.outputs['fake-a']?.status).toBe('failed');
    const failed = await expectConforming(
      arbiter.GET('/api/v3/evaluations/{evaluation_id}/results', { params: { path: { evaluation_id: evaluationId }, query: { failed: true } } }),
      200,
    );
    expect(failed.data?.items.map((row) => row.item_id)).toEqual(['q3']);

    const csv = await expectConforming(
      arbiter.GET('/api/v3/evaluations/{evaluation_id}/results', {
        params: { path: { evaluation_id: evaluationId }, query: { format: 'csv' } },
        parseAs: 'text',
      }),
      200,
    );
    expect(csv.data?.split('\n')[0]).toMatch(/^item_id,position,model_id,/);
    const jsonl = await expectConforming(
      arbiter.GET('/api/v3/evaluations/{evaluation_id}/results', {
        params: { path: { evaluation_id: evaluationId }, query: { format: 'jsonl' } },
        parseAs: 'text',
      }),
      200,
    );
    const lines = (jsonl.data ?? '').split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const row = JSON.parse(line);
      expect({ item: row.item_id, errors: describeErrors(validator.checkSchema('ItemResult', row), row) }).toEqual({ item: row.item_id, errors: '' });
    }
  });

  it('answers 404 for results of an unknown evaluation or a model it did not evaluate', async () => {
    await expectConforming(arbiter.GET('/api/v3/evaluations/{evaluation_id}/results', evaluationPath('eval-nope')), 404);
    await expectConforming(
      arbiter.GET('/api/v3/evaluations/{evaluation_id}/results', { params: { path: { evaluation_id: evaluationId }, query: { model_id: 'gpt-4' } } }),
      404,
    );
  });

  it('renders the HTML report (200), 404 for an unknown evaluation', async () => {
    const report = await expectConforming(
      arbiter.GET('/api/v3/evaluations/{evaluation_id}/report', { ...evaluationPath(evaluationId), parseAs: 'text' }),
      200,
    );
    expect(report.data).toMatch(/<html/i);
    await expectConforming(arbiter.GET('/api/v3/evaluations/{evaluation_id}/report', evaluationPath('eval-nope')), 404);
  });

  it('cancels a running evaluation (202) and refuses to cancel a finished one (409) or an unknown one (404)', async () => {
    fake.setOptions({ latencyMs: 1500 });
    try {
      const created = await expectConforming(arbiter.POST('/api/v3/evaluations', { body: { model_id: 'fake-a', benchmark_id: benchmarkId } }), 202);
      const cancelled = await expectConforming(
        arbiter.POST('/api/v3/evaluations/{evaluation_id}/cancel', evaluationPath(created.data!.evaluation_id)),
        202,
      );
      expect(cancelled.data?.status).toBe('cancelled');
      expect(cancelled.response.headers.get('location')).toBe(`/api/v3/evaluations/${created.data!.evaluation_id}/status`);
    } finally {
      fake.setOptions({ latencyMs: 0 });
    }
    const finished = await expectConforming(arbiter.POST('/api/v3/evaluations/{evaluation_id}/cancel', evaluationPath(evaluationId)), 409);
    expect(finished.error?.code).toBe('evaluation_finished');
    await expectConforming(arbiter.POST('/api/v3/evaluations/{evaluation_id}/cancel', evaluationPath('eval-nope')), 404);
  });

  it('rescores a completed evaluation (202, a new pending evaluation), refuses an unknown metric (422) or evaluation (404)', async () => {
    const rescored = await expectConforming(
      arbiter.POST('/api/v3/evaluations/{evaluation_id}/rescore', { ...evaluationPath(evaluationId), body: { custom_metrics: ['token_f1'] } }),
      202,
    );
    expect(rescored.data?.status).toBe('pending');
    expect(rescored.data?.evaluation_id).not.toBe(evaluationId);
    expect(rescored.response.headers.get('location')).toBe(`/api/v3/evaluations/${rescored.data!.evaluation_id}/status`);
    const unknown = await expectConforming(
      arbiter.POST('/api/v3/evaluations/{evaluation_id}/rescore', { ...evaluationPath(evaluationId), body: { custom_metrics: ['wisdom' as never] } }),
      422,
    );
    expect(unknown.error?.code).toBe('unknown_metric');
    await expectConforming(
      arbiter.POST('/api/v3/evaluations/{evaluation_id}/rescore', { ...evaluationPath('eval-nope'), body: { custom_metrics: ['token_f1'] } }),
      404,
    );
    await waitFor(
      async () => {
        const { data } = await expectConforming(
          arbiter.GET('/api/v3/evaluations/{evaluation_id}/status', evaluationPath(rescored.data!.evaluation_id)),
          200,
        );
        return data?.status === 'completed' ? data : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'the rescore to finish' },
    );
  });

  it('compares two finished evaluations (201), reads the comparison and its changed items (200), 404 for an unknown one', async () => {
    const created = await expectConforming(
      arbiter.POST('/api/v3/comparisons', {
        body: { baseline_evaluation_id: evaluationId, candidate_evaluation_id: evaluationId, metrics: ['exact_match'] },
      }),
      201,
    );
    const comparisonPath = (comparison_id: string) => ({ params: { path: { comparison_id } } });
    const comparisonId = created.data!.comparison_id;
    expect(created.response.headers.get('location')).toBe(`/api/v3/comparisons/${comparisonId}`);
    const read = await expectConforming(arbiter.GET('/api/v3/comparisons/{comparison_id}', comparisonPath(comparisonId)), 200);
    expect(read.data?.comparison_id).toBe(comparisonId);
    const items = await expectConforming(arbiter.GET('/api/v3/comparisons/{comparison_id}/items', comparisonPath(comparisonId)), 200);
    expect(items.data?.next_cursor).toBeNull();
    await expectConforming(arbiter.GET('/api/v3/comparisons/{comparison_id}', comparisonPath('cmp-nope')), 404);
    await expectConforming(arbiter.GET('/api/v3/comparisons/{comparison_id}/items', comparisonPath('cmp-nope')), 404);
    await expectConforming(
      arbiter.POST('/api/v3/comparisons', { body: { baseline_evaluation_id: 'eval-nope', candidate_evaluation_id: evaluationId } }),
      404,
    );
  });

  it('cannot delete a benchmark an evaluation is running on (409)', async () => {
    fake.setOptions({ latencyMs: 1500 });
    try {
      const created = await expectConforming(arbiter.POST('/api/v3/evaluations', { body: { model_id: 'fake-a', benchmark_id: benchmarkId } }), 202);
      const inUse = await expectConforming(arbiter.DELETE('/api/v3/benchmarks/{benchmark_id}', benchmarkPath(benchmarkId)), 409);
      expect(inUse.error?.code).toBe('benchmark_in_use');
      await expectConforming(arbiter.POST('/api/v3/evaluations/{evaluation_id}/cancel', evaluationPath(created.data!.evaluation_id)), 202);
    } finally {
      fake.setOptions({ latencyMs: 0 });
    }
  });
});

describe('usage', () => {
  it("reports the tenant's month (200), another month (200), and refuses a malformed month (400)", async () => {
    const { data } = await expectConforming(arbiter.GET('/api/v3/usage', {}), 200);
    expect(data?.month).toBe(new Date().toISOString().slice(0, 7));
    await expectConforming(arbiter.GET('/api/v3/usage', { params: { query: { month: '2020-01' } } }), 200);
    await expectConforming(arbiter.GET('/api/v3/usage', { params: { query: { month: '2020-13' } } }), 400);
  });
});

describe('estimate', () => {
  it('estimates a create body (200) and answers its mistakes as create does (400, 422)', async () => {
    const body = { model_id: 'fake-a', model_id_2: 'baseline:reference', benchmark_id: benchmarkId, custom_metrics: ['exact_match', 'relevance'] };
    const { data } = await expectConforming(arbiter.POST('/api/v3/evaluations/estimate', { body }), 200);
    expect(data?.models.map((model) => model.model_id)).toEqual(['fake-a', 'baseline:reference']);
    await expectConforming(arbiter.POST('/api/v3/evaluations/estimate', { body: { benchmark_id: benchmarkId } as never }), 400);
    const unknown = await expectConforming(arbiter.POST('/api/v3/evaluations/estimate', { body: { ...body, benchmark_id: 'task-nope' } }), 422);
    expect(unknown.error?.code).toBe('unknown_benchmark');
  });
});

describe('webhooks', () => {
  const webhookPath = (id: string) => ({ params: { path: { webhook_id: id } } });

  it('creates (201, the secret once), lists, reads, logs and deletes a webhook (204), 404 for an unknown one, 400 for a bad body', async () => {
    const created = await expectConforming(
      arbiter.POST('/api/v3/webhooks', { body: { url: 'http://127.0.0.1:9/conformance', description: 'ci' } }),
      201,
    );
    const webhookId = created.data!.webhook_id;
    expect(created.response.headers.get('location')).toBe(`/api/v3/webhooks/${webhookId}`);
    const listed = await expectConforming(arbiter.GET('/api/v3/webhooks', { params: { query: { limit: 10 } } }), 200);
    expect(listed.data?.items.map((webhook) => webhook.webhook_id)).toContain(webhookId);
    const read = await expectConforming(arbiter.GET('/api/v3/webhooks/{webhook_id}', webhookPath(webhookId)), 200);
    expect(read.data?.webhook_id).toBe(webhookId);
    const deliveries = await expectConforming(arbiter.GET('/api/v3/webhooks/{webhook_id}/deliveries', webhookPath(webhookId)), 200);
    expect(deliveries.data?.items).toEqual([]);
    await expectConforming(arbiter.POST('/api/v3/webhooks', { body: { url: 'not a url' } }), 400);
    await expectConforming(arbiter.DELETE('/api/v3/webhooks/{webhook_id}', webhookPath(webhookId)), 204);
    await expectConforming(arbiter.GET('/api/v3/webhooks/{webhook_id}', webhookPath(webhookId)), 404);
    await expectConforming(arbiter.GET('/api/v3/webhooks/{webhook_id}/deliveries', webhookPath('hook-nope')), 404);
    await expectConforming(arbiter.DELETE('/api/v3/webhooks/{webhook_id}', webhookPath('hook-nope')), 404);
  });
});

describe('every route', () => {
  it('answers 401 without a key and with an unknown key, conforming on every authenticated route', async () => {
    const unknownKey = client('not-a-key');
    const ids: Record<string, string> = {
      evaluation_id: 'eval-nope',
      benchmark_id: 'task-nope',
      model_id: 'nope',
      comparison_id: 'cmp-nope',
      webhook_id: 'hook-nope',
    };
    const authenticated = Object.entries(document.paths).flatMap(([template, item]) =>
      Object.entries(item)
        .filter(([, operation]) => operation.security === undefined)
        .map(([method]) => ({ method: method.toUpperCase() as 'GET' | 'POST' | 'DELETE', template })),
    );
    for (const { method, template } of authenticated) {
      const path = Object.fromEntries([...template.matchAll(/\{([^}]+)\}/g)].map(([, name]) => [name!, ids[name!]!]));
      for (const caller of [anonymous, unknownKey]) {
        // The generic form of the typed client, looping over the document's own routes.
        const call = (caller.request as (m: string, p: string, init: object) => Promise<{ response: Response }>)(method, template, {
          params: { path },
          ...(method === 'POST' ? { body: {} } : {}),
        });
        await expectConforming(call, 401);
      }
    }
  });

  it('was called with a success status on every route of the document (coverage of this file)', () => {
    const missing = routes
      .map((route) => `${route.method} ${route.template}`)
      .filter((key) => ![...(seen.get(key) ?? [])].some((status) => status >= 200 && status < 300));

    expect(missing).toEqual([]);
  });
});
