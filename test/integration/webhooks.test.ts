import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { DynamoDbWebhookStore } from '#shared/adapters/dynamodb/webhook-store.js';
import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { HttpWebhookSender } from '#shared/adapters/webhooks/http-sender.js';
import { createEgressAgent } from '#shared/adapters/providers/egress-guard.js';
import { createEgressPolicy } from '#shared/domain/models/egress-policy.js';
import { sweepWebhooks } from '#shared/domain/webhooks/delivery.js';
import { verifyWebhook } from '#shared/domain/webhooks/signature.js';
import { localDocumentClient } from '../../local/seed.js';
import { api, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let receiver: http.Server;
let receiverUrl: string;
const received: Received[] = [];
/** Status codes the receiver answers with, in turn; 200 once they run out. */
const answers: number[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  client = api(stack);
  documents = localDocumentClient(stack.env);
  receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  documents?.destroy();
  await new Promise((resolve) => receiver?.close(resolve));
  await stack?.stop();
});

function sweepDeps(now: () => number) {
  const tableName = stack.env[tableDefinitions.evaluations.envVar];
  return {
    webhooks: new DynamoDbWebhookStore({ client: documents, tableName }),
    evaluations: new DynamoDbEvaluationStore({ client: documents, tableName, benchmarksTableName: stack.env[tableDefinitions.benchmarks.envVar] }),
    // The local egress policy allows loopback, as the local stack's own evaluator does.
    sender: new HttpWebhookSender(() => createEgressAgent({ policy: createEgressPolicy({ mode: 'local', allow: [] }) })),
    now,
  };
}

async function completedEvaluation(): Promise<string> {
  const created = await client.request('POST', '/api/v3/evaluations', {
    body: { model_id: 'baseline:reference', benchmark_id: stack.sampleBenchmarkId, custom_metrics: ['exact_match'] },
  });
  expect(created.status).toBe(202);
  const id: string = created.json.evaluation_id;
  await waitFor(async () => (await client.request('GET', `/api/v3/evaluations/${id}/status`)).json.status === 'completed', {
    timeoutMs: 60_000,
    description: 'the evaluation to complete',
  });
  return id;
}

describe('completion webhooks', () => {
  it('delivers a signed event when an evaluation completes, retries a failing receiver and logs every attempt', async () => {
    const created = await client.request('POST', '/api/v3/webhooks', { body: { url: receiverUrl, description: 'ci' } });
    expect(created.status).toBe(201);
    const { webhook_id: webhookId, secret } = created.json;
    expect(secret).toMatch(/^whsec_/);
    const read = await client.request('GET', `/api/v3/webhooks/${webhookId}`);
    expect(read.status).toBe(200);
    expect(read.json.secret).toBeUndefined();
    expect(JSON.stringify((await client.request('GET', '/api/v3/webhooks')).json)).not.toContain(secret);

    answers.push(503);
    const evaluationId = await completedEvaluation();
    let clock = Date.now();
    const deps = sweepDeps(() => clock);
    // The outbox row commits with the final state; a sweep may also be running in the stack.
    await waitFor(
      async () => {
        await sweepWebhooks(deps);
        return received.some((r) => r.body.includes(evaluationId));
      },
      { timeoutMs: 30_000, description: 'the first attempt' },
    );

    const log = async () =>
      (await client.request('GET', `/api/v3/webhooks/${webhookId}/deliveries`)).json.items.find(
        (d: { evaluation_id: string }) => d.evaluation_id === evaluationId,
      );
    const first = await waitFor(async () => ((await log())?.attempts.length === 1 ? log() : undefined));
    expect(first).toMatchObject({ status: 'pending', event_type: 'evaluation.completed', attempts: [{ attempt: 1, status_code: 503 }] });
    expect(first.next_attempt_at).toBeDefined();

    clock = Date.parse(first.next_attempt_at) + 1000;
    await sweepWebhooks(deps);
    const second = await waitFor(async () => ((await log())?.status === 'delivered' ? log() : undefined));
    expect(second.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([503, 200]);
    expect(second.next_attempt_at).toBeUndefined();

    const deliveries = received.filter((r) => r.body.includes(evaluationId));
    expect(deliveries).toHaveLength(2);
    const last = deliveries[1]!;
    const headers = {
      'webhook-id': String(last.headers['webhook-id']),
      'webhook-timestamp': String(last.headers['webhook-timestamp']),
      'webhook-signature': String(last.headers['webhook-signature']),
    };
    expect(headers['webhook-id']).toBe(second.delivery_id);
    expect(verifyWebhook(secret, headers, last.body)).toBe(true);
    const event = JSON.parse(last.body);
    expect(event).toMatchObject({ type: 'evaluation.completed', data: { evaluation_id: evaluationId, status: 'completed' } });
    expect(event.data.metrics['baseline:reference'].exact_match).toBe(1);
    expect(event.data.report_url).toBe(`/api/v3/evaluations/${evaluationId}/report`);
  }, 120_000);

  it('hides a webhook from another tenant, who can neither read nor delete it', async () => {
    const created = await client.request('POST', '/api/v3/webhooks', { body: { url: receiverUrl } });
    const id = created.json.webhook_id;
    const keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
    const { key } = await keys.issue({ tenantId: 'neighbour', scopes: ['webhooks:read', 'webhooks:write'] });
    expect((await client.request('GET', `/api/v3/webhooks/${id}`, { apiKey: key })).status).toBe(404);
    expect((await client.request('GET', `/api/v3/webhooks/${id}/deliveries`, { apiKey: key })).status).toBe(404);
    expect((await client.request('DELETE', `/api/v3/webhooks/${id}`, { apiKey: key })).status).toBe(404);
    expect((await client.request('GET', '/api/v3/webhooks', { apiKey: key })).json.items).toEqual([]);
    expect((await client.request('GET', `/api/v3/webhooks/${id}`)).status).toBe(200);
    expect((await client.request('DELETE', `/api/v3/webhooks/${id}`)).status).toBe(204);
    expect((await client.request('GET', `/api/v3/webhooks/${id}`)).status).toBe(404);
  });

  it.each([
    ['ftp://example.com/hook', 'webhook_url_not_allowed'],
    ['http://10.0.0.5/hook', 'webhook_url_not_allowed'],
    ['http://169.254.169.254/latest', 'webhook_url_not_allowed'],
    ['https://user:pass@example.com/hook', 'webhook_url_not_allowed'],
    ['not a url', 'validation_error'],
  ])('refuses %s with %s and writes nothing', async (url, code) => {
    const before = (await client.request('GET', '/api/v3/webhooks?limit=100')).json.items.length;
    const response = await client.request('POST', '/api/v3/webhooks', { body: { url } });
    expect(response.status).toBe(code === 'validation_error' ? 400 : 422);
    expect(response.json).toMatchObject({ code, errors: [{ path: 'url' }] });
    expect((await client.request('GET', '/api/v3/webhooks?limit=100')).json.items.length).toBe(before);
  });
});
