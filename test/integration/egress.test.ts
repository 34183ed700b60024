/**
 * The egress policy on a stack run as the cloud runs it (ARBITER_EGRESS_POLICY=cloud): registration refuses
 * a base_url whose literal host is not a public address over https, in every spelling the URL parser
 * accepts; a name that resolves to a refused address at call time fails its items with `egress_denied`
 * without the server ever being reached; a host the operator allowlists is called.
 *
 * No test traffic leaves the machine: the stack's processes resolve `*.localhost` to 127.0.0.1
 * (local/localhost-dns.ts), and refused registrations never connect anywhere.
 */
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { runToEnd } from './support/fault-runs.js';
import { api, startTestStack, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let client: ReturnType<typeof api>;
let fake: FakeModelServer;
let port: string;

beforeAll(async () => {
  fake = await startFakeModelServer({ seed: 11 });
  port = new URL(fake.url).port;
  stack = await startTestStack({ env: { ARBITER_EGRESS_POLICY: 'cloud', ARBITER_EGRESS_ALLOW: 'allowed.localhost' } });
  client = api(stack);
});

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

const register = (modelId: string, baseUrl: string, provider = 'openai_compatible') =>
  client.request('POST', '/api/v3/models', {
    body: { model_id: modelId, provider, provider_model_id: 'fake-1', base_url: baseUrl, timeout_ms: 2000 },
  });

describe('registering a model on the cloud policy', () => {
  it.each([
    ['loopback', 'https://127.0.0.1:8000/v1'],
    ['loopback, decimal', 'https://2130706433/v1'],
    ['loopback, octal', 'https://0177.0.0.1/v1'],
    ['loopback, hex and short', 'https://0x7f.1/v1'],
    ['loopback, IPv6', 'https://[::1]/v1'],
    ['loopback, IPv4-mapped IPv6', 'https://[::ffff:127.0.0.1]/v1'],
    ['loopback, IPv4-compatible IPv6', 'https://[::127.0.0.1]/v1'],
    ['the instance metadata service', 'https://169.254.169.254/latest/meta-data/'],
    ['the instance metadata service, decimal', 'https://2852039166/'],
    ['the instance metadata service, hex', 'https://0xa9fea9fe/'],
    ['the instance metadata service, NAT64', 'https://[64:ff9b::a9fe:a9fe]/'],
    ['the instance metadata service, IPv6', 'https://[fd00:ec2::254]/'],
    ['the container credentials endpoint', 'https://169.254.170.2/v2/credentials'],
    ['RFC 1918 10/8', 'https://10.0.0.1/v1'],
    ['RFC 1918 172.16/12, octal', 'https://0254.020.0.1/v1'],
    ['RFC 1918 192.168/16, IPv4-mapped', 'https://[::ffff:c0a8:101]/v1'],
    ['shared address space 100.64/10', 'https://100.64.0.1/v1'],
    ['unique local fc00::/7', 'https://[fc00::1]/v1'],
    ['link-local fe80::/10', 'https://[fe80::1]/v1'],
    ['unspecified', 'https://0.0.0.0/v1'],
    ['unspecified, IPv6', 'https://[::]/v1'],
    ['multicast', 'https://224.0.0.1/v1'],
    ['broadcast', 'https://255.255.255.255/v1'],
    ['reserved 240/4', 'https://240.0.0.1/v1'],
    ['a public address over plain http', 'http://93.184.216.34/v1'],
    ['a name over plain http', 'http://models.example.com/v1'],
  ])('refuses %s (%s) with 422 base_url_not_allowed', async (_, baseUrl) => {
    const response = await register('refused', baseUrl);

    expect(response.status).toBe(422);
    expect(response.json).toMatchObject({ code: 'base_url_not_allowed', errors: [{ path: 'base_url' }] });
    expect((await client.request('GET', '/api/v3/models/refused')).status).toBe(404);
  });

  it('refuses a built-in provider pointed at a refused address too', async () => {
    const response = await register('openai-to-metadata', 'https://169.254.169.254/v1', 'openai');

    expect(response.status).toBe(422);
    expect(response.json.code).toBe('base_url_not_allowed');
  });

  it('accepts a public address over https, and names, which are checked when called', async () => {
    // Registration never connects: nothing is sent to this documentation address.
    expect((await register('public', 'https://93.184.216.34/v1')).status).toBe(201);
    expect((await register('named', 'https://models.example.com/v1')).status).toBe(201);
  });
});

describe('calling a model on the cloud policy', () => {
  const benchmark = async (name: string) => {
    const items = [1, 2, 3].map((i) => ({ input: `${i} + ${i}`, expected: String(2 * i) }));
    const created = await client.request('POST', '/api/v3/benchmarks', { body: { name, task_type: 'exact_answer', items } });
    expect(created.status).toBe(201);
    return created.json.benchmark_id as string;
  };

  it('fails every item with egress_denied, tried once, when the name resolves to loopback; the server is never reached', async () => {
    expect((await register('rebound', `https://denied.localhost:${port}/v1`)).status).toBe(201);
    const before = fake.stats().requests;

    const evaluation = await runToEnd(client, { model_id: 'rebound', benchmark_id: await benchmark('Denied'), custom_metrics: ['exact_match'] });

    expect(evaluation.status).toBe('failed');
    expect(evaluation.results.models[0]).toMatchObject({ completed_items: 0, failed_items: 3, failure_reasons: { egress_denied: 3 } });
    const listed = await client.request('GET', `/api/v3/evaluations/${evaluation.evaluation_id}/results`);
    for (const row of listed.json.items) {
      expect(row.outputs.rebound.error).toMatchObject({ code: 'egress_denied', attempts: 1 });
      // Says what happened without telling the tenant what the name resolved to inside the deployment.
      expect(row.outputs.rebound.error.message).not.toContain('127.0.0.1');
    }
    expect(fake.stats().requests - before).toBe(0);
  });

  it('calls a host the operator allowlisted (ARBITER_EGRESS_ALLOW), over http too', async () => {
    expect((await register('allowed', `http://allowed.localhost:${port}/v1`)).status).toBe(201);
    const before = fake.stats().requests;

    const evaluation = await runToEnd(client, { model_id: 'allowed', benchmark_id: await benchmark('Allowed'), custom_metrics: ['exact_match'] });

    expect(evaluation.status).toBe('completed');
    expect(evaluation.results.models[0]).toMatchObject({ completed_items: 3, failed_items: 0, metrics: { exact_match: { mean: 1 } } });
    expect(fake.stats().requests - before).toBe(3);
  });
});
