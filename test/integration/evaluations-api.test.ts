import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createEvaluation } from '#shared/domain/evaluations/create-evaluation.js';
import { ServiceUnavailableError } from '#shared/domain/errors.js';
import { SqsWorkQueue } from '#shared/adapters/sqs/work-queue.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EnvironmentCredentialCheck } from '#shared/adapters/secrets/credential-check.js';
import { DynamoDbModelStore } from '#shared/adapters/dynamodb/model-store.js';
import { localDocumentClient } from '../../local/seed.js';
import { api, startTestStack, type TestStack } from './support/local-stack.js';

const seedResponseFields = ['benchmark_id', 'created_at', 'evaluation_id', 'message', 'model_id', 'status'];

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let keys: DynamoDbApiKeyStore;

/** Evaluation and idempotency records: what a create writes (the evaluator adds results and markers meanwhile). */
async function evaluationItemCount(): Promise<number> {
  const result = await documents.send(
    new ScanCommand({
      TableName: stack.env[tableDefinitions.evaluations.envVar],
      Select: 'COUNT',
      FilterExpression: 'sk IN (:evaluation, :idempotency)',
      ExpressionAttributeValues: { ':evaluation': 'EVAL', ':idempotency': 'IDEMPOTENCY' },
      ConsistentRead: true,
    }),
  );
  return result.Count ?? 0;
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

const seedSingle = () => ({
  model_id: 'claude-3-sonnet-20240229',
  benchmark_id: stack.sampleBenchmarkId,
  custom_metrics: ['accuracy', 'relevance'],
});

describe('POST /api/v3/evaluations', () => {
  it("answers the seed's single-model request with 202 and exactly the seed's fields", async () => {
    const response = await client.request('POST', '/api/v3/evaluations', { body: seedSingle() });
    expect(response.status).toBe(202);
    expect(Object.keys(response.json).sort()).toEqual(seedResponseFields);
    expect(response.json).toMatchObject({
      model_id: 'claude-3-sonnet-20240229',
      benchmark_id: stack.sampleBenchmarkId,
      status: 'pending',
      message: 'Evaluation created successfully and queued for execution',
    });
    expect(response.json.evaluation_id).toMatch(/^eval-[0-9a-z]{26}$/);
    expect(response.json.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(response.headers.get('location')).toBe(`/api/v3/evaluations/${response.json.evaluation_id}/status`);

    const status = await client.request('GET', response.headers.get('location')!);
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({
      evaluation_id: response.json.evaluation_id,
      benchmark_id: stack.sampleBenchmarkId,
      progress: { total_items: 30, failed_items: 0 },
    });
    expect(['pending', 'running', 'completed']).toContain(status.json.status);
  });

  it("answers the seed's comparison request with model_id_2 in the response", async () => {
    const response = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'claude-3-sonnet-20240229', model_id_2: 'gpt-4', benchmark_id: stack.sampleBenchmarkId },
    });
    expect(response.status).toBe(202);
    expect(Object.keys(response.json).sort()).toEqual([...seedResponseFields, 'model_id_2'].sort());
    expect(response.json.model_id_2).toBe('gpt-4');
  });

  it('replays the first response for a retried Idempotency-Key, and refuses the key with another body', async () => {
    const before = await evaluationItemCount();
    const headers = { 'idempotency-key': `retry-${Date.now()}` };
    const first = await client.request('POST', '/api/v3/evaluations', { body: seedSingle(), headers });
    const second = await client.request('POST', '/api/v3/evaluations', { body: seedSingle(), headers });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.json).toEqual(first.json);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await evaluationItemCount()).toBe(before + 2); // the evaluation and its idempotency record

    const other = await client.request('POST', '/api/v3/evaluations', {
      body: { ...seedSingle(), model_id: 'gpt-4' },
      headers,
    });
    expect(other.status).toBe(409);
    expect(other.json.code).toBe('idempotency_key_reused');
  });
});

describe('authentication and tenancy', () => {
  it('answers 401 without a token, as API Gateway does', async () => {
    const response = await client.request('POST', '/api/v3/evaluations', { body: seedSingle(), apiKey: null });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ message: 'Unauthorized' });
  });

  it.each([
    ['a malformed header', { authorization: 'Token abc' }],
    ['a Basic header', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an unknown key', { authorization: 'Bearer arb_notarealkeynotarealkeynotarealkey' }],
  ])('answers 401 with a code for %s', async (_label, headers) => {
    const before = await evaluationItemCount();
    const response = await client.request('POST', '/api/v3/evaluations', { body: seedSingle(), headers, apiKey: null });
    expect(response.status).toBe(401);
    expect(response.json).toMatchObject({ code: 'unauthorized', message: 'Unauthorized' });
    expect(await evaluationItemCount()).toBe(before);
  });

  it('answers 401 for a revoked key, at once', async () => {
    const { key, record } = await keys.issue({ tenantId: 'dev', scopes: ['evaluations:read'] });
    expect((await client.request('GET', '/api/v3/evaluations/eval-x/status', { apiKey: key })).status).toBe(404);
    await keys.revoke('dev', record.key_id);
    const response = await client.request('GET', '/api/v3/evaluations/eval-x/status', { apiKey: key });
    expect(response.status).toBe(401);
  });

  it('answers 403 when the key lacks the scope', async () => {
    const { key } = await keys.issue({ tenantId: 'dev', scopes: ['evaluations:read'] });
    const response = await client.request('POST', '/api/v3/evaluations', { body: seedSingle(), apiKey: key });
    expect(response.status).toBe(403);
    expect(response.json.code).toBe('forbidden');
  });

  it("answers 404 for another tenant's evaluation, exactly as for an unknown id", async () => {
    const created = await client.request('POST', '/api/v3/evaluations', { body: seedSingle() });
    const { key } = await keys.issue({ tenantId: 'other-tenant', scopes: ['evaluations:read', 'evaluations:write'] });
    const theirs = await client.request('GET', `/api/v3/evaluations/${created.json.evaluation_id}/status`, { apiKey: key });
    const unknown = await client.request('GET', '/api/v3/evaluations/eval-00000000000000000000000000/status', { apiKey: key });
    expect(theirs.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(theirs.json.code).toBe('not_found');
    expect(Object.keys(theirs.json)).toEqual(Object.keys(unknown.json));

    // Nor can they evaluate on the development tenant's benchmark.
    const borrowed = await client.request('POST', '/api/v3/evaluations', { body: seedSingle(), apiKey: key });
    expect(borrowed.status).toBe(422);
    expect(borrowed.json.code).toBe('unknown_benchmark');
  });
});

describe('bad requests: 4xx with code, message and fields, and nothing written', () => {
  const valid = () => seedSingle();
  const tenMegabytes = 'x'.repeat(10 * 1024 * 1024);
  type Case = [label: string, body: () => unknown, status: number, code: string, path?: string, headers?: Record<string, string>];
  const raw = (text: string) => ({ raw: text });
  const cases: Case[] = [
    ['no body', () => raw(''), 400, 'malformed_json'],
    ['a body that is not JSON', () => raw('{"model_id":'), 400, 'malformed_json'],
    ['a text/plain body', () => raw(JSON.stringify(valid())), 415, 'unsupported_media_type', 'content-type', { 'content-type': 'text/plain' }],
    ['a JSON array', () => [valid()], 400, 'validation_error', ''],
    ['JSON null', () => raw('null'), 400, 'validation_error', ''],
    ['a JSON string', () => 'claude', 400, 'validation_error', ''],
    ['a JSON number', () => 42, 400, 'validation_error', ''],
    ['JSON true', () => true, 400, 'validation_error', ''],
    ['an empty object', () => ({}), 400, 'validation_error', 'model_id'],
    ['a missing model_id', () => ({ benchmark_id: stack.sampleBenchmarkId }), 400, 'validation_error', 'model_id'],
    ['a missing benchmark_id', () => ({ model_id: 'gpt-4' }), 400, 'validation_error', 'benchmark_id'],
    ['a numeric model_id', () => ({ ...valid(), model_id: 4 }), 400, 'validation_error', 'model_id'],
    ['a null model_id', () => ({ ...valid(), model_id: null }), 400, 'validation_error', 'model_id'],
    ['an empty model_id', () => ({ ...valid(), model_id: '' }), 400, 'validation_error', 'model_id'],
    ['an object model_id', () => ({ ...valid(), model_id: { id: 'gpt-4' } }), 400, 'validation_error', 'model_id'],
    ['a model_id with a slash', () => ({ ...valid(), model_id: 'openai/gpt-4' }), 400, 'validation_error', 'model_id'],
    ['a model_id with emoji', () => ({ ...valid(), model_id: 'gpt-4-🚀' }), 400, 'validation_error', 'model_id'],
    ['a 300-character benchmark_id', () => ({ ...valid(), benchmark_id: 'b'.repeat(300) }), 400, 'validation_error', 'benchmark_id'],
    ['a 10 MB model_id', () => ({ ...valid(), model_id: tenMegabytes }), 413, 'gateway'],
    ['a 10 MB custom metric', () => ({ ...valid(), custom_metrics: [tenMegabytes] }), 413, 'gateway'],
    ['a 1 MB model_id', () => ({ ...valid(), model_id: 'm'.repeat(1024 * 1024) }), 413, 'payload_too_large'],
    ['model_id_2 equal to model_id', () => ({ ...valid(), model_id_2: 'claude-3-sonnet-20240229' }), 400, 'validation_error', 'model_id_2'],
    ['a numeric model_id_2', () => ({ ...valid(), model_id_2: 2 }), 400, 'validation_error', 'model_id_2'],
    ['an empty model_id_2', () => ({ ...valid(), model_id_2: '' }), 400, 'validation_error', 'model_id_2'],
    ['an unknown field', () => ({ ...valid(), temperature: 0.2 }), 400, 'validation_error', 'temperature'],
    ['custom_metrics as a string', () => ({ ...valid(), custom_metrics: 'accuracy' }), 400, 'validation_error', 'custom_metrics'],
    ['empty custom_metrics', () => ({ ...valid(), custom_metrics: [] }), 400, 'validation_error', 'custom_metrics'],
    ['a numeric metric', () => ({ ...valid(), custom_metrics: [7] }), 400, 'validation_error', 'custom_metrics.0'],
    ['a repeated metric', () => ({ ...valid(), custom_metrics: ['accuracy', 'accuracy'] }), 400, 'validation_error', 'custom_metrics'],
    ['a metric object without a type', () => ({ ...valid(), custom_metrics: [{ name: 'tone' }] }), 400, 'validation_error', 'custom_metrics.0.type'],
    [
      'a metric object of an unknown type',
      () => ({ ...valid(), custom_metrics: [{ name: 'tone', type: 'vibes' }] }),
      400,
      'validation_error',
      'custom_metrics.0.type',
    ],
    ['an unknown metric name', () => ({ ...valid(), custom_metrics: ['accuracy', 'bleurt_xxl'] }), 422, 'unknown_metric', 'custom_metrics.1'],
    ['an unknown benchmark', () => ({ ...valid(), benchmark_id: 'task-does-not-exist' }), 422, 'unknown_benchmark', 'benchmark_id'],
    // User patterns run on a linear-time engine: what needs backtracking answers 422 with the field at fault.
    [
      'a regex with a backreference',
      () => ({ ...valid(), custom_metrics: [{ name: 'r', type: 'regex', pattern: '(a+)\\1' }] }),
      422,
      'invalid_metric_config',
      'custom_metrics.0.pattern',
    ],
    [
      'a regex with lookahead',
      () => ({ ...valid(), custom_metrics: ['accuracy', { name: 'r', type: 'regex', pattern: 'x(?=y)' }] }),
      422,
      'invalid_metric_config',
      'custom_metrics.1.pattern',
    ],
    [
      'a regex with a flag given twice',
      () => ({ ...valid(), custom_metrics: [{ name: 'r', type: 'regex', pattern: 'a', flags: 'ii' }] }),
      422,
      'invalid_metric_config',
      'custom_metrics.0.flags',
    ],
    [
      'a JSON Schema pattern with lookbehind',
      () => ({
        ...valid(),
        custom_metrics: [{ name: 's', type: 'json_schema', schema: { type: 'object', properties: { id: { type: 'string', pattern: '(?<!x)y' } } } }],
      }),
      422,
      'invalid_metric_config',
      'custom_metrics.0.schema.properties.id.pattern',
    ],
    ['a malformed Idempotency-Key', () => valid(), 400, 'validation_error', 'idempotency-key', { 'idempotency-key': 'has spaces in it' }],
    [
      'deeply nested junk',
      () => ({ ...valid(), custom_metrics: [{ name: 'x', type: 'regex', deep: JSON.parse('['.repeat(500) + ']'.repeat(500)) }] }),
      400,
      'validation_error',
      'custom_metrics.0.deep',
    ],
  ];

  it(`covers at least 30 kinds of bad request (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  // Objects rather than rows: jest would hand its `done` callback to a parameter a short row leaves out.
  const table = cases.map(([label, makeBody, status, code, path, headers]) => ({ label, makeBody, status, code, path, headers }));

  it.each(table)('$label → $status $code', async ({ makeBody, status, code, path, headers }) => {
    const before = await evaluationItemCount();
    const body = makeBody();
    const response = await client.request('POST', '/api/v3/evaluations', {
      ...(typeof body === 'object' && body !== null && 'raw' in body ? { rawBody: (body as { raw: string }).raw } : { body }),
      headers,
    });
    expect(response.status).toBe(status);
    // Bodies past API Gateway's 10 MB limit never reach Arbiter: the gateway's own 413 has only `message`.
    expect(response.json).toMatchObject(code === 'gateway' ? { message: 'Request Entity Too Large' } : { code, message: expect.any(String) });
    expect(response.json.message.length).toBeGreaterThan(0);
    if (path !== undefined) expect(response.json.errors.map((error: { path: string }) => error.path)).toContain(path);
    expect(await evaluationItemCount()).toBe(before);
  });

  it('says why a pattern is refused, and accepts a pattern that only looks dangerous', async () => {
    const refused = await client.request('POST', '/api/v3/evaluations', {
      body: { ...valid(), custom_metrics: [{ name: 'r', type: 'regex', pattern: '(a+)\\1' }] },
    });
    expect(refused.json).toMatchObject({
      code: 'invalid_metric_config',
      errors: [{ path: 'custom_metrics.0.pattern', message: expect.stringContaining('backreferences') }],
    });
    // Nested quantifiers backtrack exponentially on V8, not on RE2: accepted.
    const accepted = await client.request('POST', '/api/v3/evaluations', {
      body: { ...valid(), custom_metrics: [{ name: 'r', type: 'regex', pattern: '^(a+)+$' }] },
    });
    expect(accepted.status).toBe(202);
  });
});

describe('when the queue cannot take the start message', () => {
  it('marks the evaluation failed instead of leaving it pending, and answers 503', async () => {
    const evaluations = new DynamoDbEvaluationStore({
      client: documents,
      tableName: stack.env[tableDefinitions.evaluations.envVar],
      benchmarksTableName: stack.env[tableDefinitions.benchmarks.envVar],
    });
    const models = new DynamoDbModelStore({ client: documents, tableName: stack.env[tableDefinitions.models.envVar] });
    const benchmarks = new DynamoDbBenchmarkStore({ client: documents, tableName: stack.env[tableDefinitions.benchmarks.envVar] });
    const sqs = new SQSClient({
      endpoint: stack.env.AWS_ENDPOINT_URL_SQS,
      region: stack.env.AWS_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const missingQueue = new SqsWorkQueue({ client: sqs, queueUrl: `${stack.env.AWS_ENDPOINT_URL_SQS}/000000000000/no-such-queue` });

    const records = new ScanCommand({
      TableName: stack.env[tableDefinitions.evaluations.envVar],
      FilterExpression: 'sk = :evaluation',
      ExpressionAttributeValues: { ':evaluation': 'EVAL' },
      ConsistentRead: true,
    });
    const before = await documents.send(records);
    await expect(
      createEvaluation({ evaluations, benchmarks, models, credentials: new EnvironmentCredentialCheck({}), queue: missingQueue }, 'dev', {
        model_id: 'gpt-4',
        benchmark_id: stack.sampleBenchmarkId,
      }),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);

    const after = await documents.send(records);
    const added = (after.Items ?? []).filter((item) => !(before.Items ?? []).some((old) => old.pk === item.pk));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ status: 'failed', error: { code: 'queue_unavailable' } });
    sqs.destroy();
  });
});
