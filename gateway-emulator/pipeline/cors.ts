/**
 * CORS (`requestPolicies.cors`, deployment-wide or per route; OCI reference §1.9).
 *
 * OCI documents the fields and which header each one drives; the rest follows the Fetch
 * standard's CORS protocol, since a browser is the only party that reads these headers:
 * - a preflight is an `OPTIONS` request with `Origin` and `Access-Control-Request-Method`;
 *   the gateway answers it itself (it never reaches the backend);
 * - only one origin can be returned, so the request's `Origin` is compared with `allowedOrigins`
 *   and echoed back; `*` is returned as is only when it is the matching entry and credentials
 *   are off (Fetch ignores `Access-Control-Allow-Origin: *` on credentialed requests);
 * - `null` in `allowedOrigins` matches the `null` origin browsers send from `file:` pages.
 *
 * The `access-control-*` headers are protected: response transformations cannot change them.
 */
import type { models } from 'oci-apigateway';
import type { GatewayRequest } from './types.js';

/**
 * What CORS means for one request:
 * - `not-cors`: no policy applies or no `Origin`; the request goes on untouched.
 * - `preflight`: answer it now, `204` with `headers`, no body, no backend call.
 * - `preflight-refused`: the origin, the method or a header is not allowed. The caller answers
 *   `403 {"code":403,"message":"Forbidden"}` itself with `Vary: Origin` and no `Access-Control-*`
 *   header [I]: the browser fails the preflight either way, the 403 tells a human why, and the
 *   OPTIONS request is not passed to a backend that was never meant to see it.
 * - `actual`: the request goes on; add `headers` to whatever response it gets (backend, stock
 *   response or the gateway's own errors, so a browser can read a 401 too).
 * - `actual-no-match`: the origin is not allowed; the request goes on and its response carries no
 *   CORS headers, so the browser withholds it from the page (Fetch), as any CORS server does.
 */
export type CorsOutcome =
  | { kind: 'not-cors' }
  | { kind: 'preflight'; status: 204; headers: Record<string, string> }
  | { kind: 'preflight-refused'; reason: string }
  | { kind: 'actual'; headers: Record<string, string> }
  | { kind: 'actual-no-match'; reason: string };

/** Fetch's CORS-safelisted methods: a browser never needs them in `Access-Control-Allow-Methods`. */
const SIMPLE_METHODS = ['GET', 'HEAD', 'POST'];

/** A route's policy replaces the deployment's as a whole; the two are not merged [I]. */
export function effectiveCorsPolicy(
  deployment: models.CorsPolicy | undefined,
  route: models.CorsPolicy | undefined,
): models.CorsPolicy | undefined {
  return route ?? deployment;
}

export function evaluateCors(policy: models.CorsPolicy | undefined, request: GatewayRequest): CorsOutcome {
  const origin = first(request, 'origin');
  if (!policy || origin === undefined || origin === '') return { kind: 'not-cors' };

  const credentials = policy.isAllowCredentialsEnabled === true;
  const requestedMethod = first(request, 'access-control-request-method');
  const isPreflight = request.method.toUpperCase() === 'OPTIONS' && requestedMethod !== undefined && requestedMethod !== '';
  const allowOrigin = matchOrigin(policy.allowedOrigins ?? [], origin, credentials);

  if (!isPreflight) {
    if (allowOrigin === undefined) return { kind: 'actual-no-match', reason: originReason(origin, policy) };
    const headers: Record<string, string> = { 'access-control-allow-origin': allowOrigin };
    if (credentials) headers['access-control-allow-credentials'] = 'true';
    const exposed = policy.exposedHeaders ?? [];
    if (exposed.length > 0) headers['access-control-expose-headers'] = exposed.join(', ');
    headers.vary = 'Origin';
    return { kind: 'actual', headers };
  }

  if (allowOrigin === undefined) return { kind: 'preflight-refused', reason: originReason(origin, policy) };

  const method = requestedMethod.toUpperCase();
  const allowedMethods = (policy.allowedMethods ?? []).map((m) => m.toUpperCase());
  const anyMethod = allowedMethods.includes('*');
  // Simple methods pass the browser's check whatever the answer says, so they are never refused.
  if (!SIMPLE_METHODS.includes(method) && !anyMethod && !allowedMethods.includes(method)) {
    return {
      kind: 'preflight-refused',
      reason: `method '${requestedMethod}' is not in allowedMethods [${(policy.allowedMethods ?? []).join(', ')}]${allowedMethods.length === 0 ? ' (empty: only GET, HEAD, POST)' : ''}`,
    };
  }

  const requestedHeaders = (request.headers['access-control-request-headers'] ?? [])
    .flatMap((v) => v.split(','))
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const allowedHeaders = (policy.allowedHeaders ?? []).map((h) => h.toLowerCase());
  const anyHeader = allowedHeaders.includes('*');
  const refusedHeaders = anyHeader ? [] : requestedHeaders.filter((h) => !allowedHeaders.includes(h));
  if (refusedHeaders.length > 0) {
    return {
      kind: 'preflight-refused',
      reason: `header(s) ${refusedHeaders.map((h) => `'${h}'`).join(', ')} not in allowedHeaders [${(policy.allowedHeaders ?? []).join(', ')}]`,
    };
  }

  const headers: Record<string, string> = { 'access-control-allow-origin': allowOrigin };
  // A configured `*` is answered with what the preflight asked for [I]: Fetch treats `*` as a
  // literal name on credentialed requests and never lets it cover `Authorization`, which is the
  // header this gateway's callers send; echoing is valid in every case.
  headers['access-control-allow-methods'] = anyMethod
    ? requestedMethod
    : allowedMethods.length === 0
      ? SIMPLE_METHODS.join(', ')
      : (policy.allowedMethods ?? []).join(', ');
  if (anyHeader) {
    if (requestedHeaders.length > 0) headers['access-control-allow-headers'] = requestedHeaders.join(', ');
  } else if ((policy.allowedHeaders ?? []).length > 0) {
    headers['access-control-allow-headers'] = (policy.allowedHeaders ?? []).join(', ');
  }
  if (credentials) headers['access-control-allow-credentials'] = 'true';
  const maxAge = policy.maxAgeInSeconds ?? 0;
  if (maxAge > 0) headers['access-control-max-age'] = String(Math.floor(maxAge));
  headers.vary = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';
  return { kind: 'preflight', status: 204, headers };
}

/**
 * The `Access-Control-Allow-Origin` value for `origin`, or undefined if no entry allows it. An
 * exact entry is the best match and echoes the origin; `*` alone gives `*`, or the origin itself
 * when credentials are on.
 */
function matchOrigin(allowedOrigins: string[], origin: string, credentials: boolean): string | undefined {
  const wanted = normaliseOrigin(origin);
  if (allowedOrigins.some((entry) => entry !== '*' && normaliseOrigin(entry) === wanted)) return origin;
  if (allowedOrigins.includes('*')) return credentials ? origin : '*';
  return undefined;
}

/**
 * Scheme, host and port, compared the way browsers serialise an origin: case-insensitive scheme
 * and host, default ports dropped, no path. A configured `https://example.com/` therefore matches
 * the origin `https://example.com`. Other schemes (`null`, `capacitor://localhost`) compare as text.
 */
function normaliseOrigin(text: string): string {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      return new URL(trimmed).origin;
    } catch {
      // not a URL: compared as text below
    }
  }
  return trimmed.toLowerCase().replace(/\/+$/, '');
}

function originReason(origin: string, policy: models.CorsPolicy): string {
  return `origin '${origin}' is not in allowedOrigins [${(policy.allowedOrigins ?? []).join(', ')}]`;
}

function first(request: GatewayRequest, header: string): string | undefined {
  return request.headers[header]?.[0]?.trim();
}
