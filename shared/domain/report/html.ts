/**
 * Markup built with the `html` tag: every interpolated value is escaped unless it is itself markup made
 * by the tag (or an array of such), so user text (answers, inputs, model ids) cannot open a tag or
 * break out of an attribute, whichever section forgets to think about it.
 */

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => escapes[char]!);
}

export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What may be interpolated: text is escaped, markup is kept, absent values render as nothing. */
export type Interpolation = Markup | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Markup) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new Markup(out);
}

/** Trusted markup from this module's own constants (the style sheet), never from data. */
export const trusted = (value: string) => new Markup(value);
