/**
 * The HTML report, end to end: a real evaluation on the local stack, the page fetched through its route
 * and opened in headless Chromium (Debian's, driven by playwright-core; no browser is downloaded).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { localDocumentClient } from '../../local/seed.js';
import { api, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

const outputDir = join(process.cwd(), 'test-output');
const hostile = '<script>window.__owned = 1</script><img src="x" onerror="window.__owned = 2">';
const metrics = ['exact_match', 'token_f1', 'rouge_l'];
const models = ['baseline:echo', 'baseline:reference'];

let stack: TestStack;
let client: ReturnType<typeof api>;
let documents: ReturnType<typeof localDocumentClient>;
let browser: Browser;
let completedId: string;

async function runToEnd(body: unknown): Promise<string> {
  const created = await client.request('POST', '/api/v3/evaluations', { body });
  expect(created.status).toBe(202);
  const id = created.json.evaluation_id as string;
  await waitFor(
    async () => {
      const status = await client.request('GET', `/api/v3/evaluations/${id}/status`);
      return ['completed', 'failed', 'cancelled'].includes(status.json.status);
    },
    { timeoutMs: 60_000, intervalMs: 200, description: `evaluation ${id} to finish` },
  );
  return id;
}

interface PageLoad {
  page: Page;
  status: number | undefined;
  requests: string[];
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
}

/** Opens the report as a user's browser would: the route's URL, with the API key as a bearer token. */
async function openReport(evaluationId: string): Promise<PageLoad> {
  const context = await browser.newContext({
    extraHTTPHeaders: { authorization: `Bearer ${stack.devApiKey}` },
    viewport: { width: 1200, height: 900 },
  });
  const page = await context.newPage();
  const load: PageLoad = { page, status: undefined, requests: [], consoleErrors: [], pageErrors: [], dialogs: [] };
  page.on('request', (request) => load.requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') load.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => load.pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    load.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const response = await page.goto(new URL(`/api/v3/evaluations/${evaluationId}/report`, stack.apiUrl).toString(), { waitUntil: 'load' });
  load.status = response?.status();
  return load;
}

beforeAll(async () => {
  stack = await startTestStack();
  client = api(stack);
  documents = localDocumentClient(stack.env);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const benchmark = await client.request('POST', '/api/v3/benchmarks', {
    body: {
      name: 'Capitals <report test>',
      task_type: 'free_text',
      items: [
        { input: 'France: its capital is Paris', expected: 'Paris' },
        { input: 'Name the capital of Japan', expected: 'The capital of Japan is Tokyo' },
        { input: 'Italy', expected: 'Rome' },
        { input: `Repeat this markup exactly: ${hostile}`, expected: hostile },
        { input: 'The capital of Spain is Madrid', expected: 'The capital of Spain is Madrid' },
        { input: 'Which city is the capital of Kenya?', expected: 'Nairobi is the capital of Kenya' },
      ],
    },
  });
  expect(benchmark.status).toBe(201);
  completedId = await runToEnd({ model_id: models[0], model_id_2: models[1], benchmark_id: benchmark.json.benchmark_id, custom_metrics: metrics });
});

afterAll(async () => {
  await browser?.close();
  documents?.destroy();
  await stack?.stop();
});

describe('GET /api/v3/evaluations/{id}/report', () => {
  it('answers a self-contained HTML page that forbids scripts and fetches', async () => {
    const response = await client.request('GET', `/api/v3/evaluations/${completedId}/report`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.text).toMatch(/^<!DOCTYPE html>/);
    expect(response.text).not.toMatch(/<script/i);
    expect(response.text).toContain('Capitals &lt;report test&gt;');
  });

  it("answers 404 for another tenant's evaluation and 401 without a key", async () => {
    const keys = new DynamoDbApiKeyStore({ client: documents, tableName: stack.env[tableDefinitions.apiKeys.envVar] });
    const { key } = await keys.issue({ tenantId: 'report-other-tenant', scopes: ['evaluations:read'] });
    const theirs = await client.request('GET', `/api/v3/evaluations/${completedId}/report`, { apiKey: key });
    expect(theirs.status).toBe(404);
    expect(theirs.json.code).toBe('not_found');
    expect((await client.request('GET', `/api/v3/evaluations/${completedId}/report`, { apiKey: null })).status).toBe(401);
  });

  it('renders a completed comparison in Chromium: charts with the right bars, no errors, no other requests', async () => {
    const load = await openReport(completedId);
    const { page } = load;
    try {
      expect(load.status).toBe(200);
      await expect(page.title()).resolves.toContain('baseline:echo vs baseline:reference');

      // One bar and one confidence-interval whisker per metric and model.
      expect(await page.locator('svg.metric-chart rect.bar').count()).toBe(metrics.length * models.length);
      expect(await page.locator('svg.metric-chart g.ci-whisker').count()).toBe(metrics.length * models.length);
      for (const metric of metrics) {
        for (const model of models) {
          await expect(page.locator(`svg.metric-chart rect.bar[data-metric="${metric}"][data-model="${model}"]`).count()).resolves.toBe(1);
        }
      }
      // The reference answers every item exactly; echo repeats the input, right only on one item.
      const reference = await page.locator('rect.bar[data-metric="exact_match"][data-model="baseline:reference"]').getAttribute('data-mean');
      expect(Number(reference)).toBe(1);
      const bar = await page.locator('rect.bar[data-metric="exact_match"][data-model="baseline:reference"]').boundingBox();
      expect(bar!.width).toBeGreaterThan(100);

      // The comparison: a row per metric, with a difference chart and a wins/ties/losses bar.
      expect(await page.locator('table.comparison-table tbody tr').count()).toBe(metrics.length);
      expect(await page.locator('svg.difference-chart circle.difference-point').count()).toBe(metrics.length);
      expect(await page.locator('svg.outcome-bar').count()).toBe(metrics.length);
      await expect(page.locator('tr[data-metric="exact_match"] .verdict').innerText()).resolves.toMatch(
        /baseline:reference better|no significant difference/,
      );

      // Distributions: a histogram per metric, every item counted for each model.
      expect(await page.locator('svg.histogram').count()).toBe(metrics.length);
      const counted = await page
        .locator('rect.hist-bar[data-metric="token_f1"][data-model="baseline:echo"]')
        .evaluateAll((bars) => bars.reduce((sum, bar) => sum + Number(bar.getAttribute('data-count')), 0));
      expect(counted).toBe(6);

      // Latency per model, and the items the models disagree on, with both answers.
      expect(await page.locator('svg.latency-chart').count()).toBe(1);
      const disagreements = page.locator('tr.ranked-item');
      expect(await disagreements.count()).toBeGreaterThan(0);
      expect(await page.locator('section.ranked-items thead th').allInnerTexts()).toEqual(expect.arrayContaining(['Input', 'Expected', ...models]));

      // The hostile answer shows as text and never runs.
      const hostileRow = page.locator('tr.ranked-item', { hasText: 'Repeat this markup exactly' });
      await expect(hostileRow.locator('.answer').last().innerText()).resolves.toBe(hostile);
      expect(await page.evaluate(() => (globalThis as { __owned?: number }).__owned)).toBeUndefined();
      expect(await page.locator('main img, main script').count()).toBe(0);

      expect(load.consoleErrors).toEqual([]);
      expect(load.pageErrors).toEqual([]);
      expect(load.dialogs).toEqual([]);
      expect(load.requests).toEqual([page.url()]);

      mkdirSync(outputDir, { recursive: true });
      await page.screenshot({ path: join(outputDir, 'report.png'), fullPage: true });
    } finally {
      await page.context().close();
    }
  });

  it('renders a failed evaluation as header, error and progress, without charts', async () => {
    // No provider key in the test environment: every item fails, so the evaluation fails.
    const id = await runToEnd({ model_id: 'claude-3-sonnet-20240229', benchmark_id: stack.sampleBenchmarkId, custom_metrics: ['exact_match'] });
    const load = await openReport(id);
    const { page } = load;
    try {
      expect(load.status).toBe(200);
      await expect(page.locator('main').getAttribute('data-status')).resolves.toBe('failed');
      await expect(page.locator('.error-box').innerText()).resolves.toContain('model_unusable');
      await expect(page.locator('table.failure-reasons').innerText()).resolves.toContain('credentials_missing');
      expect(await page.locator('svg').count()).toBe(0);
      expect(load.consoleErrors).toEqual([]);
      expect(load.pageErrors).toEqual([]);
      expect(load.requests).toEqual([page.url()]);
      mkdirSync(outputDir, { recursive: true });
      await page.screenshot({ path: join(outputDir, 'report-failed.png'), fullPage: true });
    } finally {
      await page.context().close();
    }
  });
});
