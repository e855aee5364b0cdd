/**
 * Context-variable expressions as a specification writes them [C D-ctx]: bare
 * (`request.headers[X-Api-Key]`) in authorizer `parameters`, selectors and usage-plan token
 * locations; `${request.path[p]}` inside strings (backend URLs, transformation values, failure
 * messages). This file only reads their syntax, for validation; evaluating them is the pipeline's.
 */

/** Tables that take a key in brackets. */
const KEYED_TABLES = ['request.path', 'request.query', 'request.headers', 'request.auth', 'request.subdomain', 'request.usage_plan'] as const;
/** Tables that are a single value. */
const PLAIN_TABLES = ['request.cert', 'request.host', 'request.body'] as const;

export type ContextTable = (typeof KEYED_TABLES)[number] | (typeof PLAIN_TABLES)[number];

export interface ContextVariable {
  table: ContextTable;
  /** The key in brackets; for `request.auth[id_token_claims][sub]` the nested keys in order. */
  keys: string[];
}

/** A bare expression, e.g. `request.headers[X-Api-Key]`; undefined if it is not one. */
export function parseContextVariable(expression: string): ContextVariable | undefined {
  for (const table of PLAIN_TABLES) if (expression === table) return { table, keys: [] };
  for (const table of KEYED_TABLES) {
    if (!expression.startsWith(`${table}[`)) continue;
    // A dot in a key is an ordinary character [C D-ctx]; only `]` ends a key.
    const keys: string[] = [];
    const rest = expression.slice(table.length);
    const pattern = /\[([^\[\]]+)\]/y;
    let at = 0;
    while (at < rest.length) {
      pattern.lastIndex = at;
      const m = pattern.exec(rest);
      if (!m) return undefined;
      keys.push(m[1] ?? '');
      at = pattern.lastIndex;
    }
    // Only request.auth nests (`request.auth[id_token_claims][<claim>]`, OIDC flow [C D-tok]).
    if (keys.length === 0 || (keys.length > 1 && table !== 'request.auth') || keys.length > 2) return undefined;
    return { table, keys };
  }
  return undefined;
}

/** Every `${...}` in a string, with its parsed variable (undefined when it is not a valid one). */
export function embeddedContextVariables(text: string): Array<{ raw: string; variable: ContextVariable | undefined }> {
  const found: Array<{ raw: string; variable: ContextVariable | undefined }> = [];
  for (const m of text.matchAll(/\$\{([^{}]*)\}/g)) found.push({ raw: m[0], variable: parseContextVariable(m[1] ?? '') });
  return found;
}

/** Describes the tables for a reason text: `request.query[..], request.headers[..] or request.host`. */
export function describeTables(tables: readonly ContextTable[]): string {
  const names = tables.map((t) => ((KEYED_TABLES as readonly string[]).includes(t) ? `${t}[..]` : t));
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : (names[0] ?? '');
}

/**
 * The reason a bare expression is not allowed here, or undefined when it is fine.
 * `allowed` is the set of tables this place accepts.
 */
export function bareContextVariableProblem(expression: string, allowed: readonly ContextTable[]): string | undefined {
  const inner = /^\$\{(.*)\}$/.exec(expression);
  if (inner) return `write the context variable bare, without \${...}: "${inner[1]}"`;
  const variable = parseContextVariable(expression);
  if (!variable || !allowed.includes(variable.table)) return `must be a context variable of ${describeTables(allowed)}; got ${quote(expression)}`;
  return undefined;
}

/**
 * The reason the `${...}` expressions in a string are not allowed, or undefined. `forbidden`
 * tables may not appear (e.g. `request.body` outside authorizer parameters [C D-xf]).
 */
export function embeddedContextVariableProblem(text: string, forbidden: readonly ContextTable[] = ['request.body']): string | undefined {
  for (const { raw, variable } of embeddedContextVariables(text)) {
    if (!variable) return `${quote(raw)} is not a context variable (tables: ${describeTables([...KEYED_TABLES, 'request.cert', 'request.host'])})`;
    if (forbidden.includes(variable.table)) return `${variable.table} cannot be used here; got ${quote(raw)}`;
  }
  return undefined;
}

/** A string for a reason text, cut so that hostile input cannot make a problem huge. */
export function quote(text: string, max = 80): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
