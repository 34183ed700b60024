import type { JudgePrompt, PairwiseItem, PairwiseOutputs, ScoreInput } from '../types.js';
import { pairwiseTemplate, type JudgeTemplate } from './templates.js';

/**
 * Material goes inside tags; a closing tag inside the material would end it early and let the rest pose
 * as instructions, so such tags are defused (`</response>` → `<\/response>`).
 */
function defuse(text: string): string {
  return text.replace(/<\/(question|response|response_a|response_b|reference|context)>/gi, '<\\/$1>');
}

/** Replaces every `{name}` in one pass, so material containing "{expected}" is never substituted again. */
function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (placeholder, name: string) => values[name] ?? placeholder);
}

/**
 * The judge prompt for one sample, or null when the metric does not apply to it (correctness without an
 * expected answer, faithfulness without a context).
 */
export function renderJudgePrompt(template: JudgeTemplate, sample: ScoreInput, scale: readonly [number, number], rubric = ''): JudgePrompt | null {
  for (const field of template.requires) if (!sample[field]) return null;
  const values = {
    input: defuse(sample.input),
    output: defuse(sample.output),
    expected: defuse(sample.expected ?? ''),
    context: defuse(sample.context ?? ''),
    rubric: defuse(rubric),
    scale_low: String(scale[0]),
    scale_high: String(scale[1]),
  };
  return { template_id: template.id, system: fill(template.system, values), user: fill(template.user, values) };
}

/**
 * The two pairwise prompts: model 1's answer as A first, then model 2's as A. Judges favour a position
 * (usually the first); asking both ways and reconciling cancels that bias.
 */
export function renderPairwisePrompts(sample: PairwiseItem, outputs: PairwiseOutputs): { model_1_first: JudgePrompt; model_2_first: JudgePrompt } {
  const optional = (tag: string, text: string | undefined) => (text ? `\n<${tag}>\n${defuse(text)}\n</${tag}>\n` : '');
  const render = (a: string, b: string): JudgePrompt => ({
    template_id: pairwiseTemplate.id,
    system: pairwiseTemplate.system,
    user: fill(pairwiseTemplate.user, {
      input: defuse(sample.input),
      context: optional('context', sample.context),
      expected: optional('reference', sample.expected),
      output_a: defuse(a),
      output_b: defuse(b),
    }),
  });
  return { model_1_first: render(outputs.model_1, outputs.model_2), model_2_first: render(outputs.model_2, outputs.model_1) };
}
