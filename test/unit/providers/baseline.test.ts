import { BaselineClient } from '#shared/adapters/providers/baseline.js';
import type { GenerateRequest } from '#shared/domain/ports/model-client.js';

const request: GenerateRequest = {
  prompt: 'Answer with the letter of the correct option only.\n\nWhat is the capital of France?\n\nA. Istanbul\nB. Casablanca\nC. Porto\nD. Paris',
  parameters: { max_tokens: 5 },
  timeoutMs: 1000,
  reference: { expected: 'D', choices: ['Istanbul', 'Casablanca', 'Porto', 'Paris'] },
};

describe('baselines', () => {
  it.each([
    ['echo', request.prompt],
    ['reference', 'D'],
    ['first-choice', 'A'],
  ] as const)('baseline:%s answers %j with no tokens and no latency', async (kind, text) => {
    const result = await new BaselineClient(kind).generate(request);

    expect(result).toEqual({ text, finish_reason: 'stop', usage: { input_tokens: 0, output_tokens: 0 }, latency_ms: 0, attempts: 1 });
  });

  it('baseline:reference refuses an item without an expected answer', async () => {
    await expect(new BaselineClient('reference').generate({ ...request, reference: undefined })).rejects.toMatchObject({
      code: 'refused',
      retryable: false,
    });
  });
});
