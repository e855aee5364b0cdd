/**
 * Custom claims (`/admin/v1/CustomClaims`): which ones a token gets, and the value of an
 * expression such as `$user.urn:ietf:params:scim:schemas:idcs:extension:custom:User.MyAttr`.
 *
 * Expression forms (reference §6): `$user.a.b`, `$(user.a.b)`, numeric index `.0` / `[0]`,
 * wildcard `.*` / `[*]` (gives an array), and a URN extension segment followed by `.` (as the
 * docs write it) or `:` (the SCIM path form, which we also accept).
 */
import type { CustomClaimConfig } from '../../common/config.js';

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
  const key = head in record ? head : Object.keys(record).find((k) => k.toLowerCase() === head.toLowerCase());
  return key === undefined ? undefined : evaluatePath(record[key], tail);
}
