/**
 * Route authorization (`requestPolicies.authorization`, reference §1.3, §3.3, §3.4).
 *
 * - none / AUTHENTICATION_ONLY: only an authenticated caller passes; otherwise 401.
 * - ANY_OF: an authenticated caller whose `scope` claim holds one of `allowedScope` passes; an
 *   unauthenticated one gets 401, an authenticated one without a matching scope gets 404, not 403:
 *   OCI hides the route from a caller it will not serve (observed, Q-authz; OCI logs it as
 *   `authorization.unauthorizedRequest`).
 * - ANONYMOUS: everyone passes, provided the authentication policy allows anonymous access.
 */
import type { models } from 'oci-apigateway';
import type { CheckResult } from './types.js';

export type AuthorizationResult = CheckResult & { status?: 401 | 404 };

export function authorizeRoute(
  policy: models.RouteAuthorizationPolicy | undefined,
  authenticated: { claims: Record<string, unknown> } | undefined,
  isAnonymousAccessAllowed: boolean,
): AuthorizationResult {
  const type = policy?.type ?? 'AUTHENTICATION_ONLY';
  switch (type) {
    case 'AUTHENTICATION_ONLY':
      return requireAuthentication(authenticated, 'AUTHENTICATION_ONLY');
    case 'ANONYMOUS':
      if (!isAnonymousAccessAllowed) {
        // OCI refuses to deploy this combination; if one reaches us anyway, fail closed: the
        // route is treated as AUTHENTICATION_ONLY rather than opened to everyone.
        return requireAuthentication(authenticated, 'ANONYMOUS, but isAnonymousAccessAllowed is false');
      }
      return {
        check: 'authorization',
        passed: true,
        message: `Authorization passed: the route is ANONYMOUS${authenticated ? ' (the caller is authenticated too)' : ''}`,
        expected: 'anyone',
        found: authenticated ? 'an authenticated caller' : 'an anonymous caller',
      };
    case 'ANY_OF': {
      if (!authenticated) return requireAuthentication(authenticated, 'ANY_OF');
      const allowed = (policy as models.AnyOfRouteAuthorizationPolicy).allowedScope ?? [];
      const raw = Object.hasOwn(authenticated.claims, 'scope') ? authenticated.claims.scope : undefined;
      // The usual case, a scope string (IDCS), passes with a trace entry shared per (route, scope).
      if (typeof raw === 'string') {
        const known = passedAnyOf(allowed, raw);
        if (known) return known;
      }
      const scopes = tokenScopes(raw);
      const granted = allowed.find((scope) => scopes.includes(scope));
      if (granted !== undefined) return anyOfPassed(allowed, raw, scopes, granted);
      return {
        check: 'authorization',
        passed: false,
        status: 404,
        message: `Authorization failed: none of the allowed scopes [${allowed.join(', ')}] is in ${describeScope(raw)}`,
        expected: allowed,
        found: scopes,
      };
    }
    default:
      // A type this emulator does not know grants nothing.
      return authenticated
        ? { check: 'authorization', passed: false, status: 404, message: `Authorization failed: unknown authorization type ${type}`, expected: ['AUTHENTICATION_ONLY', 'ANY_OF', 'ANONYMOUS'], found: type }
        : requireAuthentication(authenticated, type);
  }
}

function anyOfPassed(allowed: ReadonlyArray<string>, raw: unknown, scopes: string[], granted: string): AuthorizationResult {
  return {
    check: 'authorization',
    passed: true,
    message: `Authorization passed: the allowed scope ${granted} is in ${describeScope(raw)}`,
    expected: allowed,
    found: scopes,
  };
}

/**
 * The passed ANY_OF result for an allowed list and a scope string, computed once and shared
 * (frozen) by the requests that present it: splitting, searching and quoting the scope per
 * request was measurable on the gateway's hot path (bench/). Only passes are remembered;
 * bounded per allowed list.
 */
const PASSED_ANY_OF = new WeakMap<ReadonlyArray<string>, Map<string, AuthorizationResult | null>>();
const MAX_SCOPES_PER_LIST = 1_000;

function passedAnyOf(allowed: ReadonlyArray<string>, raw: string): AuthorizationResult | undefined {
  let byScope = PASSED_ANY_OF.get(allowed);
  if (!byScope) PASSED_ANY_OF.set(allowed, (byScope = new Map()));
  let result = byScope.get(raw);
  if (result === undefined) {
    const scopes = tokenScopes(raw);
    const granted = allowed.find((scope) => scopes.includes(scope));
    result = granted === undefined ? null : Object.freeze(anyOfPassed(allowed, raw, scopes, granted));
    if (byScope.size >= MAX_SCOPES_PER_LIST) byScope.clear();
    byScope.set(raw, result);
  }
  return result ?? undefined;
}

/**
 * The scopes of a token: a string is split on whitespace (IDCS writes `scope` as a space-separated
 * string, and OCI accepts that form from authorizer functions), an array is used as it is (its
 * string entries). Only the claim named `scope` counts; `scp` is not documented [I].
 */
export function tokenScopes(claim: unknown): string[] {
  if (typeof claim === 'string') return claim.split(/\s+/).filter((s) => s !== '');
  if (Array.isArray(claim)) return claim.filter((s): s is string => typeof s === 'string');
  return [];
}

function requireAuthentication(authenticated: { claims: Record<string, unknown> } | undefined, policyName: string): AuthorizationResult {
  if (authenticated) {
    return { check: 'authorization', passed: true, message: `Authorization passed: the caller is authenticated (${policyName})`, expected: 'an authenticated caller', found: 'an authenticated caller' };
  }
  return {
    check: 'authorization',
    passed: false,
    status: 401,
    message: `Authorization failed: the route requires an authenticated caller (${policyName}) and the request carries no valid token`,
    expected: 'an authenticated caller',
    found: 'an anonymous caller',
  };
}

function describeScope(raw: unknown): string {
  if (raw === undefined) return 'the token, which has no scope claim';
  return `the token's scope ${JSON.stringify(raw)}`;
}
