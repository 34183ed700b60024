/**
 * Property-based fuzzing of every route in `shared/contracts/function-manifest.ts`, over HTTP against a real local stack
 * (DynamoDB Local, the SQS emulator, the API Gateway emulator and the unchanged handlers).
 *
 * Properties, for every case: no 5xx; every 4xx is a JSON object with a string `message` and a string
 * `code` (API Gateway's own answers, which carry `message` alone, only where the gateway answers in AWS
 * too), and `errors`, when present, a list of `{ path, message }`; a 2xx only for valid input; a 2xx with
 * the resource asked for (or a page) for every valid read of the caller's own data; the exact status where
 * the input leaves no doubt (401, 403, another tenant's id 404, a bad page query 400, judged by the
 * documented `limit` rule written in the oracle, not by the product's schema); no 2xx shows the other
 * tenant's ids. And afterwards every table holds exactly what it held before (see
 * support/fuzz-cases.ts for why no case may legitimately write).
 *
 * Those cases never write, so they cannot reach what only a write reaches: values a field schema lets
 * through and storage refuses. A second run sends near-valid writing bodies, unpoisoned, as a third tenant:
 * some are valid and write (that tenant's rows are left out of the table check); none may answer 5xx.
 *
 * Reproducible: the seed is printed; ARBITER_FUZZ_SEED=<seed> replays a run, ARBITER_FUZZ_RUNS sets how many
 * read-only cases (default 1,200, never under 1,000), ARBITER_FUZZ_WRITE_RUNS how many writes (default
 * 300), ARBITER_FUZZ_CONCURRENCY how many requests are in flight (default 8).
 */
import fc from 'fast-check';
import pLimit from 'p-limit';
import { localDocumentClient } from '../../local/seed.js';
import { scopes } from '#shared/contracts/auth/scopes.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { describeCase, fuzzCaseArbitrary, resolveCase, violations, writeCaseArbitrary, type FuzzCase, type WriteCase } from './support/fuzz-cases.js';
import { createRawClient, type RawClient } from './support/fuzz-http.js';
import { createWorld, routeKey, type World } from './support/fuzz-world.js';
import { api, startTestStack, type TestStack } from './support/local-stack.js';
import { describeChanges, snapshotTables, type TableSnapshot } from './support/table-snapshot.js';

const seed = Number(process.env.ARBITER_FUZZ_SEED ?? 20250107);
const runs = Number(process.env.ARBITER_FUZZ_RUNS ?? 1200);
const writeRuns = Number(process.env.ARBITER_FUZZ_WRITE_RUNS ?? 300);
const concurrency = Number(process.env.ARBITER_FUZZ_CONCURRENCY ?? 8);
/** The tenant whose near-valid writes may succeed; its rows are left out of the table check. */
const WRITER_TENANT = 'tenant-c';
const notTheWriter = { excludeRow: (row: string) => row.includes(`TENANT#${WRITER_TENANT}#`) };

let stack: TestStack;
let world: World;
let raw: RawClient;
let documents: ReturnType<typeof localDocumentClient>;
let before: TableSnapshot;
let cases: FuzzCase[];
let writes: WriteCase[];
let writerKey: string;
let writerBenchmarkId: string;

beforeAll(async () => {
  stack = await startTestStack();
  world = await createWorld(stack);
  raw = createRawClient(stack.apiUrl, { maxSockets: concurrency });
  documents = localDocumentClient(stack.env);
  const keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
  writerKey = (await keys.issue({ tenantId: WRITER_TENANT, scopes: [...scopes], name: 'fuzz-writer' })).key;
  const benchmark = await api(stack).request('POST', '/api/v3/benchmarks', {
    apiKey: writerKey,
    body: { name: 'Writer', task_type: 'free_text', items: [{ input: 'What is 1 + 1?', expected: '2' }] },
  });
  writerBenchmarkId = benchmark.json.benchmark_id;
  before = await snapshotTables(documents, stack.env, notTheWriter);
  cases = fc.sample(fuzzCaseArbitrary(world), { seed, numRuns: runs });
  writes = fc.sample(writeCaseArbitrary(world.routes, writerBenchmarkId), { seed, numRuns: writeRuns });
  console.info(`fuzz: seed ${seed}, ${runs} cases (replay with ARBITER_FUZZ_SEED=${seed})`);
}, 240_000);

afterAll(async () => {
  raw?.close();
  documents?.destroy();
  await stack?.stop();
});

describe('fuzzing every route over HTTP', () => {
  it('generates cases for every route of the manifest, lists found by asking', () => {
    expect(runs).toBeGreaterThanOrEqual(1000);
    const perRoute = new Map(world.routes.map((route) => [routeKey(route), 0]));
    for (const fuzzCase of cases) {
      const key = routeKey(world.routes[fuzzCase.routeIndex]!);
      perRoute.set(key, (perRoute.get(key) ?? 0) + 1);
    }
    const thin = [...perRoute].filter(([, count]) => count < 20);
    expect(thin).toEqual([]);
    // Every authorized read has cases that must succeed: refusing all of them cannot pass for safety.
    const mustSucceed = new Map(world.routes.filter((route) => route.method === 'GET' && route.authorized).map((route) => [routeKey(route), 0]));
    for (const fuzzCase of cases) {
      const resolved = resolveCase(world, fuzzCase);
      const key = routeKey(resolved.route);
      if (resolved.expectation.mustSucceed && mustSucceed.has(key)) mustSucceed.set(key, mustSucceed.get(key)! + 1);
    }
    expect([...mustSucceed].filter(([, count]) => count < 5)).toEqual([]);
    // The world has cursors from several lists and both tenants to replay and tamper with.
    expect(new Set(world.cursors.map((cursor) => cursor.routeKey)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(world.cursors.map((cursor) => cursor.tenant))).toEqual(new Set(['A', 'B']));
  });

  it('answers no 5xx, only well-formed 4xx, and 2xx only to valid input of the caller’s own tenant', async () => {
    const limit = pLimit(concurrency);
    const started = Date.now();
    const outcomes = await Promise.all(
      cases.map((fuzzCase, index) =>
        limit(async () => {
          const resolved = resolveCase(world, fuzzCase);
          try {
            const response = await raw.send(resolved.request);
            const problems = violations(world, resolved, response);
            return { index, status: response.status, problems, response: response.text.slice(0, 300), resolved, fuzzCase };
          } catch (error) {
            return { index, status: 0, problems: [`no answer: ${(error as Error).message}`], response: '', resolved, fuzzCase };
          }
        }),
      ),
    );
    const statuses = new Map<number, number>();
    for (const outcome of outcomes) statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
    console.info(
      `fuzz: ${outcomes.length} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    // One example per route and kind of problem, so one bug does not hide the others.
    const byKind = new Map<string, { count: number; example: string }>();
    for (const outcome of outcomes.filter((candidate) => candidate.problems.length > 0)) {
      const kind = `${routeKey(outcome.resolved.route)}: ${outcome.problems[0]!.replace(/\(.*\)$/, '')}`;
      const seen = byKind.get(kind);
      if (seen) seen.count += 1;
      else {
        byKind.set(kind, {
          count: 1,
          example: `#${outcome.index}: ${outcome.problems.join('; ')}\n  ${describeCase(outcome.resolved, outcome.fuzzCase)}\n  → ${outcome.response}`,
        });
      }
    }
    const failures = [...byKind].map(([kind, { count, example }]) => `${count}× ${kind}\n${example}`);
    expect({ seed, failures }).toEqual({ seed, failures: [] });
    // Valid reads are part of the mix, so the properties are not met by refusing everything.
    expect(statuses.get(200) ?? 0).toBeGreaterThanOrEqual(50);
  }, 300_000);

  it('answers no 5xx to near-valid writes holding any JSON, and only well-formed 4xx', async () => {
    const limit = pLimit(concurrency);
    const outcomes = await Promise.all(
      writes.map((write, index) =>
        limit(async () => {
          const route = world.routes[write.routeIndex]!;
          const target = route.path.replace(/\{[^}]+\}/g, writerBenchmarkId);
          const body = Buffer.from(JSON.stringify(write.body), 'utf8');
          const response = await raw.send({
            method: route.method,
            target,
            headers: { authorization: `Bearer ${writerKey}`, 'content-type': 'application/json' },
            body,
          });
          const json = response.json as { code?: unknown; message?: unknown } | undefined;
          const problems = [
            ...(response.status >= 500 ? [`answered ${response.status}`] : []),
            ...(response.status >= 400 && (typeof json?.code !== 'string' || typeof json?.message !== 'string')
              ? [`a ${response.status} without code and message`]
              : []),
          ];
          return {
            index,
            status: response.status,
            problems,
            example: `#${index} ${route.method} ${target} ${body.subarray(0, 300).toString('utf8')}\n  → ${response.text.slice(0, 300)}`,
          };
        }),
      ),
    );
    const statuses = new Map<number, number>();
    for (const outcome of outcomes) statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
    console.info(`fuzz: ${outcomes.length} writes; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    const failures = outcomes.filter((outcome) => outcome.problems.length > 0).map((outcome) => `${outcome.problems.join('; ')}: ${outcome.example}`);
    expect({ seed, failures: failures.slice(0, 10), failed: failures.length }).toEqual({ seed, failures: [], failed: 0 });
    // Some writes are valid, so the run reaches storage rather than stopping at validation.
    expect([...statuses].filter(([status]) => status < 300).reduce((sum, [, count]) => sum + count, 0)).toBeGreaterThan(0);
  }, 300_000);

  it('leaves every table exactly as it was, but for the writing tenant', async () => {
    const after = await snapshotTables(documents, stack.env, notTheWriter);
    expect(describeChanges(before, after)).toEqual([]);
    expect(Object.values(before).flat().length).toBeGreaterThan(0);
  });
});
