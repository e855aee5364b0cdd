/**
 * HTML as escaped text: `html\`<p>${value}</p>\`` escapes every interpolated value unless it is
 * already `Html` (another `html` result, or `raw()` for text known to be safe). Arrays are joined;
 * `undefined`, `null` and `false` render nothing, so `${cond && html\`…\`}` works.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.text;
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new Html(out);
}

/** Text the caller vouches for (fixed markup, never user data). */
export function raw(text: string): Html {
  return new Html(text);
}

/** A value as the console shows it in a cell: strings as they are, anything else as compact JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '(absent)';
  return JSON.stringify(value);
}

/** An id attribute value made from free text (a client name, a path prefix). */
export function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}
