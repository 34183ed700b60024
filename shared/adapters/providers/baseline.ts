/**
 * Built-in `baseline:…` models: no network, no tokens, no latency. They bound a benchmark from above
 * (`reference`) and below (`echo`, `first-choice`), and let demos run without provider keys.
 */
import { ProviderError, type GenerateRequest, type GenerateResult, type ModelClient } from '../../domain/ports/model-client.js';

export const baselineKinds = ['echo', 'reference', 'first-choice'] as const;
export type BaselineKind = (typeof baselineKinds)[number];

export function isBaselineKind(value: string): value is BaselineKind {
  return (baselineKinds as readonly string[]).includes(value);
}

export class BaselineClient implements ModelClient {
  constructor(private readonly kind: BaselineKind) {}

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    return { text: this.answer(request), finish_reason: 'stop', usage: { input_tokens: 0, output_tokens: 0 }, latency_ms: 0, attempts: 1 };
  }

  private answer(request: GenerateRequest): string {
    switch (this.kind) {
      case 'echo':
        return request.prompt;
      case 'first-choice':
        return 'A';
      case 'reference': {
        const expected = request.reference?.expected;
        if (expected === undefined) throw new ProviderError('refused', 'baseline:reference has nothing to answer: this item has no expected answer');
        return expected;
      }
    }
  }
}
