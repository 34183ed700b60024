/**
 * Tool calls through the public API on the local stack: a benchmark offers tools, the fake model server
 * calls the ones each prompt names, the calls are stored on the result rows in the one `{name, arguments}`
 * shape and scored by the tool metrics; invalid schemas answer 400 with the path and baselines 422.
 */
import { pollUntil } from '../../local/poll.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { api, startTestStack, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let client: ReturnType<typeof api>;
let fake: FakeModelServer;

const tools = [
  {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
  },
  { name: 'broken_args', parameters: { type: 'object' } },
];

beforeAll(async () => {
  fake = await startFakeModelServer({ seed: 1 });
  stack = await startTestStack();
  client = api(stack);
  const registered = await client.request('POST', '/api/v3/models', {
    body: { model_id: 'tooly', provider: 'openai_compatible', provider_model_id: 'gpt-4o', base_url: fake.url, timeout_ms: 2000, max_concurrency: 4 },
  });
  expect(registered.status).toBe(201);
});

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

it('tool calls are sent, stored in one shape and scored', async () => {
  const created = await client.request('POST', '/api/v3/benchmarks', {
    body: {
      name: 'tools',
      task_type: 'free_text',
      tools,
      tool_choice: 'auto',
      items: [
        {
          id: 'right',
          input: 'Use get_weather with city=Paris days=2',
          expected_tool_calls: [{ name: 'get_weather', arguments: { days: 2, city: 'Paris' } }],
        },
        {
          id: 'extra-arg',
          input: 'Use get_weather with city=Rome days=3',
          expected_tool_calls: [{ name: 'get_weather', arguments: { city: 'Rome' } }],
        },
        { id: 'none', input: 'Just say hello.', expected_tool_calls: [{ name: 'get_weather' }] },
        { id: 'broken', input: 'Call broken_args now', expected_tool_calls: [{ name: 'broken_args' }] },
      ],
    },
  });
  expect(created.status).toBe(201);
  expect(created.json.tools).toEqual(tools);
  const evaluation = await client.request('POST', '/api/v3/evaluations', {
    body: {
      model_id: 'tooly',
      benchmark_id: created.json.benchmark_id,
      custom_metrics: [
        'tool_name_match',
        'tool_arguments_match',
        'tool_call_f1',
        { name: 'args_subset', type: 'tool_arguments_match', mode: 'subset' },
      ],
    },
  });
  expect(evaluation.status).toBe(202);
  const id = evaluation.json.evaluation_id as string;
  await pollUntil(
    async () => {
      const status = await client.request('GET', `/api/v3/evaluations/${id}/status`);
      return ['completed', 'failed', 'cancelled'].includes(status.json.status) ? true : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200, description: `evaluation ${id} to finish` },
  );
  const rows = (await client.request('GET', `/api/v3/evaluations/${id}/results?limit=100`)).json.items as any[];
  const byId = Object.fromEntries(rows.map((row) => [row.item_id, row]));
  const out = (item: string) => byId[item].outputs.tooly;

  expect(out('right').tool_calls).toEqual([{ name: 'get_weather', arguments: { city: 'Paris', days: 2 } }]);
  expect(out('right').scores).toEqual({ tool_name_match: 1, tool_arguments_match: 1, tool_call_f1: 1, args_subset: 1 });
  expect(out('extra-arg').scores).toEqual({ tool_name_match: 1, tool_arguments_match: 0, tool_call_f1: 0, args_subset: 1 });
  expect(out('none').tool_calls).toBeUndefined();
  expect(out('none').scores).toEqual({ tool_name_match: 0, tool_arguments_match: 0, tool_call_f1: 0, args_subset: 0 });
  expect(out('broken').status).toBe('scored');
  expect(out('broken').tool_calls).toEqual([{ name: 'broken_args', arguments: '{"unterminated": ', arguments_invalid: true }]);
  expect(out('broken').scores.tool_name_match).toBe(1);
  expect(out('broken').scores.tool_arguments_match).toBe(0);
  expect(byId.right.expected_tool_calls).toEqual([{ name: 'get_weather', arguments: { days: 2, city: 'Paris' } }]);

  const summary = (await client.request('GET', `/api/v3/evaluations/${id}`)).json;
  expect(JSON.stringify(summary)).toContain('tool_call_f1');
});

it('an invalid tool schema answers 400 with the path, and nothing is written', async () => {
  const before = (await client.request('GET', '/api/v3/benchmarks?limit=100')).json.items.length;
  const refused = await client.request('POST', '/api/v3/benchmarks', {
    body: {
      name: 'bad',
      task_type: 'free_text',
      tools: [{ name: 'f', parameters: { type: 'object', properties: { a: { type: 'strng' } } } }],
      items: [{ input: 'x' }],
    },
  });
  expect(refused.status).toBe(400);
  expect(refused.json.errors).toEqual([expect.objectContaining({ path: 'tools.0.parameters.properties.a.type' })]);
  expect((await client.request('GET', '/api/v3/benchmarks?limit=100')).json.items.length).toBe(before);
});

it('a baseline model cannot be offered tools: 422 at create', async () => {
  const created = await client.request('POST', '/api/v3/benchmarks', {
    body: { name: 'tools-baseline', task_type: 'free_text', tools, items: [{ input: 'get_weather city=Paris' }] },
  });
  const refused = await client.request('POST', '/api/v3/evaluations', {
    body: { model_id: 'baseline:echo', benchmark_id: created.json.benchmark_id },
  });
  expect(refused.status).toBe(422);
  expect(refused.json.code).toBe('tools_not_supported');
  expect(refused.json.errors).toEqual([expect.objectContaining({ path: 'model_id' })]);
});
