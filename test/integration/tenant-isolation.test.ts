/**
 * Tenant isolation and scopes, route by route, over HTTP against the local stack. Every route of
 * `shared/contracts/function-manifest.ts` is covered by iterating the manifest, so a new route is checked without
 * touching this file (a new writing route must add a valid request to `validWrites`, or a test says so).
 *
 * Tenant A and tenant B each own benchmarks, registered models and evaluations (support/fuzz-world.ts).
 * B gets 404 for every one of A's resources on every route, the same answer as for an id that never
 * existed; lists, filters and cursors never let one tenant see the other's data; B cannot run anything
 * on A's benchmarks or models. Keys: each route needs its one scope, a read-only key writes nothing, a
 * revoked key is refused at once.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expandScopes, scopes, type Scope } from '#shared/contracts/auth/scopes.js';
import { createEvaluation } from '#shared/domain/evaluations/create-evaluation.js';
import { EnvironmentCredentialCheck } from '#shared/adapters/secrets/credential-check.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { DynamoDbModelStore } from '#shared/adapters/dynamodb/model-store.js';
import type { RouteDefinition } from '#shared/contracts/function-manifest.js';
import { localDocumentClient } from '../../local/seed.js';
import { allIds, allRoutes, createWorld, fillPath, pathParameterNames, routeKey, type TenantName, type World } from './support/fuzz-world.js';
import { api, startTestStack, type ApiResponse, type TestStack } from './support/local-stack.js';
import { describeChanges, snapshotTables } from './support/table-snapshot.js';

const run = promisify(execFile);

let stack: TestStack;
let world: World;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let keys: DynamoDbApiKeyStore;
/** Tenant A's evaluation that stays pending (its start message is held back), so cancel has work to refuse. */
let pendingEvaluationId: string;

const routes = allRoutes().filter((route) => route.authorized);
const routesWithIds = routes.filter((route) => pathParameterNames(route.path).length > 0);
const writingRoutes = routes.filter((route) => route.method !== 'GET');

/** The scope a route needs, by the API's convention: `<resource>:read` for GET, `<resource>:write` otherwise. */
function scopeOf(route: RouteDefinition): Scope {
  // Comparisons are read from and made of evaluations, and take the evaluations scopes.
  const segment = route.path.split('/')[3];
  const resource = segment === 'comparisons' ? 'evaluations' : segment;
  const scope = `${resource}:${route.method === 'GET' ? 'read' : 'write'}`;
  if (!(scopes as readonly string[]).includes(scope)) throw new Error(`${routeKey(route)}: no scope ${scope}`);
  return scope as Scope;
}

/** A body for each writing route that would succeed for its owner, so a refusal is the key's doing alone. */
const bodies: Record<string, (tenant: TenantName) => unknown> = {
  'POST /api/v3/evaluations': (tenant) => ({
    model_id: world.tenants[tenant].ids.model_id![0],
    benchmark_id: world.tenants[tenant].ids.benchmark_id![0],
  }),
  'POST /api/v3/evaluations/estimate': (tenant) => ({
    model_id: world.tenants[tenant].ids.model_id![0],
    benchmark_id: world.tenants[tenant].ids.benchmark_id![0],
  }),
  'POST /api/v3/benchmarks': () => ({ name: 'Written', task_type: 'free_text', items: [{ input: 'x' }] }),
  'POST /api/v3/benchmarks/{benchmark_id}/items': () => ({ items: [{ input: 'appended', expected: 'x' }] }),
  'POST /api/v3/models': () => ({ model_id: 'written-model', provider: 'baseline', provider_model_id: 'echo' }),
  'POST /api/v3/comparisons': (tenant) => ({
    baseline_evaluation_id: world.tenants[tenant].ids.evaluation_id![0],
    candidate_evaluation_id: world.tenants[tenant].ids.evaluation_id![1],
  }),
  'POST /api/v3/evaluations/{evaluation_id}/cancel': () => undefined,
  'POST /api/v3/evaluations/{evaluation_id}/rescore': () => ({ custom_metrics: ['exact_match'] }),
  'DELETE /api/v3/benchmarks/{benchmark_id}': () => undefined,
  'DELETE /api/v3/models/{model_id}': () => undefined,
  'POST /api/v3/webhooks': () => ({ url: 'http://127.0.0.1:9/written' }),
  'DELETE /api/v3/webhooks/{webhook_id}': () => undefined,
};

/** The owner's resource a writing route acts on: the pending evaluation for cancel, the second (finished) of each otherwise. */
function ownIds(route: RouteDefinition, tenant: TenantName): Record<string, string> {
  return Object.fromEntries(
    pathParameterNames(route.path).map((name) => [
      name,
      name === 'evaluation_id' && route.path.endsWith('/cancel') && tenant === 'A' ? pendingEvaluationId : world.tenants[tenant].ids[name]![1]!,
    ]),
  );
}

/** The answer with the id taken out, to compare another tenant's id with one that never existed. */
function comparable(response: ApiResponse, id: string) {
  const text = JSON.stringify(response.json ?? response.text)
    .split(id)
    .join('<id>');
  return { status: response.status, body: JSON.parse(text) };
}

/** Same length and shape as a real id, never issued. */
const unknownLike = (id: string) => `${id.slice(0, -4)}zzzz`;

async function tablesQuiet() {
  return snapshotTables(documents, stack.env);
}

beforeAll(async () => {
  stack = await startTestStack();
  world = await createWorld(stack);
  client = api(stack);
  documents = localDocumentClient(stack.env);
  keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
  const evaluations = new DynamoDbEvaluationStore({
    client: documents,
    tableName: stack.env[tableDefinitions.evaluations.envVar],
    benchmarksTableName: stack.env[tableDefinitions.benchmarks.envVar],
  });
  const held = await createEvaluation(
    {
      evaluations,
      benchmarks: new DynamoDbBenchmarkStore({ client: documents, tableName: stack.env[tableDefinitions.benchmarks.envVar] }),
      models: new DynamoDbModelStore({ client: documents, tableName: stack.env[tableDefinitions.models.envVar] }),
      credentials: new EnvironmentCredentialCheck({}),
      queue: { send: async () => undefined, sendAll: async () => undefined },
    },
    world.tenants.A.tenantId,
    { model_id: 'baseline:echo', benchmark_id: world.tenants.A.ids.benchmark_id![0]! },
  );
  pendingEvaluationId = held.response.evaluation_id;
}, 240_000);

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
});

describe("another tenant's resources answer 404, exactly as unknown ones", () => {
  const variants = (route: RouteDefinition) =>
    route.method !== 'GET'
      ? ['']
      : world.listRouteKeys.has(routeKey(route))
        ? [
            '',
            '?limit=100',
            '?format=csv',
            '?format=jsonl',
            '?failed=true',
            `?cursor=${encodeURIComponent(world.cursors.find((c) => c.routeKey === routeKey(route) && c.tenant === 'A')?.cursor ?? 'none')}`,
          ]
        : [''];

  it.each(routesWithIds.map((route) => ({ route: routeKey(route), definition: route })))(
    '$route: B gets 404 for every one of A’s resources, the same answer as for an id that never existed',
    async ({ definition }) => {
      const before = await tablesQuiet();
      const names = pathParameterNames(definition.path);
      const ids = names.length === 1 ? [...world.tenants.A.ids[names[0]!]!, ...(names[0] === 'evaluation_id' ? [pendingEvaluationId] : [])] : [];
      expect(ids.length).toBeGreaterThanOrEqual(2);
      for (const id of ids) {
        for (const query of variants(definition)) {
          const send = (value: string) =>
            client.request(definition.method, `${fillPath(definition.path, { [names[0]!]: value })}${query}`, {
              apiKey: world.tenants.B.ownerKey,
              body: bodies[routeKey(definition)]?.('B'),
            });
          const theirs = await send(id);
          expect({ query, status: theirs.status, code: theirs.json?.code }).toEqual({ query, status: 404, code: 'not_found' });
          expect(comparable(theirs, id)).toEqual(comparable(await send(unknownLike(id)), unknownLike(id)));
        }
      }
      // A's resources are as they were: nothing was appended, cancelled or deleted.
      expect(describeChanges(before, await tablesQuiet())).toEqual([]);
    },
  );

  it("answers A's own requests on the same routes, so the 404s above are about the tenant", async () => {
    for (const route of routesWithIds.filter((candidate) => candidate.method === 'GET')) {
      const response = await client.request('GET', fillPath(route.path, ownIds(route, 'A')), { apiKey: world.tenants.A.ownerKey });
      expect({ route: routeKey(route), status: response.status }).toEqual({ route: routeKey(route), status: 200 });
    }
  });
});

describe('lists, filters and cursors', () => {
  const topLevelLists = () => routes.filter((route) => world.listRouteKeys.has(routeKey(route)) && pathParameterNames(route.path).length === 0);

  async function walk(path: string, apiKey: string): Promise<string[]> {
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const response: ApiResponse = await client.request(
        'GET',
        `${path}${separator}limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { apiKey },
      );
      expect(response.status).toBe(200);
      pages.push(response.text);
      cursor = response.json.next_cursor;
    } while (cursor && pages.length < 500);
    return pages;
  }

  it('finds the list routes by asking, and B’s cursors for them', () => {
    expect(topLevelLists().map(routeKey)).toEqual(
      expect.arrayContaining(['GET /api/v3/evaluations', 'GET /api/v3/benchmarks', 'GET /api/v3/models']),
    );
  });

  it('never shows A’s data in any page of B’s lists, and shows all of B’s', async () => {
    for (const route of topLevelLists()) {
      const text = (await walk(route.path, world.tenants.B.ownerKey)).join('\n');
      const leaked = allIds(world.tenants.A).filter((id) => text.includes(id));
      expect({ route: routeKey(route), leaked, labelSeen: text.includes('alpha') }).toEqual({ route: routeKey(route), leaked: [], labelSeen: false });
      const resource = route.path.split('/')[3]!;
      const own = world.tenants.B.ids[`${resource.replace(/s$/, '')}_id`] ?? [];
      expect(own.length).toBeGreaterThan(0);
      for (const id of own) expect(text).toContain(id);
    }
  });

  it('list filters naming A’s benchmark or model find nothing for B', async () => {
    const a = world.tenants.A.ids;
    for (const query of [`benchmark_id=${a.benchmark_id![0]}`, `model_id=${a.model_id![0]}`, `model_id=${a.model_id![1]}`]) {
      const response = await client.request('GET', `/api/v3/evaluations?${query}`, { apiKey: world.tenants.B.ownerKey });
      expect({ query, status: response.status, items: response.json.items }).toEqual({ query, status: 200, items: [] });
    }
    // The same filters find A's evaluations for A, so they do filter.
    const own = await client.request('GET', `/api/v3/evaluations?benchmark_id=${a.benchmark_id![0]}`, { apiKey: world.tenants.A.ownerKey });
    expect(own.json.items.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses every cursor issued to one tenant when the other presents it, on its own list', async () => {
    expect(world.cursors.filter((cursor) => cursor.tenant === 'A').length).toBeGreaterThanOrEqual(4);
    for (const issued of world.cursors) {
      const thief: TenantName = issued.tenant === 'A' ? 'B' : 'A';
      const route = routes.find((candidate) => routeKey(candidate) === issued.routeKey)!;
      // The thief's own list of the same kind: their own parent resource where the list has one.
      const path = fillPath(
        route.path,
        Object.fromEntries(pathParameterNames(route.path).map((name) => [name, world.tenants[thief].ids[name]![0]!])),
      );
      const response = await client.request('GET', `${path}?cursor=${encodeURIComponent(issued.cursor)}`, { apiKey: world.tenants[thief].ownerKey });
      expect({ list: issued.routeKey, status: response.status, path: response.json?.errors?.[0]?.path }).toEqual({
        list: issued.routeKey,
        status: 400,
        path: 'cursor',
      });
    }
  });

  it("refuses another list's cursor, and accepts each cursor on the list that issued it", async () => {
    for (const issued of world.cursors.filter((cursor) => cursor.tenant === 'A')) {
      const own = routes.find((candidate) => routeKey(candidate) === issued.routeKey)!;
      const accepted = await client.request('GET', `${fillPath(own.path, issued.pathParameters)}?cursor=${encodeURIComponent(issued.cursor)}`, {
        apiKey: world.tenants.A.ownerKey,
      });
      expect({ list: issued.routeKey, status: accepted.status }).toEqual({ list: issued.routeKey, status: 200 });
      const names = pathParameterNames(own.path);
      if (names.length > 0) {
        // The same kind of list under another parent (benchmark B's items with benchmark A's cursor).
        const otherParent = Object.fromEntries(
          names.map((name) => [name, world.tenants.A.ids[name]!.find((id) => id !== issued.pathParameters[name])!]),
        );
        const response = await client.request('GET', `${fillPath(own.path, otherParent)}?cursor=${encodeURIComponent(issued.cursor)}`, {
          apiKey: world.tenants.A.ownerKey,
        });
        expect({ list: issued.routeKey, otherParent, status: response.status }).toEqual({ list: issued.routeKey, otherParent, status: 400 });
      }
      for (const other of routes.filter((candidate) => world.listRouteKeys.has(routeKey(candidate)) && routeKey(candidate) !== issued.routeKey)) {
        const path = fillPath(other.path, Object.fromEntries(pathParameterNames(other.path).map((name) => [name, world.tenants.A.ids[name]![0]!])));
        const response = await client.request('GET', `${path}?cursor=${encodeURIComponent(issued.cursor)}`, { apiKey: world.tenants.A.ownerKey });
        expect({ from: issued.routeKey, on: routeKey(other), status: response.status }).toEqual({
          from: issued.routeKey,
          on: routeKey(other),
          status: 400,
        });
      }
    }
  });
});

describe("B cannot run anything on A's benchmarks or models", () => {
  const a = () => world.tenants.A.ids;
  const b = () => world.tenants.B.ids;
  const cases = () =>
    [
      ["A's benchmark", { model_id: 'baseline:echo', benchmark_id: a().benchmark_id![0] }, a().benchmark_id![0]!],
      ["A's model", { model_id: a().model_id![0], benchmark_id: b().benchmark_id![0] }, a().model_id![0]!],
      [
        "A's model as the second model",
        { model_id: 'baseline:echo', model_id_2: a().model_id![1], benchmark_id: b().benchmark_id![0] },
        a().model_id![1]!,
      ],
      [
        "A's model as a judge",
        {
          model_id: 'baseline:echo',
          benchmark_id: b().benchmark_id![0],
          custom_metrics: [{ name: 'judged', type: 'llm_judge', rubric: 'Is it right?', judge_model_id: a().model_id![0] }],
        },
        a().model_id![0]!,
      ],
    ] as const;

  it('answers 422 exactly as for a benchmark or model that does not exist, and writes nothing', async () => {
    const before = await tablesQuiet();
    for (const [label, body, foreignId] of cases()) {
      const theirs = await client.request('POST', '/api/v3/evaluations', { apiKey: world.tenants.B.ownerKey, body });
      expect({ label, status: theirs.status }).toEqual({ label, status: 422 });
      const unknownBody = JSON.parse(JSON.stringify(body).split(foreignId).join(unknownLike(foreignId)));
      const unknown = await client.request('POST', '/api/v3/evaluations', { apiKey: world.tenants.B.ownerKey, body: unknownBody });
      expect(comparable(theirs, foreignId)).toEqual(comparable(unknown, unknownLike(foreignId)));
    }
    expect(describeChanges(before, await tablesQuiet())).toEqual([]);
  });
});

describe('scopes', () => {
  it('every writing route of the manifest has a valid request here', () => {
    expect(writingRoutes.map(routeKey).filter((key) => !(key in bodies))).toEqual([]);
  });

  it.each(routes.map((route) => ({ route: routeKey(route), definition: route })))(
    '$route needs its scope: refused with 403 without it, let through with it alone',
    async ({ definition }) => {
      const needed = scopeOf(definition);
      const without = (await keys.issue({ tenantId: world.tenants.A.tenantId, scopes: scopes.filter((scope) => scope !== needed) })).key;
      const only = (await keys.issue({ tenantId: world.tenants.A.tenantId, scopes: [needed] })).key;
      const before = await tablesQuiet();
      // Writing routes get an id that does not exist, so the key that may pass changes nothing either.
      const path =
        definition.method === 'GET'
          ? fillPath(definition.path, ownIds(definition, 'A'))
          : fillPath(definition.path, Object.fromEntries(pathParameterNames(definition.path).map((name) => [name, 'task-doesnotexist'])));
      const body = definition.method === 'GET' ? undefined : { 'not-a-field': true };
      const refused = await client.request(definition.method, path, { apiKey: without, body });
      expect({ status: refused.status, code: refused.json?.code }).toEqual({ status: 403, code: 'forbidden' });
      expect(refused.json.errors[0].message).toContain(needed);
      const allowed = await client.request(definition.method, path, { apiKey: only, body });
      expect([401, 403]).not.toContain(allowed.status);
      if (definition.method === 'GET') expect(allowed.status).toBe(200);
      expect(describeChanges(before, await tablesQuiet())).toEqual([]);
    },
  );

  it('a key without any scope is refused everywhere with 403', async () => {
    for (const route of routes) {
      const response = await client.request(route.method, fillPath(route.path, ownIds(route, 'A')), {
        apiKey: world.keys.noScopes,
        body: bodies[routeKey(route)]?.('A'),
      });
      expect({ route: routeKey(route), status: response.status, code: response.json?.code }).toEqual({
        route: routeKey(route),
        status: 403,
        code: 'forbidden',
      });
    }
  });

  it('a read-only key reads everything and cannot create, append, cancel or delete anything (403, nothing written)', async () => {
    expect(expandScopes(['read']).every((scope) => scope.endsWith(':read'))).toBe(true);
    const before = await tablesQuiet();
    for (const route of routes) {
      const response = await client.request(route.method, fillPath(route.path, ownIds(route, 'A')), {
        apiKey: world.keys.readOnly,
        body: bodies[routeKey(route)]?.('A'),
      });
      const expected = route.method === 'GET' ? { status: 200, code: undefined } : { status: 403, code: 'forbidden' };
      expect({ route: routeKey(route), status: response.status, code: response.json?.code }).toEqual({ route: routeKey(route), ...expected });
    }
    expect(describeChanges(before, await tablesQuiet())).toEqual([]);
  });

  it('a missing, malformed, unknown or revoked key is refused with 401 on every route', async () => {
    for (const route of routes) {
      const path = fillPath(route.path, ownIds(route, 'A'));
      const body = bodies[routeKey(route)]?.('A');
      const missing = await client.request(route.method, path, { apiKey: null, body });
      expect({ route: routeKey(route), status: missing.status, json: missing.json }).toEqual({
        route: routeKey(route),
        status: 401,
        json: { message: 'Unauthorized' },
      });
      for (const authorization of ['Basic dXNlcjpwYXNz', `Bearer ${world.keys.unknown}`, `Bearer ${world.keys.revoked}`]) {
        const response = await client.request(route.method, path, { apiKey: null, body, headers: { authorization } });
        expect({ route: routeKey(route), status: response.status, code: response.json?.code }).toEqual({
          route: routeKey(route),
          status: 401,
          code: 'unauthorized',
        });
      }
    }
  });

  it('a key revoked with `npm run api-key -- revoke` is refused at once', async () => {
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'scripts/api-key.ts', ...args, '--data-dir', stack.dataDir], { cwd: process.cwd(), timeout: 60_000 });
    const created = await cli('create', '--tenant', world.tenants.A.tenantId, '--scopes', 'read', '--name', 'soon-revoked');
    const lines = created.stdout.trim().split('\n');
    const key = lines.at(-1)!;
    const keyId = /Created (key-[0-9a-z]+)/.exec(created.stdout)?.[1];
    expect(keyId).toBeDefined();
    expect((await client.request('GET', '/api/v3/benchmarks', { apiKey: key })).status).toBe(200);
    await cli('revoke', '--tenant', world.tenants.A.tenantId, '--key-id', keyId!);
    const refused = await client.request('GET', '/api/v3/benchmarks', { apiKey: key });
    expect({ status: refused.status, code: refused.json.code }).toEqual({ status: 401, code: 'unauthorized' });
  }, 120_000);

  it("the owner's key succeeds with the very requests the read-only key was refused, so the 403s were the scope's", async () => {
    for (const route of writingRoutes) {
      const response = await client.request(route.method, fillPath(route.path, ownIds(route, 'A')), {
        apiKey: world.tenants.A.ownerKey,
        body: bodies[routeKey(route)]?.('A'),
      });
      expect({
        route: routeKey(route),
        ok: response.status >= 200 && response.status < 300,
        body: response.status < 300 ? '' : response.text,
      }).toEqual({
        route: routeKey(route),
        ok: true,
        body: '',
      });
    }
  });
});
