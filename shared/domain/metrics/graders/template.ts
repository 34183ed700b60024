import type { ScoreInput } from '../types.js';

/**
 * OpenAI Evals' `{{item.<field>}}` / `{{sample.output_text}}` templates over Arbiter's samples. `item.input`,
 * `item.expected`, `item.context` and `item.choices` are the item's own fields; any other `item.<key>`
 * (or `item.metadata.<key>`) reads the item's metadata, which is where an imported OpenAI item's extra
 * fields live.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;

const itemFields = new Set(['input', 'expected', 'context', 'choices']);

/** References a template makes that no sample can fill; checked at creation so they answer 422. */
export function unsupportedReferences(template: string): string[] {
  const bad: string[] = [];
  for (const [, path] of template.matchAll(PLACEHOLDER)) {
    const [root, ...rest] = path!.split('.');
    const ok = (root === 'sample' && rest.join('.') === 'output_text') || (root === 'item' && rest.length >= 1);
    if (!ok) bad.push(`{{${path}}}`);
  }
  return bad;
}

function lookup(path: string, sample: ScoreInput, output: (text: string) => string): string | undefined {
  const [root, ...rest] = path.split('.');
  if (root === 'sample') return rest.join('.') === 'output_text' ? output(sample.output) : undefined;
  const key = rest[0] === 'metadata' ? rest.slice(1).join('.') : rest.join('.');
  if (rest[0] !== 'metadata' && itemFields.has(key)) {
    const value = sample[key as 'input' | 'expected' | 'context' | 'choices'];
    return Array.isArray(value) ? value.join('\n') : value;
  }
  const value = sample.metadata?.[key];
  return value === undefined || value === null ? undefined : String(value);
}

/**
 * The template filled in for one sample, in one pass (material containing "{{item.x}}" is not expanded
 * again), or undefined when it references a field this item does not have: the metric then does not
 * apply to the item, as with an expected answer that is missing. `output` wraps the model's answer where
 * `{{sample.output_text}}` puts it (model graders fence it).
 */
export function renderGraderTemplate(template: string, sample: ScoreInput, output: (text: string) => string = (text) => text): string | undefined {
  let missing = false;
  const text = template.replace(PLACEHOLDER, (_placeholder, path: string) => {
    const value = lookup(path, sample, output);
    if (value === undefined) missing = true;
    return value ?? '';
  });
  return missing ? undefined : text;
}
