import type { JudgePrompt, PairwiseItem, PairwiseOutputs, ScoreInput } from '../types.js';
import { newFence } from './fence.js';
import { pairwiseTemplate, type JudgeTemplate } from './templates.js';

/** Replaces every `{name}` in one pass, so material containing "{expected}" is never substituted again. */
function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (placeholder, name: string) => values[name] ?? placeholder);
}

/**
 * The judge prompt for one sample, or null when the metric does not apply to it (correctness without an
 * expected answer, faithfulness without a context). The material sits between tags carrying a fence drawn
 * for this call (fence.ts), so text in an answer that imitates a closing tag stays material.
 */
export function renderJudgePrompt(template: JudgeTemplate, sample: ScoreInput, scale: readonly [number, number], rubric = ''): JudgePrompt | null {
  for (const field of template.requires) if (!sample[field]) return null;
  const material = { input: sample.input, output: sample.output, expected: sample.expected ?? '', context: sample.context ?? '', rubric };
  const values = { ...material, fence: newFence(Object.values(material)), scale_low: String(scale[0]), scale_high: String(scale[1]) };
  return { template_id: template.id, system: fill(template.system, values), user: fill(template.user, values) };
}

/**
 * The two pairwise prompts: model 1's answer as A first, then model 2's as A. Judges favour a position
 * (usually the first); asking both ways and reconciling cancels that bias.
 */
export function renderPairwisePrompts(sample: PairwiseItem, outputs: PairwiseOutputs): { model_1_first: JudgePrompt; model_2_first: JudgePrompt } {
  const render = (a: string, b: string): JudgePrompt => {
    const fence = newFence([sample.input, sample.context ?? '', sample.expected ?? '', a, b]);
    const optional = (tag: string, text: string | undefined) => (text ? `\n<${tag}-${fence}>\n${text}\n</${tag}-${fence}>\n` : '');
    const values = {
      fence,
      input: sample.input,
      context: optional('context', sample.context),
      expected: optional('reference', sample.expected),
      output_a: a,
      output_b: b,
    };
    return { template_id: pairwiseTemplate.id, system: fill(pairwiseTemplate.system, values), user: fill(pairwiseTemplate.user, values) };
  };
  return { model_1_first: render(outputs.model_1, outputs.model_2), model_2_first: render(outputs.model_2, outputs.model_1) };
}
