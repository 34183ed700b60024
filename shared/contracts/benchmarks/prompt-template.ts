/**
 * The prompt-template language, parsed once so that validation (at benchmark create) and rendering (in
 * the evaluator and the estimate) read a template the same way.
 *
 * Two placeholder forms:
 * - `{{ name }}`: `input`, `choices`, `context`, `expected_format`, or `item.<path>` into the item
 *   (`item.input`, `item.expected`, `item.context`, `item.choices`, `item.id`, `item.metadata.<key>`, or
 *   `item.<key>` for a metadata key, the form OpenAI Evals and promptfoo templates use); `{{ "…" }}` is
 *   literal text, the way to write a brace.
 * - `{name}`: the four named placeholders only, the form templates had before `{{ }}`.
 *
 * Anything else that looks like a placeholder (an unknown name, an unclosed `{{`, a stray `}}`) is an
 * error: a template that sent its braces to the model would fail silently, item after item.
 */

export const templatePlaceholders = ['input', 'choices', 'context', 'expected_format'] as const;
export type NamedPlaceholder = (typeof templatePlaceholders)[number];

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'named'; name: NamedPlaceholder }
  /** `path` without the leading `item`, e.g. `['metadata', 'question']` or `['question']`. */
  | { kind: 'item'; path: string[]; source: string };

export interface TemplateProblem {
  /** 0-based character offset of the problem in the template. */
  offset: number;
  message: string;
}

export interface ParsedTemplate {
  parts: TemplatePart[];
  problems: TemplateProblem[];
}

const itemPath = /^item(\.[A-Za-z_][A-Za-z0-9_-]*)+$/;
const literal = /^"([^"]*)"$/;

function isNamed(name: string): name is NamedPlaceholder {
  return (templatePlaceholders as readonly string[]).includes(name);
}

function placeholderPart(inner: string, offset: number, problems: TemplateProblem[]): TemplatePart | undefined {
  const name = inner.trim();
  if (isNamed(name)) return { kind: 'named', name };
  if (itemPath.test(name)) return { kind: 'item', path: name.split('.').slice(1), source: `{{${name}}}` };
  const text = literal.exec(name);
  if (text) return { kind: 'text', text: text[1] ?? '' };
  problems.push({
    offset,
    message: `unknown placeholder {{${name}}}; known: ${templatePlaceholders.map((n) => `{{${n}}}`).join(', ')}, {{item.<field>}}, {{"literal"}}`,
  });
  return undefined;
}

export function parseTemplate(template: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const problems: TemplateProblem[] = [];
  let text = '';
  const flush = () => {
    if (text) parts.push({ kind: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < template.length) {
    const char = template[i];
    if (char === '{' && template[i + 1] === '{') {
      const end = template.indexOf('}}', i + 2);
      if (end < 0) {
        problems.push({ offset: i, message: 'has an unclosed {{ (no matching }})' });
        break;
      }
      const part = placeholderPart(template.slice(i + 2, end), i, problems);
      if (part?.kind === 'text') text += part.text;
      else if (part) {
        flush();
        parts.push(part);
      }
      i = end + 2;
      continue;
    }
    if (char === '{') {
      const match = /^\{([^{}]*)\}/.exec(template.slice(i));
      if (!match) {
        problems.push({ offset: i, message: 'has an unbalanced { (write {{"{"}} for a literal brace)' });
        i += 1;
        continue;
      }
      const name = match[1] ?? '';
      if (isNamed(name)) {
        flush();
        parts.push({ kind: 'named', name });
      } else {
        problems.push({
          offset: i,
          message: `has an unknown placeholder {${name}}; known: ${templatePlaceholders.map((n) => `{${n}}`).join(', ')} (write {{"{"}} for a literal brace)`,
        });
      }
      i += match[0].length;
      continue;
    }
    if (char === '}') {
      problems.push({ offset: i, message: 'has an unbalanced } (write {{"}"}} for a literal brace)' });
      i += template[i + 1] === '}' ? 2 : 1;
      continue;
    }
    text += char;
    i += 1;
  }
  flush();
  return { parts, problems };
}

/** True when the template reads the item at all; one that does not would send every item the same prompt. */
export function readsTheItem(parsed: ParsedTemplate): boolean {
  return parsed.parts.some((part) => part.kind === 'item' || (part.kind === 'named' && part.name === 'input'));
}

/** The distinct `item.<path>` placeholders of a template, in order of first use. */
export function itemPlaceholders(parsed: ParsedTemplate): Array<Extract<TemplatePart, { kind: 'item' }>> {
  const seen = new Set<string>();
  const out: Array<Extract<TemplatePart, { kind: 'item' }>> = [];
  for (const part of parsed.parts) {
    if (part.kind !== 'item' || seen.has(part.source)) continue;
    seen.add(part.source);
    out.push(part);
  }
  return out;
}

/** What an item offers `item.<path>`: its own fields, then its metadata by key. */
export interface TemplateItem {
  item_id?: string;
  id?: string;
  input: string;
  expected?: string;
  choices?: readonly string[];
  context?: string;
  metadata?: Record<string, string | number | boolean | null>;
}

export interface ResolvedPath {
  value?: string;
  /** Where in the item the value was looked for, as an API field path below the item (`metadata.question`). */
  field: string;
}

/**
 * The text an `item.<path>` placeholder stands for, or no value when the item lacks it (or holds null).
 * Choices render as `A. …` lines only through `{choices}`; `item.choices` joins them with new lines.
 */
export function resolveItemPath(item: TemplateItem, path: readonly string[]): ResolvedPath {
  const [head, ...rest] = path;
  const scalar = (value: string | number | boolean | null | undefined) => (value === undefined || value === null ? undefined : String(value));
  if (rest.length === 0) {
    switch (head) {
      case 'input':
      case 'expected':
      case 'context':
        return { value: item[head], field: head };
      case 'id':
        return { value: item.item_id ?? item.id, field: 'id' };
      case 'choices':
        return { value: item.choices?.join('\n'), field: 'choices' };
      default:
        return { value: scalar(item.metadata?.[head ?? '']), field: `metadata.${head}` };
    }
  }
  if (head === 'metadata' && rest.length === 1) return { value: scalar(item.metadata?.[rest[0] ?? '']), field: `metadata.${rest[0]}` };
  // Metadata is flat (strings, numbers, booleans): a deeper path can never resolve.
  return { value: undefined, field: path.join('.') };
}
