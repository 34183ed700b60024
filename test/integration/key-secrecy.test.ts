/**
 * API keys are never logged: a stack of its own, every log line of every process captured (handlers at
 * DEBUG), driven with good, read-only, revoked, made-up and misplaced keys, then every captured line
 * searched for each key, raw and as a bearer header. The run-wide check (test/support/log-secrecy.ts)
 * does the same over the whole suite; this file proves the property on its own and shows the capture
 * is not empty.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { generateApiKey } from '#shared/domain/auth/api-keys.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { localDocumentClient } from '../../local/seed.js';
import { countLines, describeLeaks, findKeysInLogs, logFiles, recordTestApiKey, testRunDir } from '../support/log-secrecy.js';
import { api, startTestStack, stackStartTimeoutMs, waitFor, type TestStack } from './support/local-stack.js';

const TENANT = 'secrecy';

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let keys: DynamoDbApiKeyStore;
let logDir: string;
let ownLogDir: string | undefined;
/** Every key this file sent or created: the ones its stack's logs must not hold. */
const used: string[] = [];

async function issue(scopes: Parameters<DynamoDbApiKeyStore['issue']>[0]['scopes']) {
  const issued = await keys.issue({ tenantId: TENANT, scopes });
  used.push(issued.key);
  recordTestApiKey(issued.key);
  return issued;
}

/** A key sent by the test but never issued, recorded like the others. */
function madeUp(key: string): string {
  used.push(key);
  recordTestApiKey(key);
  return key;
}

beforeAll(async () => {
  const runDir = testRunDir();
  ownLogDir = runDir ? undefined : mkdtempSync(join(tmpdir(), 'arbiter-key-secrecy-'));
  logDir = join(runDir ?? ownLogDir!, 'stacks', 'key-secrecy');
  stack = await startTestStack({ logDir, env: { POWERTOOLS_LOG_LEVEL: 'DEBUG', LOG_LEVEL: 'DEBUG' } });
  client = api(stack);
  used.push(stack.devApiKey);
  documents = localDocumentClient(stack.env);
  keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
}, stackStartTimeoutMs);

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
  if (ownLogDir) rmSync(ownLogDir, { recursive: true, force: true });
});

describe('keys in use', () => {
  it('a key with every scope creates a benchmark and an evaluation that runs to the end', async () => {
    const { key } = await issue(['evaluations:read', 'evaluations:write', 'benchmarks:read', 'benchmarks:write']);
    const benchmark = await client.request('POST', '/api/v3/benchmarks', {
      apiKey: key,
      body: {
        name: 'Secrecy',
        task_type: 'exact_answer',
        items: [
          { input: '1 + 1 = ?', expected: '2' },
          { input: '2 + 2 = ?', expected: '4' },
        ],
      },
    });
    expect(benchmark.status).toBe(201);

    const created = await client.request('POST', '/api/v3/evaluations', {
      apiKey: key,
      headers: { 'idempotency-key': `secrecy-${Date.now()}` },
      body: { model_id: 'baseline:reference', benchmark_id: benchmark.json.benchmark_id },
    });
    expect(created.status).toBe(202);

    const id = created.json.evaluation_id as string;
    const status = await waitFor(
      async () => {
        const response = await client.request('GET', `/api/v3/evaluations/${id}/status`, { apiKey: key });
        return response.json?.status === 'completed' ? response : undefined;
      },
      { timeoutMs: 45_000, description: 'the evaluation to complete' },
    );
    expect(status.status).toBe(200);
    expect((await client.request('GET', `/api/v3/evaluations/${id}/results`, { apiKey: key })).status).toBe(200);
  });

  it('a read-only key reads but is refused a write with 403', async () => {
    const { key } = await issue(['evaluations:read', 'benchmarks:read']);

    expect((await client.request('GET', '/api/v3/evaluations', { apiKey: key })).status).toBe(200);
    const write = await client.request('POST', '/api/v3/benchmarks', { apiKey: key, body: { name: 'No', task_type: 'exact_answer', items: [] } });
    expect(write.status).toBe(403);
  });
});

describe('wrong keys', () => {
  it.each([
    ['a key that was never issued', () => ({ authorization: `Bearer ${madeUp(generateApiKey())}` })],
    [
      'a near miss of a real key (last character changed)',
      () => {
        const real = stack.devApiKey;
        return { authorization: `Bearer ${madeUp(real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A'))}` };
      },
    ],
    ['a real key without the Bearer scheme', () => ({ authorization: stack.devApiKey })],
    ['a real key after another scheme', () => ({ authorization: `Token ${stack.devApiKey}` })],
    ['a real key followed by junk', () => ({ authorization: `Bearer ${stack.devApiKey} trailing junk` })],
  ])('%s answers 401 with a code', async (_label, headers) => {
    const response = await client.request('GET', '/api/v3/evaluations', { apiKey: null, headers: headers() });

    expect(response.status).toBe(401);
    expect(response.json.code).toBe('unauthorized');
  });

  it('a real key in the wrong header is not a credential: API Gateway answers 401 itself', async () => {
    const response = await client.request('GET', '/api/v3/evaluations', { apiKey: null, headers: { 'x-api-key': stack.devApiKey } });

    expect(response.status).toBe(401);
  });

  it('a real key pasted into a query string or an id is refused without being echoed to the logs', async () => {
    const key = stack.devApiKey;
    const asCursor = await client.request('GET', `/api/v3/evaluations?cursor=${encodeURIComponent(key)}`);
    const asId = await client.request('GET', `/api/v3/evaluations/${encodeURIComponent(key)}/status`);

    expect(asCursor.status).toBe(400);
    expect(asId.status).toBe(404);
  });
});

describe('revocation', () => {
  it('is effective at once on the local stack: the next request with the key answers 401', async () => {
    const { key, record } = await issue(['evaluations:read']);
    expect((await client.request('GET', '/api/v3/evaluations', { apiKey: key })).status).toBe(200);

    await keys.revoke(TENANT, record.key_id);
    const after = await client.request('GET', '/api/v3/evaluations', { apiKey: key });

    expect(after.status).toBe(401);
    expect(after.json.message).toMatch(/Unauthorized/);
  });
});

describe('the logs', () => {
  it('hold no key, raw or as a bearer header, in any line any process wrote', async () => {
    // Stopping flushes and closes every capture file.
    await stack.stop();
    const files = logFiles(logDir);

    const leaks = findKeysInLogs(files, used);

    expect(describeLeaks(leaks)).toBe('');
    // Not a scan of nothing: the handlers' lines are there, the authorizer's included, for the good keys
    // (by key id) and for the refused ones (by reason), and the evaluator's.
    const apiFiles = files.filter((file) => basename(file).startsWith('api-'));
    expect(countLines(apiFiles)).toBeGreaterThan(20);
    expect(countLines(files.filter((file) => basename(file).startsWith('evaluator-')))).toBeGreaterThan(0);
    const authorized = apiFiles.flatMap(jsonLines).filter((line) => line.message === 'authorized');
    expect(authorized.some((line) => typeof line.key_id === 'string')).toBe(true);
    expect(authorized.some((line) => line.auth_error === 'unknown_key')).toBe(true);
    expect(authorized.some((line) => line.auth_error === 'malformed_authorization')).toBe(true);
  });
});

/** The JSON lines of a capture file (the emulators' startup banners are plain text). */
function jsonLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
