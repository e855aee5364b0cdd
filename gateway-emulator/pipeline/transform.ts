/**
 * Header and query-parameter transformations (`headerTransformations`,
 * `queryParameterTransformations`, response `headerTransformations`; reference §1.10, D-xf).
 *
 * The gateway applies, per policy: set (values may hold `${...}` context variables; ifExists
 * OVERWRITE (default) | APPEND | SKIP; one header or parameter per value), rename (the target
 * gets a copy of the source's original values), then filter (BLOCK | ALLOW) last: the SDK says
 * filters run after the other transformations, so an ALLOW list must name set or renamed entries.
 *
 * Context variables read the original request (the `ctx`), never the output of an earlier
 * transformation (D-xf). Protected headers are never changed (D-xf protected); a transformation
 * that would produce an invalid header or parameter is ignored (D-xf) and the trace says why.
 * Skipped transformations are recorded as failed checks; they never refuse a request.
 */
import type { models } from 'oci-apigateway';
import { decodeQueryComponent, expandTemplate, type RequestContext } from './context-variables.js';
import type { CheckResult } from './types.js';

/** Request headers a policy may not touch (D-xf "Protected Request Headers"). */
export const PROTECTED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'cdn-loop',
  'connection',
  'content-length',
  'cookie',
  'keep-alive',
  'opc-request-id',
  'origin',
  'proxy-authorization',
  'te',
  'transfer-encoding',
  'upgrade',
  'x-forwarded-for',
  'x-real-ip',
]);

/** Response headers a policy may not touch (D-xf), plus every `access-control-*` (CORS owns them). */
export const PROTECTED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'content-length',
  'keep-alive',
  'opc-request-id',
  'proxy-authenticate',
  'public-key-pins',
  'retry-after',
  'strict-transport-security',
  'te',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'x-content-type-options',
  'x-frame-options',
]);

type Direction = 'request' | 'response';

export function isProtectedHeader(name: string, direction: Direction): boolean {
  const lower = name.toLowerCase();
  if (direction === 'request') return PROTECTED_REQUEST_HEADERS.has(lower);
  return PROTECTED_RESPONSE_HEADERS.has(lower) || lower.startsWith('access-control-');
}

export function transformRequestHeaders(
  policy: models.HeaderTransformationPolicy | undefined,
  headers: Record<string, string[]>,
  ctx: RequestContext,
): { headers: Record<string, string[]>; checks: CheckResult[] } {
  return transformHeaders(policy, headers, ctx, 'request');
}

export function transformResponseHeaders(
  policy: models.HeaderTransformationPolicy | undefined,
  headers: Record<string, string[]>,
  ctx: RequestContext,
): { headers: Record<string, string[]>; checks: CheckResult[] } {
  return transformHeaders(policy, headers, ctx, 'response');
}

/** RFC 9110 field-name token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What Node (and RFC 9110) accept in a field value: HTAB, visible ASCII, SP and obs-text; no CR, LF, NUL or other controls. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Header names come out lower-cased (HTTP names are case-insensitive, and Node lower-cases them
 * on both sides anyway); the order of untouched headers is kept, new ones are added at the end.
 */
function transformHeaders(
  policy: models.HeaderTransformationPolicy | undefined,
  input: Record<string, string[]>,
  ctx: RequestContext,
  direction: Direction,
): { headers: Record<string, string[]>; checks: CheckResult[] } {
  const headers = new Map<string, string[]>();
  for (const [name, values] of Object.entries(input)) {
    const lower = name.toLowerCase();
    headers.set(lower, [...(headers.get(lower) ?? []), ...values]);
  }
  // Rename copies the source's values as they were before this policy ran (SDK RenameHeaderPolicyItem).
  const original = new Map([...headers].map(([name, values]) => [name, [...values]] as const));
  const checks: CheckResult[] = [];
  const check = `${direction}HeaderTransformation`;
  const skip = (message: string, expected?: unknown, found?: unknown): void => {
    checks.push({ check, passed: false, message: `Header transformation skipped: ${message}`, ...(expected !== undefined ? { expected } : {}), ...(found !== undefined ? { found } : {}) });
  };
  const protectedSkip = (action: string, name: string): void => skip(`${action} ${name}: ${name} is a protected ${direction} header`, 'a header that is not protected', name);

  for (const item of policy?.setHeaders?.items ?? []) {
    const name = item.name.toLowerCase();
    if (!HEADER_NAME.test(item.name)) {
      skip(`set ${JSON.stringify(item.name)}: not a valid header name`, 'an RFC 9110 token', item.name);
      continue;
    }
    if (isProtectedHeader(name, direction)) {
      protectedSkip('set', name);
      continue;
    }
    const values = item.values.map((template) => expandTemplate(template, ctx));
    const invalid = values.find((value) => !HEADER_VALUE.test(value));
    if (invalid !== undefined) {
      skip(`set ${name} would produce an invalid header value (control characters or characters beyond Latin-1)`, 'HTAB, SP, visible ASCII or obs-text', invalid);
      continue;
    }
    if (values.length === 0) {
      skip(`set ${name} has no values`, 'at least one value', []);
      continue;
    }
    const existing = headers.get(name);
    const ifExists: string = item.ifExists ?? 'OVERWRITE';
    if (ifExists === 'OVERWRITE' || existing === undefined || existing.length === 0) headers.set(name, values);
    else if (ifExists === 'APPEND') headers.set(name, [...existing, ...values]);
    else if (ifExists !== 'SKIP') skip(`set ${name}: unknown ifExists ${String(ifExists)}`, ['OVERWRITE', 'APPEND', 'SKIP'], ifExists);
  }

  for (const item of policy?.renameHeaders?.items ?? []) {
    const from = item.from.toLowerCase();
    const to = item.to.toLowerCase();
    if (isProtectedHeader(from, direction)) {
      protectedSkip('rename', from);
      continue;
    }
    if (isProtectedHeader(to, direction)) {
      protectedSkip(`rename ${from} to`, to);
      continue;
    }
    if (!HEADER_NAME.test(item.to)) {
      skip(`rename ${from} to ${JSON.stringify(item.to)}: not a valid header name`, 'an RFC 9110 token', item.to);
      continue;
    }
    const values = original.get(from);
    if (values === undefined) continue; // nothing to rename
    headers.delete(from);
    // A header already called `to` is replaced by the renamed one [I].
    headers.set(to, [...values]);
  }

  const filter = policy?.filterHeaders;
  if (filter) {
    const listed = new Set(filter.items.map((i) => i.name.toLowerCase()));
    const filterType: string = filter.type;
    if (filterType === 'BLOCK') {
      for (const name of listed) {
        if (isProtectedHeader(name, direction)) protectedSkip('block', name);
        else headers.delete(name);
      }
    } else if (filterType === 'ALLOW') {
      // Protected headers survive an ALLOW list that does not name them: the policy cannot touch them.
      for (const name of [...headers.keys()]) if (!listed.has(name) && !isProtectedHeader(name, direction)) headers.delete(name);
    } else {
      skip(`filter type ${String(filter.type)} is unknown`, ['BLOCK', 'ALLOW'], filter.type);
    }
  }

  return { headers: Object.fromEntries(headers), checks };
}

/**
 * Query parameters are wire pairs: names and values percent-encoded as received (use
 * `parseRawQuery(request.rawQuery)` and `serializeQuery`). Names compare case-sensitively on their
 * decoded form; values a policy sets are encoded where the query syntax needs it (a header value
 * with `&` cannot add a parameter), while `%XX` escapes and `+` already present are kept as written.
 */
export function transformQuery(
  policy: models.QueryParameterTransformationPolicy | undefined,
  query: Array<[string, string]>,
  ctx: RequestContext,
): { query: Array<[string, string]>; checks: CheckResult[] } {
  let pairs: Array<[string, string]> = query.map(([name, value]) => [name, value]);
  const checks: CheckResult[] = [];
  const skip = (message: string, expected?: unknown, found?: unknown): void => {
    checks.push({ check: 'queryParameterTransformation', passed: false, message: `Query parameter transformation skipped: ${message}`, ...(expected !== undefined ? { expected } : {}), ...(found !== undefined ? { found } : {}) });
  };
  const named = (name: string) => (pair: readonly [string, string]) => decodeQueryComponent(pair[0]) === name;

  for (const item of policy?.setQueryParameters?.items ?? []) {
    if (item.name === '') {
      skip('set with an empty name', 'a parameter name', '');
      continue;
    }
    const values = item.values.map((template) => encodeQueryComponent(expandTemplate(template, ctx), false));
    if (values.length === 0) {
      skip(`set ${item.name} has no values`, 'at least one value', []);
      continue;
    }
    const name = encodeQueryComponent(item.name, true);
    const fresh = values.map((value): [string, string] => [name, value]);
    const first = pairs.findIndex(named(item.name));
    const ifExists: string = item.ifExists ?? 'OVERWRITE';
    if (first < 0) pairs.push(...fresh);
    else if (ifExists === 'OVERWRITE') {
      const rest = pairs.filter((pair) => !named(item.name)(pair));
      rest.splice(first, 0, ...fresh);
      pairs = rest;
    } else if (ifExists === 'APPEND') {
      const last = pairs.length - 1 - [...pairs].reverse().findIndex(named(item.name));
      pairs.splice(last + 1, 0, ...fresh);
    } else if (ifExists !== 'SKIP') skip(`set ${item.name}: unknown ifExists ${String(ifExists)}`, ['OVERWRITE', 'APPEND', 'SKIP'], ifExists);
  }

  for (const item of policy?.renameQueryParameters?.items ?? []) {
    if (item.to === '') {
      skip(`rename ${item.from} to an empty name`, 'a parameter name', '');
      continue;
    }
    if (!pairs.some(named(item.from))) continue; // nothing to rename
    const to = encodeQueryComponent(item.to, true);
    // A parameter already called `to` is replaced by the renamed one [I].
    pairs = pairs.filter((pair) => !named(item.to)(pair)).map((pair): [string, string] => (named(item.from)(pair) ? [to, pair[1]] : pair));
  }

  const filter = policy?.filterQueryParameters;
  if (filter) {
    const listed = new Set(filter.items.map((i) => i.name));
    const isListed = (pair: readonly [string, string]) => listed.has(decodeQueryComponent(pair[0]));
    const filterType: string = filter.type;
    if (filterType === 'BLOCK') pairs = pairs.filter((pair) => !isListed(pair));
    else if (filterType === 'ALLOW') pairs = pairs.filter(isListed);
    else skip(`filter type ${String(filter.type)} is unknown`, ['BLOCK', 'ALLOW'], filter.type);
  }

  return { query: pairs, checks };
}

/** Joins wire pairs back into a query string (without `?`). */
export function serializeQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/**
 * Percent-encodes what a query component cannot carry literally (space, `&`, `#`, a `%` that
 * starts no escape, controls, non-ASCII, and `=` in a name), keeping valid `%XX` escapes and `+`
 * as written, so a value copied from the request keeps its encoding as received (D-ctx).
 */
export function encodeQueryComponent(text: string, isName: boolean): string {
  const allowed = isName ? /[A-Za-z0-9\-._~!$'()*+,;:@/?]/ : /[A-Za-z0-9\-._~!$'()*+,;:@/?=]/;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) out += ch;
    else if (allowed.test(ch)) out += ch;
    else {
      const code = text.codePointAt(i)!;
      const char = String.fromCodePoint(code);
      if (char.length === 2) i++; // a surrogate pair is one character
      out += [...Buffer.from(char, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    }
  }
  return out;
}
