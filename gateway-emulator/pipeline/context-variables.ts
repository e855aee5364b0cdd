/**
 * OCI API Gateway context variables (D-ctx): the `request.path[...]`, `request.query[...]`,
 * `request.headers[...]`, `request.auth[...]`, `request.host`, `request.subdomain[...]`,
 * `request.cert` and `request.body` tables, read bare (`request.headers[x-api-key]`, as
 * `parameters`, `selector` and `tokenLocations` write them) or substituted into strings as
 * `${request.headers[x-api-key]}`.
 *
 * Every value is read from the ORIGINAL request: OCI documents that transformations never update
 * context variables, so the tables are never fed from a transformed copy.
 */
import type { GatewayRequest } from './types.js';

export interface RequestContext {
  request: GatewayRequest;
  /** The route's path parameters, keyed without `*`, values percent-encoded as received. */
  pathParams: Record<string, string>;
  /** The authenticated caller's claims (`request.auth`); undefined when nobody is authenticated. */
  auth: Record<string, unknown> | undefined;
}

/** `table[key]` with one or more bracketed keys; `auth` alone allows a second level (OIDC `id_token_claims`). */
const EXPRESSION = /^request\.([a-z_]+)((?:\[[^\]]*\])*)$/;

/**
 * All values of a context variable, in request order, or undefined when the request has none.
 * Values are kept exactly as received (percent and `+` encoding included: D-ctx's `San+José`).
 * `request.body` is answered whenever asked: only the multi-argument authorizer may use it, and
 * the caller (which knows where an expression came from) decides that.
 */
export function readVariable(expression: string, ctx: RequestContext): string[] | undefined {
  const parsed = EXPRESSION.exec(expression.trim());
  if (!parsed) return undefined;
  const table = parsed[1]!;
  const keys = [...(parsed[2] ?? '').matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!);
  const { request } = ctx;
  switch (table) {
    case 'path': {
      if (keys.length !== 1) return undefined;
      const value = ownValue(ctx.pathParams, keys[0]!);
      return typeof value === 'string' ? [value] : undefined;
    }
    case 'query': {
      if (keys.length !== 1) return undefined;
      // Names are case-sensitive (D-xf); a name written encoded on the wire still matches its plain form.
      const values = queryPairs(request)
        .filter(([name]) => name === keys[0] || decodeQueryComponent(name) === keys[0])
        .map(([, value]) => value);
      return values.length > 0 ? values : undefined;
    }
    case 'headers': {
      if (keys.length !== 1) return undefined;
      const values = headerValues(request.headers, keys[0]!);
      return values.length > 0 ? [...values] : undefined;
    }
    case 'auth': {
      if (keys.length < 1 || keys.length > 2 || ctx.auth === undefined) return undefined;
      // A dot is part of the claim name (`user.tenant.name` is one key), never a path into objects.
      let value = ownValue(ctx.auth, keys[0]!);
      if (keys.length === 2) value = value !== null && typeof value === 'object' && !Array.isArray(value) ? ownValue(value as Record<string, unknown>, keys[1]!) : undefined;
      // A JSON null claim carries no value; it reads like an absent one.
      return value === undefined || value === null ? undefined : [authValueAsString(value)];
    }
    case 'host':
      return keys.length === 0 && request.host !== '' ? [request.host] : undefined;
    case 'subdomain': {
      if (keys.length !== 1) return undefined;
      const sub = subdomainOf(request.host, keys[0]!);
      return sub === undefined ? undefined : [sub];
    }
    case 'cert':
      // The emulator terminates no mutual TLS, so there is never a client certificate to show.
      return undefined;
    case 'body':
      return keys.length === 0 && request.body !== undefined && request.body.length > 0 ? [request.body.toString('utf8')] : undefined;
    default:
      // `request.usage_plan[...]` and anything unknown: the emulator has no usage plans.
      return undefined;
  }
}

/**
 * Replaces each `${request...}` with the variable's FIRST value, or the empty string when the
 * request has none (D-ctx). Text in `${...}` that is not a context variable is left as written:
 * the spec validator refuses it, and a URL may legitimately contain `$`.
 */
export function expandTemplate(template: string, ctx: RequestContext): string {
  // Most templates (a backend URL, a header value) name no variable: nothing to scan for.
  if (!template.includes('${')) return template;
  return template.replace(/\$\{([^}]*)\}/g, (whole, expression: string) => {
    if (!EXPRESSION.test(expression.trim())) return whole;
    return readVariable(expression, ctx)?.[0] ?? '';
  });
}

/**
 * How a claim is written into a header, a URL or a selector. OCI only says all claims land in
 * `request.auth` as key/value pairs; for non-strings we choose: numbers as decimal text, booleans
 * as `true`/`false`, arrays as their elements joined with `,` (the HTTP list separator, so a
 * `groups` array set into a header reads as a list; IDCS's `scope` is a space-separated string
 * anyway and stays as it is), objects as JSON, null as empty.
 */
export function authValueAsString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return value.map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : authValueAsString(v))).join(',');
  return JSON.stringify(value);
}

/**
 * The query of a request as wire pairs (names and values still encoded as received). The raw
 * query is preferred because OCI keeps encoding as it came in; a request built without one
 * (tests, the CLI) falls back to its parsed `query`.
 */
export function queryPairs(request: GatewayRequest): Array<[string, string]> {
  if (request.rawQuery !== '') return parseRawQuery(request.rawQuery);
  return request.query.map(([name, value]) => [name, value]);
}

/** Splits a raw query string (`a=1&b&c=x%20y`) into pairs without decoding anything. */
export function parseRawQuery(rawQuery: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.replace(/^\?/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push(eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]);
  }
  return pairs;
}

/** Form-style decoding of one query component (`+` is a space); malformed escapes stay as written. */
export function decodeQueryComponent(component: string): string {
  const spaced = component.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Header values by case-insensitive name (GatewayRequest lower-cases names; tests may not). */
export function headerValues(headers: Readonly<Record<string, ReadonlyArray<string>>>, name: string): ReadonlyArray<string> {
  const wanted = name.toLowerCase();
  const direct = Object.hasOwn(headers, wanted) ? headers[wanted] : undefined;
  if (direct !== undefined) return direct;
  const values: string[] = [];
  for (const [key, list] of Object.entries(headers)) if (key.toLowerCase() === wanted) values.push(...list);
  return values;
}

/** `request.subdomain[example.com]` on `acme.eu.example.com:8000` is `acme.eu`; host names compare case-insensitively. */
function subdomainOf(host: string, suffix: string): string | undefined {
  const hostname = host.startsWith('[') ? host : host.replace(/:\d+$/, '');
  const wanted = `.${suffix.replace(/^\./, '')}`.toLowerCase();
  if (!hostname.toLowerCase().endsWith(wanted) || hostname.length === wanted.length) return undefined;
  return hostname.slice(0, hostname.length - wanted.length);
}

/** Own properties only: a claim named `constructor` or `__proto__` must not read Object's. */
function ownValue(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
