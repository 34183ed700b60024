/**
 * Tags, named baselines and comparisons of two finished evaluations, through the public API on the
 * local stack (DynamoDB Local, the SQS emulator, the real evaluator).
 */
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { localDocumentClient } from '../../local/seed.js';
import { api, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let keys: DynamoDbApiKeyStore;
/** A unique tag value per run, so data kept under .data/ by an earlier run never matches. */
const run = `run-${Date.now().toString(36)}`;

async function create(body: Record<string, unknown>) {
  return client.request('POST', '/api/v3/evaluations', { body: { benchmark_id: stack.sampleBenchmarkId, custom_metrics: ['exact_match'], ...body } });
}

async function finished(id: string): Promise<Record<string, any>> {
  return waitFor(
    async () => {
      const status = await client.request('GET', `/api/v3/evaluations/${id}/status`);
      return ['completed', 'failed', 'cancelled'].includes(status.json.status) && status.json;
    },
    { timeoutMs: 60_000, intervalMs: 200, description: `evaluation ${id} to finish` },
  );
}

async function runToEnd(body: Record<string, unknown>): Promise<string> {
  const created = await create(body);
  expect(created.status).toBe(202);
  const status = await finished(created.json.evaluation_id);
  expect(status.status).toBe('completed');
  return created.json.evaluation_id;
}

async function evaluationCount(): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await client.request('GET', `/api/v3/evaluations?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    count += page.json.items.length;
    cursor = page.json.next_cursor ?? undefined;
  } while (cursor);
  return count;
}

let olderMain: string;
let newerMain: string;

beforeAll(async () => {
  stack = await startTestStack();
  client = api(stack);
  documents = localDocumentClient(stack.env);
  keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
  olderMain = await runToEnd({ model_id: 'baseline:echo', tags: { branch: `main-${run}`, commit: 'a1' } });
  newerMain = await runToEnd({ model_id: 'baseline:echo', tags: { branch: `main-${run}`, commit: 'b2' } });
}, 180_000);

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
});

describe('tags and named baselines', () => {
  it('stores tags, shows them, and filters the list by them', async () => {
    const status = await client.request('GET', `/api/v3/evaluations/${olderMain}/status`);
    expect(status.json.tags).toEqual({ branch: `main-${run}`, commit: 'a1' });

    const both = await client.request('GET', `/api/v3/evaluations?tag=${encodeURIComponent(`branch=main-${run}`)}`);
    expect(both.status).toBe(200);
    expect(both.json.items.map((item: { evaluation_id: string }) => item.evaluation_id)).toEqual([newerMain, olderMain]);

    const one = await client.request('GET', `/api/v3/evaluations?tag=${encodeURIComponent(`branch=main-${run},commit=a1`)}`);
    expect(one.json.items.map((item: { evaluation_id: string }) => item.evaluation_id)).toEqual([olderMain]);

    const bad = await client.request('GET', '/api/v3/evaluations?tag=branch');
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('tag');
  });

  it('resolves latest:<tags> to the newest completed evaluation of the same benchmark and model, at create', async () => {
    const created = await create({ model_id: 'baseline:echo', baseline: `latest:branch=main-${run}` });
    expect(created.status).toBe(202);
    const status = await client.request('GET', `/api/v3/evaluations/${created.json.evaluation_id}/status`);
    expect(status.json).toMatchObject({ baseline: `latest:branch=main-${run}`, baseline_evaluation_id: newerMain });

    const byCommit = await create({ model_id: 'baseline:echo', baseline: `latest:branch=main-${run},commit=a1` });
    expect(byCommit.status).toBe(202);
    const pinned = await client.request('GET', `/api/v3/evaluations/${byCommit.json.evaluation_id}/status`);
    expect(pinned.json.baseline_evaluation_id).toBe(olderMain);
    await finished(created.json.evaluation_id);
    await finished(byCommit.json.evaluation_id);
  });

  it.each([
    ['tags nobody carries', { model_id: 'baseline:echo', baseline: `latest:branch=nope-${run}` }, 'baseline_not_found'],
    ['the tags, but another model', { model_id: 'baseline:reference', baseline: `latest:branch=main-${run}` }, 'baseline_not_found'],
    ['an unknown id', { model_id: 'baseline:echo', baseline: 'eval-00000000000000000000000000' }, 'baseline_not_found'],
  ])('answers 422 for a baseline naming %s, and writes nothing', async (_case, body, code) => {
    const before = await evaluationCount();
    const response = await create(body);
    expect(response.status).toBe(422);
    expect(response.json.code).toBe(code);
    expect(response.json.errors).toEqual([expect.objectContaining({ path: 'baseline' })]);
    expect(await evaluationCount()).toBe(before);
  });

  it('answers 422 baseline_mismatch for an id of another model, and 422 for another tenant’s id', async () => {
    const mismatch = await create({ model_id: 'baseline:reference', baseline: olderMain });
    expect(mismatch.status).toBe(422);
    expect(mismatch.json).toMatchObject({ code: 'baseline_mismatch', errors: [{ path: 'baseline' }] });

    const { key } = await keys.issue({ tenantId: `cmp-other-${run}`, scopes: ['evaluations:read', 'evaluations:write'] });
    const theirs = await client.request('POST', '/api/v3/evaluations', {
      apiKey: key,
      body: { benchmark_id: stack.sampleBenchmarkId, model_id: 'baseline:echo', baseline: olderMain },
    });
    // Their create cannot even see our benchmark; with their own they would read "no evaluation with this id".
    expect(theirs.status).toBe(422);
    expect(JSON.stringify(theirs.json)).not.toContain(`main-${run}`);
  });
});

describe('POST /api/v3/comparisons', () => {
  let reference: string;
  beforeAll(async () => {
    reference = await runToEnd({ model_id: 'baseline:reference' });
  }, 90_000);

  it('compares a candidate with its baseline per metric, stores it, and pages the changed items', async () => {
    const created = await client.request('POST', '/api/v3/comparisons', {
      body: { baseline_evaluation_id: olderMain, candidate_evaluation_id: reference, margin: { exact_match: 0.02 } },
    });
    expect(created.status).toBe(201);
    const comparison = created.json;
    expect(created.headers.get('location')).toBe(`/api/v3/comparisons/${comparison.comparison_id}`);
    expect(comparison).toMatchObject({
      baseline_model_id: 'baseline:echo',
      candidate_model_id: 'baseline:reference',
      aligned_items: 30,
      same_content: true,
    });
    const exact = comparison.metrics.exact_match;
    // The reference answer matches every expected answer; echoing the prompt matches none of them.
    expect(exact).toMatchObject({ test: 'mcnemar_exact', verdict: 'improved', n: 30, higher_is_better: true });
    expect(exact.difference).toBeGreaterThan(0.5);
    expect(exact.ci95[0]).toBeGreaterThan(0);
    expect(exact.non_inferiority).toMatchObject({ margin: 0.02, non_inferior: true });
    expect(comparison.improved_items).toBe(exact.improved);

    const read = await client.request('GET', `/api/v3/comparisons/${comparison.comparison_id}`);
    expect(read.status).toBe(200);
    expect(read.json).toEqual(comparison);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; json: any } = await client.request(
        'GET',
        `/api/v3/comparisons/${comparison.comparison_id}/items?change=improved&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      for (const item of page.json.items) {
        expect(item.scores.exact_match).toEqual({ baseline: 0, candidate: 1, change: 'improved' });
        seen.push(item.item_id);
      }
      cursor = page.json.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(comparison.improved_items);
    const regressed = await client.request('GET', `/api/v3/comparisons/${comparison.comparison_id}/items?change=regressed`);
    expect(regressed.json.items).toHaveLength(comparison.regressed_items);
  });

  it('resolves a baseline selector, and refuses another tenant’s evaluations and comparisons with 404', async () => {
    const bySelector = await client.request('POST', '/api/v3/comparisons', {
      body: { baseline: `latest:branch=main-${run}`, candidate_evaluation_id: olderMain },
    });
    expect(bySelector.status).toBe(201);
    expect(bySelector.json.baseline_evaluation_id).toBe(newerMain);

    const { key } = await keys.issue({ tenantId: `cmp-intruder-${run}`, scopes: ['evaluations:read', 'evaluations:write'] });
    const theirs = await client.request('POST', '/api/v3/comparisons', {
      apiKey: key,
      body: { baseline_evaluation_id: olderMain, candidate_evaluation_id: reference },
    });
    expect(theirs.status).toBe(404);
    expect(theirs.json.errors).toEqual([expect.objectContaining({ path: 'candidate_evaluation_id' })]);
    for (const path of [`/api/v3/comparisons/${bySelector.json.comparison_id}`, `/api/v3/comparisons/${bySelector.json.comparison_id}/items`]) {
      const read = await client.request('GET', path, { apiKey: key });
      expect(read.status).toBe(404);
    }
  });

  it.each([
    ['neither baseline', { candidate_evaluation_id: 'eval-x' }, 400, 'validation_error', 'baseline_evaluation_id'],
    ['an unknown metric', { baseline_evaluation_id: 'B', metrics: ['bleu'] }, 422, 'unknown_metric', 'metrics.0'],
    ['a margin on a metric not compared', { baseline_evaluation_id: 'B', margin: { bleu: 0.1 } }, 422, 'unknown_metric', 'margin.bleu'],
    ['a model neither evaluated', { baseline_evaluation_id: 'B', model_id: 'gpt-4' }, 422, 'unknown_model', 'model_id'],
  ])('answers %s with %s and the path', async (_case, body: Record<string, unknown>, status, code, path) => {
    const request = {
      candidate_evaluation_id: reference,
      ...body,
      ...('baseline_evaluation_id' in body ? { baseline_evaluation_id: olderMain } : {}),
    };
    const response = await client.request('POST', '/api/v3/comparisons', { body: request });
    expect(response.status).toBe(status);
    expect(response.json.code).toBe(code);
    expect(response.json.errors.map((error: { path: string }) => error.path)).toContain(path);
  });

  it('refuses benchmarks whose content differs with 422 benchmark_mismatch, unless item_ids names the items', async () => {
    const other = stack.sampleBenchmarkIds.find((id) => id !== stack.sampleBenchmarkId)!;
    const created = await client.request('POST', '/api/v3/evaluations', {
      body: { benchmark_id: other, model_id: 'baseline:echo', custom_metrics: ['exact_match'] },
    });
    expect(created.status).toBe(202);
    expect((await finished(created.json.evaluation_id)).status).toBe('completed');
    const refused = await client.request('POST', '/api/v3/comparisons', {
      body: { baseline_evaluation_id: olderMain, candidate_evaluation_id: created.json.evaluation_id },
    });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ code: 'benchmark_mismatch', errors: [{ path: 'candidate_evaluation_id' }] });
    const named = await client.request('POST', '/api/v3/comparisons', {
      body: { baseline_evaluation_id: olderMain, candidate_evaluation_id: created.json.evaluation_id, item_ids: ['no-such-item'] },
    });
    expect(named.status).toBe(201);
    expect(named.json).toMatchObject({ same_content: false, aligned_items: 0 });
  });
});
