/**
 * Chat items through the public API on the local stack: conversations, system prompts and message-list
 * templates reach the model natively (the fake model server answers from the whole conversation), the
 * answer to the last turn is scored, and malformed conversations are refused with the offending path and
 * nothing written.
 */
import { pollUntil } from '../../local/poll.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { api, startTestStack, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let client: ReturnType<typeof api>;
let fake: FakeModelServer;

beforeAll(async () => {
  fake = await startFakeModelServer({ seed: 1 });
  stack = await startTestStack();
  client = api(stack);
  const registered = await client.request('POST', '/api/v3/models', {
    body: {
      model_id: 'chatty',
      provider: 'openai_compatible',
      provider_model_id: 'gpt-4o',
      base_url: fake.url,
      timeout_ms: 2000,
      max_concurrency: 4,
    },
  });
  expect(registered.status).toBe(201);
});

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

async function createBenchmark(body: unknown) {
  const created = await client.request('POST', '/api/v3/benchmarks', { body });
  expect(created.status).toBe(201);
  return created.json.benchmark_id as string;
}

async function evaluate(benchmarkId: string) {
  const created = await client.request('POST', '/api/v3/evaluations', {
    body: { model_id: 'chatty', benchmark_id: benchmarkId, custom_metrics: ['exact_match'] },
  });
  expect(created.status).toBe(202);
  const id = created.json.evaluation_id as string;
  await pollUntil(
    async () => {
      const status = await client.request('GET', `/api/v3/evaluations/${id}/status`);
      return ['completed', 'failed', 'cancelled'].includes(status.json.status) ? true : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200, description: `evaluation ${id} to finish` },
  );
  const evaluation = (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
  const rows = (await client.request('GET', `/api/v3/evaluations/${id}/results?limit=100`)).json.items as any[];
  return { evaluation, rows };
}

describe('chat items', () => {
  it('sends each conversation with the benchmark’s system prompt, and scores the answer to its last turn', async () => {
    const benchmarkId = await createBenchmark({
      name: 'Chat recall',
      task_type: 'free_text',
      system_prompt: 'Reply in upper case.',
      items: [
        {
          id: 'recall',
          messages: [
            { role: 'user', content: 'Say hello.' },
            { role: 'assistant', content: 'hello there.' },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'Repeat your ' },
                { type: 'input_text', text: 'previous answer.' },
              ],
            },
          ],
          expected: 'HELLO THERE.',
        },
        // History plus an input: the input is the final user turn.
        {
          id: 'history',
          messages: [
            { role: 'user', content: 'Pick a word.' },
            { role: 'assistant', content: 'blue.' },
          ],
          input: 'What was your last answer?',
          expected: 'BLUE.',
        },
        // A plain item on the same benchmark: the system prompt still applies.
        { id: 'plain', input: 'Say yes.', expected: 'SAY YES.' },
        // A system turn of the item's own joins the benchmark's.
        {
          id: 'own-system',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Say no.' },
          ],
          expected: 'SAY NO.',
        },
      ],
    });

    const items = (await client.request('GET', `/api/v3/benchmarks/${benchmarkId}/items`)).json.items as any[];
    expect(items[0]).toMatchObject({
      item_id: 'recall',
      input: 'Repeat your previous answer.',
      messages: [
        { role: 'user', content: 'Say hello.' },
        { role: 'assistant', content: 'hello there.' },
        { role: 'user', content: 'Repeat your previous answer.' },
      ],
    });
    const benchmark = (await client.request('GET', `/api/v3/benchmarks/${benchmarkId}`)).json;
    expect(benchmark.system_prompt).toBe('Reply in upper case.');

    const { evaluation, rows } = await evaluate(benchmarkId);
    expect(evaluation.status).toBe('completed');
    const answers = Object.fromEntries(rows.map((row) => [row.item_id, row.outputs.chatty.output]));
    expect(answers).toEqual({ recall: 'HELLO THERE.', history: 'BLUE.', plain: 'SAY YES.', 'own-system': 'SAY NO.' });
    expect(evaluation.results.models[0].metrics.exact_match.mean).toBe(1);
  });

  it('renders a message-list template from item fields ({{item.question}})', async () => {
    const benchmarkId = await createBenchmark({
      name: 'Templated chat',
      task_type: 'exact_answer',
      message_template: [
        { role: 'system', content: 'You are a calculator; reply in upper case.' },
        { role: 'user', content: 'Q: {{item.question}}' },
      ],
      items: [
        { metadata: { question: '2 + 3' }, expected: '5' },
        { metadata: { question: '4 * 6' }, expected: '24' },
      ],
    });
    const { evaluation, rows } = await evaluate(benchmarkId);
    expect(evaluation.status).toBe('completed');
    expect(rows.map((row) => row.outputs.chatty.output)).toEqual(['5', '24']);
    expect(evaluation.results.models[0].metrics.exact_match.mean).toBe(1);
  });

  const bad: Array<[string, unknown, number, string, string]> = [
    ['an unknown role', { messages: [{ role: 'tool', content: 'x' }] }, 400, 'validation_error', 'items.0.messages.0.role'],
    ['empty content', { messages: [{ role: 'user', content: '' }] }, 400, 'validation_error', 'items.0.messages.0.content'],
    [
      'an image part',
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: 'x' }] }] },
      400,
      'validation_error',
      'items.0.messages.0.content',
    ],
    [
      'a conversation ending on the assistant',
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello' },
        ],
      },
      400,
      'validation_error',
      'items.0.messages.1',
    ],
    [
      'a system turn after the conversation started',
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'system', content: 'be nice' },
          { role: 'user', content: 'again' },
        ],
      },
      400,
      'validation_error',
      'items.0.messages.1',
    ],
    [
      'messages ending on the user beside an input',
      { input: 'x', messages: [{ role: 'user', content: 'hi' }] },
      400,
      'validation_error',
      'items.0.messages.0',
    ],
    ['neither input nor messages', { expected: 'x' }, 400, 'validation_error', 'items.0.input'],
  ];

  it.each(bad)('refuses %s, naming the path, and writes nothing', async (_label, item, status, code, path) => {
    const before = (await client.request('GET', '/api/v3/benchmarks?limit=100')).json.items.length;
    const response = await client.request('POST', '/api/v3/benchmarks', { body: { name: 'Bad chat', task_type: 'free_text', items: [item] } });
    expect(response.status).toBe(status);
    expect(response.json.code).toBe(code);
    expect(response.json.errors.map((error: { path: string }) => error.path)).toContain(path);
    expect((await client.request('GET', '/api/v3/benchmarks?limit=100')).json.items.length).toBe(before);
  });

  it('refuses message templates that end on the assistant or read nothing of the item', async () => {
    for (const message_template of [
      [
        { role: 'user', content: '{{item.q}}' },
        { role: 'assistant', content: 'ok' },
      ],
      [{ role: 'user', content: 'Say hi.' }],
      [{ role: 'user', content: '{{item.q' }],
    ]) {
      const response = await client.request('POST', '/api/v3/benchmarks', {
        body: { name: 'Bad template', task_type: 'free_text', message_template, items: [{ metadata: { q: 'x' } }] },
      });
      expect(response.status).toBe(400);
      expect(response.json.errors[0].path).toBe('message_template');
    }
  });

  it('refuses items carrying messages on a benchmark whose message template builds the conversation', async () => {
    const response = await client.request('POST', '/api/v3/benchmarks', {
      body: {
        name: 'Both',
        task_type: 'free_text',
        message_template: [{ role: 'user', content: '{{input}}' }],
        items: [{ input: 'x', messages: [{ role: 'user', content: 'y' }] }],
      },
    });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].path).toBe('items.0.messages');
  });
});
