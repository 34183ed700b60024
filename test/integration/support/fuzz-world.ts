/**
 * Two tenants, each with benchmarks, registered models and finished evaluations, and API keys of every
 * kind a caller can present (owner with every scope, read-only, no scope, revoked, unknown). The fuzz and
 * tenant-isolation tests run against this world; every id is real and owned by exactly one tenant.
 */
import { generateApiKey } from '#shared/domain/auth/api-keys.js';
import { expandScopes, scopes } from '#shared/contracts/auth/scopes.js';
import { functionDefinitions, type RouteDefinition } from '#shared/contracts/function-manifest.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { DynamoDbWebhookStore } from '#shared/adapters/dynamodb/webhook-store.js';
import { HttpWebhookSender } from '#shared/adapters/webhooks/http-sender.js';
import { createEgressAgent } from '#shared/adapters/providers/egress-guard.js';
import { createEgressPolicy } from '#shared/domain/models/egress-policy.js';
import { sweepWebhooks } from '#shared/domain/webhooks/delivery.js';
import { localDocumentClient } from '../../../local/seed.js';
import { api, waitFor, type TestStack } from './local-stack.js';

export type TenantName = 'A' | 'B';

export interface TenantResources {
  tenantId: string;
  /** Every scope. */
  ownerKey: string;
  /** Real ids by path parameter name (`benchmark_id`, `model_id`, `evaluation_id`, `webhook_id`), at least two each. */
  ids: Record<string, string[]>;
}

export interface CallerKeys {
  /** Tenant A, every `*:read` scope and no write scope. */
  readOnly: string;
  /** Tenant A, no scope at all. */
  noScopes: string;
  /** Tenant A, every scope, revoked before the tests run. */
  revoked: string;
  /** Well-formed, never issued. */
  unknown: string;
}

/** A cursor a list route issued, with the list and tenant it belongs to. */
export interface IssuedCursor {
  tenant: TenantName;
  routeKey: string;
  pathParameters: Record<string, string>;
  cursor: string;
}

export interface World {
  tenants: Record<TenantName, TenantResources>;
  keys: CallerKeys;
  /** Routes whose answer is a page (`{ items, next_cursor }`), found by asking each GET route. */
  listRouteKeys: Set<string>;
  cursors: IssuedCursor[];
  /** Every route of the manifest with a handler behind it. */
  routes: RouteDefinition[];
}

export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method} ${route.path}`;

/** `{name}` segments of a route path, in order. */
export const pathParameterNames = (path: string) => [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);

export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_whole, name: string) => encodeURIComponent(values[name] ?? ''));
}

export const allRoutes = (): RouteDefinition[] =>
  functionDefinitions.filter((definition) => definition.kind === 'api').flatMap((definition) => definition.routes);

async function createTenant(stack: TestStack, keys: DynamoDbApiKeyStore, tenantId: string, label: string): Promise<TenantResources> {
  const ownerKey = (await keys.issue({ tenantId, scopes: [...scopes], name: `${label}-owner` })).key;
  const client = api(stack);
  const call = async (method: string, path: string, body: unknown, expected: number) => {
    const response = await client.request(method, path, { body, apiKey: ownerKey });
    if (response.status !== expected) throw new Error(`${method} ${path} answered ${response.status}: ${response.text}`);
    return response.json;
  };
  const benchmarks = [
    await call(
      'POST',
      '/api/v3/benchmarks',
      {
        name: `${label} sums`,
        task_type: 'exact_answer',
        default_metrics: ['exact_match'],
        items: [1, 2, 3].map((n) => ({ id: `${label}-q${n}`, input: `${label}: what is ${n} + ${n}?`, expected: String(2 * n) })),
      },
      201,
    ),
    await call(
      'POST',
      '/api/v3/benchmarks',
      {
        name: `${label} capitals`,
        task_type: 'free_text',
        items: [
          { input: `${label}: capital of France?`, expected: 'Paris' },
          { input: `${label}: capital of Peru?`, expected: 'Lima' },
        ],
      },
      201,
    ),
  ].map((benchmark) => benchmark.benchmark_id as string);
  const models = [];
  for (const [suffix, baseline] of [
    ['echo', 'echo'],
    ['reference', 'reference'],
  ] as const) {
    const modelId = `${label}-${suffix}-model`;
    await call('POST', '/api/v3/models', { model_id: modelId, provider: 'baseline', provider_model_id: baseline }, 201);
    models.push(modelId);
  }
  const evaluations = [
    await call('POST', '/api/v3/evaluations', { model_id: models[0], benchmark_id: benchmarks[0] }, 202),
    await call('POST', '/api/v3/evaluations', { model_id: models[1], model_id_2: 'baseline:echo', benchmark_id: benchmarks[0] }, 202),
  ].map((evaluation) => evaluation.evaluation_id as string);
  return { tenantId, ownerKey, ids: { benchmark_id: benchmarks, model_id: models, evaluation_id: evaluations } };
}

/** Two webhooks of a tenant, on a loopback URL the local egress policy accepts; the local stack runs no sweeper. */
async function createWebhooks(stack: TestStack, ownerKey: string, label: string): Promise<string[]> {
  const client = api(stack);
  const ids: string[] = [];
  for (const n of [1, 2]) {
    const response = await client.request('POST', '/api/v3/webhooks', { body: { url: `http://127.0.0.1:9/${label}-${n}` }, apiKey: ownerKey });
    if (response.status !== 201) throw new Error(`POST /api/v3/webhooks answered ${response.status}: ${response.text}`);
    ids.push(response.json.webhook_id as string);
  }
  return ids;
}

/** Waits until every evaluation of the world has finished, so nothing writes in the background afterwards. */
async function waitForFinalStates(stack: TestStack, tenants: TenantResources[]): Promise<void> {
  const client = api(stack);
  for (const tenant of tenants) {
    for (const evaluationId of tenant.ids.evaluation_id ?? []) {
      await waitFor(
        async () => {
          const response = await client.request('GET', `/api/v3/evaluations/${evaluationId}/status`, { apiKey: tenant.ownerKey });
          return ['completed', 'failed', 'cancelled'].includes(response.json?.status) ? response.json.status : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 250, description: `evaluation ${evaluationId} to finish` },
      );
    }
  }
}

/** Two comparisons per tenant, of its two finished evaluations each way round, for the comparison routes. */
async function addComparisons(stack: TestStack, tenant: TenantResources): Promise<void> {
  const client = api(stack);
  const [first, second] = tenant.ids.evaluation_id!;
  const comparisons: string[] = [];
  for (const [baseline, candidate] of [
    [first, second],
    [second, first],
  ]) {
    const response = await client.request('POST', '/api/v3/comparisons', {
      body: { baseline_evaluation_id: baseline, candidate_evaluation_id: candidate },
      apiKey: tenant.ownerKey,
    });
    if (response.status !== 201) throw new Error(`POST /api/v3/comparisons answered ${response.status}: ${response.text}`);
    comparisons.push(response.json.comparison_id as string);
  }
  tenant.ids.comparison_id = comparisons;
}

/** Asks every GET route for one item; those that answer a page are list routes, and their cursors are kept. */
async function discoverLists(stack: TestStack, tenants: Record<TenantName, TenantResources>, routes: RouteDefinition[]) {
  const client = api(stack);
  const listRouteKeys = new Set<string>();
  const cursors: IssuedCursor[] = [];
  for (const route of routes.filter((candidate) => candidate.method === 'GET' && candidate.authorized)) {
    for (const tenant of ['A', 'B'] as const) {
      const names = pathParameterNames(route.path);
      // Each of the tenant's ids in turn, so lists of different parents (two benchmarks' items) each give a cursor.
      for (const index of [0, 1]) {
        const values = Object.fromEntries(names.map((name) => [name, tenants[tenant].ids[name]?.[index] ?? `missing-${name}`]));
        if (names.length === 0 && index > 0) break;
        const response = await client.request('GET', `${fillPath(route.path, values)}?limit=1`, { apiKey: tenants[tenant].ownerKey });
        if (response.status !== 200 || !Array.isArray(response.json?.items) || !('next_cursor' in response.json)) continue;
        listRouteKeys.add(routeKey(route));
        if (typeof response.json.next_cursor === 'string') {
          cursors.push({ tenant, routeKey: routeKey(route), pathParameters: values, cursor: response.json.next_cursor });
        }
      }
    }
  }
  return { listRouteKeys, cursors };
}

export async function createWorld(stack: TestStack): Promise<World> {
  const documents = localDocumentClient(stack.env);
  try {
    const keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
    const [a, b] = await Promise.all([createTenant(stack, keys, 'tenant-a', 'alpha'), createTenant(stack, keys, 'tenant-b', 'bravo')]);
    const tenants = { A: a, B: b };
    const readOnly = (await keys.issue({ tenantId: a.tenantId, scopes: expandScopes(['read']), name: 'read-only' })).key;
    const noScopes = (await keys.issue({ tenantId: a.tenantId, scopes: [], name: 'no-scopes' })).key;
    const revokedIssue = await keys.issue({ tenantId: a.tenantId, scopes: [...scopes], name: 'revoked' });
    await keys.revoke(a.tenantId, revokedIssue.record.key_id);
    await waitForFinalStates(stack, [a, b]);
    for (const tenant of [a, b]) await addComparisons(stack, tenant);
    // The world's final states each left an outbox row; sweep them now, while no webhook exists, so the
    // stack's own one-minute sweep finds nothing to send or delete while a suite compares tables.
    const evaluationsTable = stack.env[tableDefinitions.evaluations.envVar];
    await sweepWebhooks({
      webhooks: new DynamoDbWebhookStore({ client: documents, tableName: evaluationsTable }),
      evaluations: new DynamoDbEvaluationStore({
        client: documents,
        tableName: evaluationsTable,
        benchmarksTableName: stack.env[tableDefinitions.benchmarks.envVar],
      }),
      sender: new HttpWebhookSender(() => createEgressAgent({ policy: createEgressPolicy({ mode: 'local', allow: [] }) })),
    });
    // Webhooks come after the outbox is empty, so nothing is sent to them in the background.
    for (const [tenant, label] of [
      [a, 'alpha'],
      [b, 'bravo'],
    ] as const) {
      tenant.ids.webhook_id = await createWebhooks(stack, tenant.ownerKey, label);
    }
    const routes = allRoutes();
    const { listRouteKeys, cursors } = await discoverLists(stack, tenants, routes);
    return {
      tenants,
      keys: { readOnly, noScopes, revoked: revokedIssue.key, unknown: generateApiKey() },
      listRouteKeys,
      cursors,
      routes,
    };
  } finally {
    documents.destroy();
  }
}

/** Every real id of a tenant, for checking that a response never mentions another tenant's resources. */
export function allIds(tenant: TenantResources): string[] {
  return Object.values(tenant.ids).flat();
}
