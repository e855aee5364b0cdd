/**
 * `CUSTOM_AUTHENTICATION`: the gateway asks an authorizer function whether to let a request in
 * (OCI reference §1.6). On OCI the function runs in OCI Functions; here the stack config maps each
 * `functionId` to a local HTTP URL and the gateway POSTs the function's input there as JSON.
 *
 * The steps are pure functions (arguments → body and cache key, reply → outcome, expiresAt →
 * cache time) that tests call directly; `authenticateCustom` only strings them together with the
 * one network call and the cache.
 */
import type { models } from 'oci-apigateway';
import type { Clock } from '../../common/clock.js';
import type { CheckResult, GatewayRequest } from './types.js';

/** functionId (OCID) → the local http URL that plays the function, from the stack config. */
export interface FunctionEndpoints {
  urlFor(functionId: string): string | undefined;
  /** How long an authorizer call may take, reply body included; default {@link AUTHORIZER_TIMEOUT_MS}. */
  readonly authorizerTimeoutMs?: number;
}

/**
 * How long the gateway waits for the function, reply body included [I]; OCI does not document
 * it. A function that takes longer "cannot be invoked": 502, like any failed invocation [C D-authfn].
 */
export const AUTHORIZER_TIMEOUT_MS = 5_000;
/**
 * The largest reply read from an authorizer [I]. The documented reply is a small JSON object; a
 * function streaming megabytes is broken, and its reply must not be buffered without end: 502.
 */
export const MAX_AUTHORIZER_REPLY_BYTES = 64 * 1024;
/** OCI caches a result between 60 s and 1 h, 60 s when `expiresAt` is missing or invalid [C D-authfn]. */
export const MIN_CACHE_MS = 60_000;
export const MAX_CACHE_MS = 3_600_000;

const DEFAULT_MAX_ENTRIES = 10_000;

/** What the function said about an accepted caller, as the gateway keeps it. */
export interface AuthorizerGrant {
  /** Becomes `request.auth`: the reply's `context` pairs plus `principal`, `scope`, `clientId`. */
  claims: Record<string, unknown>;
  /** For route `ANY_OF` authorization. */
  scope: string[];
}

/**
 * Accepted results by cache key, until their time is up. Only `active: true` replies are kept [I]:
 * a refusal or a failed call is asked again next time, so fixing the function (or the caller's
 * credential) shows at once. Bounded: the least recently used entry goes first.
 */
export class AuthorizerCache {
  private readonly clock: Clock;
  private readonly maxEntries: number;
  private readonly entries = new Map<string, AuthorizerGrant & { expiresAtMs: number }>();

  constructor(options: { clock: Clock; maxEntries?: number }) {
    this.clock = options.clock;
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
  }

  get(key: string): (AuthorizerGrant & { expiresAtMs: number }) | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (this.clock.nowMs() >= entry.expiresAtMs) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, grant: AuthorizerGrant, ttlMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { ...grant, expiresAtMs: this.clock.nowMs() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

export type CustomAuthenticationResult =
  | { ok: true; claims: Record<string, unknown>; scope: string[]; checks: CheckResult[] }
  | {
      ok: false;
      /** True when the request carried no token / none of the arguments, so the function was not called. */
      anonymous: boolean;
      status: 401 | 502;
      /** The function's `wwwAuthenticate`, for the 401's `WWW-Authenticate` header. */
      wwwAuthenticate?: string;
      checks: CheckResult[];
      reason: CheckResult;
    };

/** The JSON the function receives [C D-authfn]. */
export type AuthorizerInput =
  | { type: 'TOKEN'; token: string }
  | { type: 'USER_DEFINED'; data: Record<string, string | string[]> };

/**
 * The function's input and the cache key for a request, or undefined when the request has no
 * token (single-argument) or none of the arguments (multi-argument): then it is anonymous.
 *
 * - `parameters` set: multi-argument. Each argument is its context variable's value; several
 *   occurrences give an array; an absent one is left out, not sent as null [C]. `parameters` win
 *   over `tokenHeader`/`tokenQueryParam` if a spec has both [I].
 * - otherwise single-argument: the raw header (scheme included: `Bearer eyJ…` [O Q-authz]) or
 *   query value; its first occurrence [I]; an empty value counts as no token [I].
 *
 * The cache key is the function plus the `cacheKey` arguments, by default all arguments except
 * those read from `request.body` [C]; for a single argument, the token.
 */
export function authorizerInput(
  policy: models.CustomAuthenticationPolicy,
  request: GatewayRequest,
  readVariable: (expression: string) => string[] | undefined,
): { input: AuthorizerInput; cacheKey: string } | undefined {
  const parameters = policy.parameters ?? {};
  const names = Object.keys(parameters);
  if (names.length > 0) {
    const data: Record<string, string | string[]> = {};
    for (const name of names) {
      const values = readVariable(parameters[name] ?? '');
      if (!values || values.length === 0) continue;
      data[name] = values.length === 1 ? (values[0] as string) : [...values];
    }
    if (Object.keys(data).length === 0) return undefined;
    const keyNames = policy.cacheKey ?? names.filter((name) => !isBodyExpression(parameters[name] ?? ''));
    const keyed = [...new Set(keyNames)].sort().map((name) => [name, data[name] ?? null] as const);
    return { input: { type: 'USER_DEFINED', data }, cacheKey: JSON.stringify({ functionId: policy.functionId, arguments: keyed }) };
  }

  let token: string | undefined;
  if (policy.tokenHeader) token = request.headers[policy.tokenHeader.toLowerCase()]?.[0];
  else if (policy.tokenQueryParam) token = request.query.find(([name]) => name === policy.tokenQueryParam)?.[1];
  if (token === undefined || token.trim() === '') return undefined;
  return { input: { type: 'TOKEN', token }, cacheKey: JSON.stringify({ functionId: policy.functionId, token }) };
}

function isBodyExpression(expression: string): boolean {
  return /^\s*request\.body\s*$/i.test(expression);
}

export type AuthorizerReply =
  | { kind: 'active'; grant: AuthorizerGrant; expiresAt: string | undefined }
  | { kind: 'inactive'; wwwAuthenticate: string | undefined }
  | { kind: 'invalid'; problem: string };

/**
 * What an HTTP reply of the function means. Only a 200 with a JSON object counts; anything else is
 * a failed invocation (502) [C for 5xx; I for other statuses and for bodies that are not JSON].
 * `active` must be the boolean `true`; absent means false [C].
 */
export function interpretAuthorizerReply(status: number, text: string): AuthorizerReply {
  if (status !== 200) return { kind: 'invalid', problem: `the function answered HTTP ${status}, not 200` };
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    return { kind: 'invalid', problem: 'the function’s reply is not JSON' };
  }
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) {
    return { kind: 'invalid', problem: 'the function’s reply is not a JSON object' };
  }
  const r = reply as Record<string, unknown>;
  if (r.active !== true) {
    return { kind: 'inactive', wwwAuthenticate: typeof r.wwwAuthenticate === 'string' ? headerValue(r.wwwAuthenticate) : undefined };
  }
  // `scope`: a JSON array or a space-separated string [C D-authfn].
  const scope =
    typeof r.scope === 'string'
      ? r.scope.split(/\s+/).filter((s) => s !== '')
      : Array.isArray(r.scope)
        ? r.scope.filter((s): s is string => typeof s === 'string' && s !== '')
        : [];
  const claims: Record<string, unknown> = {};
  // principal/scope/clientId are readable as request.auth[...] too [I]; scope as the
  // space-separated string a JWT would carry. `context` pairs are what OCI documents, so they win
  // over these three on a name clash.
  if (r.principal !== undefined) claims.principal = r.principal;
  if (r.scope !== undefined) claims.scope = scope.join(' ');
  if (r.clientId !== undefined) claims.clientId = r.clientId;
  if (typeof r.context === 'object' && r.context !== null && !Array.isArray(r.context)) Object.assign(claims, r.context);
  return { kind: 'active', grant: { claims, scope }, expiresAt: typeof r.expiresAt === 'string' ? r.expiresAt : undefined };
}

/** How long an accepted result is cached: until `expiresAt` (ISO-8601), within 60 s–1 h; 60 s if missing or invalid [C]. */
export function authorizerCacheTtlMs(expiresAt: string | undefined, nowMs: number): number {
  const at = expiresAt === undefined ? NaN : Date.parse(expiresAt);
  if (Number.isNaN(at)) return MIN_CACHE_MS;
  return Math.min(MAX_CACHE_MS, Math.max(MIN_CACHE_MS, at - nowMs));
}

export async function authenticateCustom(
  policy: models.CustomAuthenticationPolicy,
  request: GatewayRequest,
  deps: {
    functions: FunctionEndpoints;
    cache: AuthorizerCache;
    clock: Clock;
    readVariable: (expression: string) => string[] | undefined;
    /** Overrides AUTHORIZER_TIMEOUT_MS (tests). */
    timeoutMs?: number;
  },
): Promise<CustomAuthenticationResult> {
  const checks: CheckResult[] = [];
  const fail = (
    status: 401 | 502,
    check: CheckResult,
    extra: { anonymous?: boolean; wwwAuthenticate?: string | undefined } = {},
  ): CustomAuthenticationResult => {
    checks.push(check);
    return {
      ok: false,
      anonymous: extra.anonymous ?? false,
      status,
      ...(extra.wwwAuthenticate !== undefined ? { wwwAuthenticate: extra.wwwAuthenticate } : {}),
      checks,
      reason: check,
    };
  };

  const prepared = authorizerInput(policy, request, deps.readVariable);
  if (!prepared) {
    return fail(
      401,
      {
        check: 'authentication',
        passed: false,
        message: 'No credentials for the authorizer function.',
        expected: policy.parameters ? { parameters: policy.parameters } : policy.tokenHeader ? { tokenHeader: policy.tokenHeader } : { tokenQueryParam: policy.tokenQueryParam },
        found: 'none present in the request',
      },
      { anonymous: true },
    );
  }

  const cached = deps.cache.get(prepared.cacheKey);
  if (cached) {
    checks.push({
      check: 'authentication.authorizerCache',
      passed: true,
      message: 'Authorizer function result taken from the cache.',
      found: { expiresAt: new Date(cached.expiresAtMs).toISOString() },
    });
    checks.push({ check: 'authentication', passed: true, message: 'Authorizer function accepted the request.', found: cached.claims });
    return { ok: true, claims: { ...cached.claims }, scope: [...cached.scope], checks };
  }

  const url = deps.functions.urlFor(policy.functionId);
  if (url === undefined) {
    return fail(502, {
      check: 'authentication.function',
      passed: false,
      message: 'Authorizer function could not be invoked.',
      expected: `a local endpoint for function ${policy.functionId} in the stack config`,
      found: 'none',
    });
  }

  let status: number;
  let text: string;
  const timeoutMs = deps.timeoutMs ?? deps.functions.authorizerTimeoutMs ?? AUTHORIZER_TIMEOUT_MS;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(prepared.input),
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    text = await replyText(response);
  } catch (err) {
    const timedOut = (err as Error)?.name === 'TimeoutError';
    return fail(502, {
      check: 'authentication.function',
      passed: false,
      message: 'Authorizer function could not be invoked.',
      expected: `a reply from ${url} within ${timeoutMs} ms, at most ${MAX_AUTHORIZER_REPLY_BYTES} bytes`,
      found: timedOut ? 'timeout' : String((err as Error)?.cause ?? (err as Error)?.message ?? err),
    });
  }

  const reply = interpretAuthorizerReply(status, text);
  if (reply.kind === 'invalid') {
    return fail(502, {
      check: 'authentication.function',
      passed: false,
      message: 'Authorizer function returned an invalid response.',
      expected: 'HTTP 200 with a JSON object',
      found: reply.problem,
    });
  }
  checks.push({ check: 'authentication.function', passed: true, message: 'Authorizer function invoked.', found: { status } });
  if (reply.kind === 'inactive') {
    return fail(
      401,
      { check: 'authentication', passed: false, message: 'Authorizer function rejected the request.', expected: { active: true }, found: { active: false } },
      { wwwAuthenticate: reply.wwwAuthenticate },
    );
  }

  const ttlMs = authorizerCacheTtlMs(reply.expiresAt, deps.clock.nowMs());
  deps.cache.set(prepared.cacheKey, reply.grant, ttlMs);
  checks.push({ check: 'authentication', passed: true, message: 'Authorizer function accepted the request.', found: reply.grant.claims });
  return { ok: true, claims: { ...reply.grant.claims }, scope: [...reply.grant.scope], checks };
}

/** The reply body as text, refused (thrown) past {@link MAX_AUTHORIZER_REPLY_BYTES}. */
async function replyText(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > MAX_AUTHORIZER_REPLY_BYTES) {
    await response.body?.cancel().catch(() => {});
    throw new Error(`the reply is ${declared} bytes`);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_AUTHORIZER_REPLY_BYTES) throw new Error(`the reply is over ${MAX_AUTHORIZER_REPLY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Node refuses header values with control characters; a function's text must not crash the answer. */
function headerValue(text: string): string {
  return text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
}
