import type { Model } from '#shared/contracts/models/schemas.js';
import { cacheable, cacheModeOf, readsCache, responseCacheKey, writesCache } from '#shared/domain/evaluator/response-cache.js';

const model: Model = {
  model_id: 'm',
  provider: 'openai_compatible',
  provider_model_id: 'fake-1',
  base_url: 'http://127.0.0.1:9000/v1',
  parameters: { temperature: 0, max_tokens: 50, system_prompt: 'Be brief.', seed: 7, top_p: 1, stop_sequences: ['\n'] },
  api_key_env: 'FAKE_KEY',
  max_concurrency: 2,
  timeout_ms: 30_000,
  builtin: false,
  baseline: false,
};
const request = { prompt: 'What is 1 + 1?', parameters: model.parameters };
const base = responseCacheKey(model, request);

describe('the response-cache key', () => {
  it('is a SHA-256 that does not depend on the order of the parameters or on the timeout and display fields', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(model.parameters).reverse());
    expect(responseCacheKey(model, { ...request, parameters: reordered })).toBe(base);
    expect(responseCacheKey({ ...model, model_id: 'renamed', timeout_ms: 60_000, max_concurrency: 9, display_name: 'x' }, request)).toBe(base);
  });

  it.each([
    ['provider', { ...model, provider: 'openai' as const }, request],
    ['provider model id', { ...model, provider_model_id: 'fake-2' }, request],
    ['base_url', { ...model, base_url: 'http://127.0.0.1:9001/v1' }, request],
    ['credential', { ...model, api_key_env: 'OTHER_KEY' }, request],
    ['temperature', model, { ...request, parameters: { ...model.parameters, temperature: 0.1 } }],
    ['top_p', model, { ...request, parameters: { ...model.parameters, top_p: 0.9 } }],
    ['max_tokens', model, { ...request, parameters: { ...model.parameters, max_tokens: 51 } }],
    ['stop sequences', model, { ...request, parameters: { ...model.parameters, stop_sequences: ['.'] } }],
    ['system prompt', model, { ...request, parameters: { ...model.parameters, system_prompt: 'Be long.' } }],
    ['seed', model, { ...request, parameters: { ...model.parameters, seed: 8 } }],
    ['an unset parameter set', model, { ...request, parameters: { ...model.parameters, seed: undefined } }],
    ['prompt', model, { ...request, prompt: 'What is 1 + 2?' }],
    [
      'earlier turns',
      model,
      {
        ...request,
        conversation: {
          messages: [
            { role: 'user' as const, content: 'Count in base 2.' },
            { role: 'assistant' as const, content: 'OK.' },
            { role: 'user' as const, content: 'What is 1 + 1?' },
          ],
        },
      },
    ],
    ['conversation system', model, { ...request, conversation: { system: 'Hi', messages: [{ role: 'user' as const, content: 'What is 1 + 1?' }] } }],
    ['repeat index', model, { ...request, repeatIndex: 1 }],
    ['response format', model, { ...request, responseFormat: 'json' as const }],
  ])('changes with the %s', (_name, changedModel, changedRequest) => {
    expect(responseCacheKey(changedModel, changedRequest)).not.toBe(base);
  });

  it('treats an absent repeat index as sample 0', () => {
    expect(responseCacheKey(model, { ...request, repeatIndex: 0 })).toBe(base);
  });
});

describe('cache modes', () => {
  it('default to use; use reads and writes, refresh only writes, off does neither', () => {
    expect(cacheModeOf({})).toBe('use');
    expect([readsCache('use'), writesCache('use')]).toEqual([true, true]);
    expect([readsCache('refresh'), writesCache('refresh')]).toEqual([false, true]);
    expect([readsCache('off'), writesCache('off')]).toEqual([false, false]);
  });

  it('never cache baselines, whose answers come from the item', () => {
    expect(cacheable(model)).toBe(true);
    expect(cacheable({ provider: 'baseline', baseline: true })).toBe(false);
  });
});
