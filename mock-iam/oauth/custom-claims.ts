/**
 * Custom claims (`/admin/v1/CustomClaims`): which ones a token gets, and the value of an
 * expression such as `$user.urn:ietf:params:scim:schemas:idcs:extension:custom:User.MyAttr`.
 *
 * Expression forms (reference §6): `$user.a.b`, `$(user.a.b)`, numeric index `.0` / `[0]`,
 * wildcard `.*` / `[*]` (gives an array), and a URN extension segment followed by `.` (as the
 * docs write it) or `:` (the SCIM path form, which we also accept).
 */
import type { CustomClaimConfig } from '../../common/config.js';
import { oauth } from '../../common/errors.js';
import { APP_ROLES } from '../app-roles.js';
import type { IamContext } from '../iam-context.js';
import type { CustomClaim } from '../store.js';
import { MY_SCOPES, OIDC_SCOPES, type ScopeGrant } from './scopes.js';
import { findKey } from '../scim/attribute-path.js';

export type TokenKind = 'AT' | 'IT';

/** The claims whose rules match this token: mode, token type, scopes. */
export function applicableCustomClaims<C extends CustomClaimConfig>(claims: ReadonlyArray<C>, kind: TokenKind, grantedFqs: ReadonlyArray<string>): C[] {
  return claims.filter(
    (c) =>
      // `request` claims are added only when a request asks for them, and IDCS documents no way to
      // ask (claims_parameter_supported is false): we never add them (docs/fidelity.md).
      c.mode === 'always' &&
      (c.tokenType === 'BOTH' || c.tokenType === kind) &&
      (c.allScopes || c.scopes.some((s) => grantedFqs.includes(s))),
  );
}

/**
 * The value a custom claim gives for a subject, or `undefined` when it gives none (an expression
 * on a client token, where there is no `$user`; a missing attribute).
 */
export function customClaimValue(claim: Pick<CustomClaimConfig, 'value' | 'expression'>, user: Record<string, unknown> | undefined): unknown {
  if (!claim.expression) return claim.value;
  if (!user) return undefined;
  const path = parseUserExpression(claim.value);
  if (!path) return undefined;
  return evaluatePath(user, path);
}

/** Splits `$user.…` / `$(user.…)` into path segments, the URN extension kept as one segment. */
export function parseUserExpression(expression: string): string[] | undefined {
  let body = expression.trim();
  if (body.startsWith('$(') && body.endsWith(')')) body = body.slice(2, -1);
  else if (body.startsWith('$')) body = body.slice(1);
  else return undefined;
  if (!body.startsWith('user.')) return undefined;
  let rest = body.slice('user.'.length);
  const segments: string[] = [];
  if (rest.startsWith('urn:')) {
    // The URN ends where its schema name does: `...:User` then `.attr` or `:attr`.
    const m = /^(urn:[A-Za-z0-9:._-]*?:[A-Z][A-Za-z]*)(?:[.:](.*))?$/.exec(rest);
    if (!m) return undefined;
    segments.push(m[1]!);
    rest = m[2] ?? '';
  }
  if (rest !== '') {
    for (const part of rest.replace(/\[(\*|\d+)\]/g, '.$1').split('.')) {
      if (part === '') return undefined;
      segments.push(part);
    }
  }
  // `$user.` alone names no attribute (it would copy the whole user into the token).
  return segments.length ? segments : undefined;
}

function evaluatePath(value: unknown, path: ReadonlyArray<string>): unknown {
  if (path.length === 0) return value ?? undefined;
  if (value === null || value === undefined) return undefined;
  const [head, ...tail] = path as [string, ...string[]];
  if (head === '*') {
    if (!Array.isArray(value)) return undefined;
    const out = value.map((v) => evaluatePath(v, tail)).flat().filter((v) => v !== undefined);
    return out;
  }
  if (Array.isArray(value)) {
    if (!/^\d+$/.test(head)) return undefined;
    return evaluatePath(value[Number(head)], tail);
  }
  if (typeof value !== 'object') return undefined;
  // SCIM attribute names are case-insensitive (RFC 7643 §2.1).
  const record = value as Record<string, unknown>;
  const key = findKey(record, head);
  return key === undefined ? undefined : evaluatePath(record[key], tail);
}

// --- which claims take part, and the unknown-scope trip-up -----------------------------------

type ClaimsContext = Pick<IamContext, 'store'> & { settings?: Partial<IamContext['settings']> };

/** The custom claims that take part in tokens: all of them, or none while the feature is off. */
export function customClaimsInForce(ctx: ClaimsContext): CustomClaim[] {
  return ctx.settings?.customClaimsEnabled === false ? [] : [...ctx.store.customClaims.values()];
}

/** A scope a token request could name on its own: a resource FQS, an OIDC scope, an admin scope. */
function isRealScope(ctx: Pick<IamContext, 'store'>, scope: string): boolean {
  if (OIDC_SCOPES.has(scope) || scope === 'offline_access' || scope === MY_SCOPES) return true;
  if (APP_ROLES.some((r) => r.scopes.includes(scope))) return true;
  for (const r of ctx.store.resourceScopes()) if (r.fqs === scope) return true;
  return false;
}

/**
 * The [MOS] trip-up: IDCS compares a token request's resource scopes with each custom claim's
 * `scopes`; a claim listing a string that is no real scope makes that comparison fail, and the
 * request with it: 400 `invalid_scope` "Invalid scope.". Precisely (docs/fidelity.md):
 * the request was granted at least one resource-server FQS, and some claim in force (feature on,
 * `mode` not never, `allScopes` false) whose `tokenType` covers a token of this request (AT
 * always; IT when `openid` is granted on a user grant) lists an unknown scope. Requests with only
 * `__myscopes__`, `urn:opc:idm:role.…` or OIDC scopes are not affected, so the admin client can
 * still get a token to repair the claim.
 */
export function refuseUnknownClaimScopes(ctx: ClaimsContext, subject: { scope: Pick<ScopeGrant, 'grantedFqs' | 'idToken'>; user?: unknown }): void {
  if (subject.scope.grantedFqs.length === 0) return;
  const kinds = subject.scope.idToken && subject.user !== undefined ? ['AT', 'IT'] : ['AT'];
  for (const claim of customClaimsInForce(ctx)) {
    if (claim.mode === 'never' || claim.allScopes) continue;
    if (claim.tokenType !== 'BOTH' && !kinds.includes(claim.tokenType)) continue;
    const unknown = claim.scopes.find((s) => !isRealScope(ctx, s));
    if (unknown !== undefined) {
      throw oauth.invalidScope(
        `custom claim "${claim.name}" (id ${claim.id}) lists "${unknown}" in its scopes, which is no resource server's audience + scope value; IDCS then refuses every token request for a resource scope (fix the claim: PATCH or DELETE /admin/v1/CustomClaims/${claim.id})`,
      );
    }
  }
}
