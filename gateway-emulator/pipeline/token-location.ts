/**
 * Where the token is (`tokenHeader` + `tokenAuthScheme`, or `tokenQueryParam`; reference §1.4).
 *
 * - Header: `<scheme> <token>`. The scheme is matched case-insensitively (RFC 9110 §11.1: auth
 *   schemes are case-insensitive), one or more spaces (never a tab or another white space)
 *   separate it from the token, and exactly one token must follow it. Without a configured
 *   scheme the whole value is the token.
 * - Query parameter: the name is case-sensitive (OCI, reference §1.10); name and value are
 *   percent-decoded (`+` is a space, so a token holding one is refused as white space).
 * - Absent or empty: no token (`none`): the caller decides with `isAnonymousAccessAllowed` and
 *   the route's authorization whether the request may go on.
 * - Ambiguous (the header sent twice, the parameter sent twice, or a token in both the header
 *   and the parameter when a policy names both): `bad`. The gateway would have to guess which
 *   token the client meant; a guess is how one token gets checked and another one forwarded [I].
 *
 * Reasons never quote the token: they end up in logs and the `x-harness-reason` header.
 */
import { decodeQueryComponent } from './context-variables.js';
import type { GatewayRequest } from './types.js';

export type TokenLocation = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'bad'; reason: string };

export interface TokenPlace {
  tokenHeader?: string;
  tokenQueryParam?: string;
  tokenAuthScheme?: string;
}

const NONE: TokenLocation = { kind: 'none' };

export function locateToken(policy: TokenPlace, request: GatewayRequest): TokenLocation {
  const fromHeader = policy.tokenHeader ? tokenFromHeader(policy.tokenHeader, policy.tokenAuthScheme, request) : NONE;
  const fromQuery = policy.tokenQueryParam ? tokenFromQuery(policy.tokenQueryParam, request) : NONE;
  if (fromHeader.kind !== 'none' && fromQuery.kind !== 'none') {
    return { kind: 'bad', reason: `a token was sent both in the header '${policy.tokenHeader}' and in the query parameter '${policy.tokenQueryParam}'` };
  }
  return fromHeader.kind !== 'none' ? fromHeader : fromQuery;
}

/** Where the policy expects the token, in words for a check's `expected`. */
export function describeTokenPlace(policy: TokenPlace): string {
  const places: string[] = [];
  if (policy.tokenHeader) places.push(`header '${policy.tokenHeader}'${policy.tokenAuthScheme ? ` with scheme '${policy.tokenAuthScheme}'` : ''}`);
  if (policy.tokenQueryParam) places.push(`query parameter '${policy.tokenQueryParam}'`);
  return places.length ? `a token in the ${places.join(' or the ')}` : 'a token (the policy names no header or query parameter)';
}

const SCHEME_SP_TOKEN = /^([!-~]+) ([!-~]+)$/;

function tokenFromHeader(name: string, scheme: string | undefined, request: GatewayRequest): TokenLocation {
  const values = request.headers[name.toLowerCase()] ?? [];
  if (values.length > 1) return { kind: 'bad', reason: `the header '${name}' was sent ${values.length} times` };
  // The usual case in one anchored scan of the (1-2 KB) value: `<scheme> <token>`, visible ASCII,
  // one space. It gives what the rules below give for such a value; anything else takes them.
  const simple = scheme ? SCHEME_SP_TOKEN.exec(values[0] ?? '') : null;
  if (simple && simple[1]!.toLowerCase() === scheme!.toLowerCase()) return { kind: 'token', token: simple[2]! };
  // Optional white space around a field value is SP and HTAB only (RFC 9110 §5.5); String#trim would drop a no-break space too.
  const value = (values[0] ?? '').replace(/^[ \t]+|[ \t]+$/g, '');
  if (value === '') return NONE;
  // RFC 9110 §11.4: `credentials = auth-scheme [ 1*SP token68 ]`. Only spaces separate: a tab,
  // a no-break space or another Unicode space is a place where two parsers may split differently.
  if (/[^\S ]/.test(value)) return { kind: 'bad', reason: `the header '${name}' contains white space other than spaces` };
  const words = value.split(/ +/);
  if (!scheme) {
    return words.length === 1 ? { kind: 'token', token: value } : { kind: 'bad', reason: `the header '${name}' holds ${words.length} words; it must hold the token alone` };
  }
  const [sent, token] = words as [string, string | undefined];
  if (sent.toLowerCase() !== scheme.toLowerCase()) {
    // Only the first word is quoted: with a missing scheme it would be the token itself.
    return { kind: 'bad', reason: words.length === 1 ? `the header '${name}' has no '${scheme}' scheme` : `the header '${name}' uses the scheme '${sent}', not '${scheme}'` };
  }
  if (token === undefined) return { kind: 'bad', reason: `the header '${name}' has the scheme '${scheme}' but no token` };
  if (words.length > 2) return { kind: 'bad', reason: `the header '${name}' has ${words.length - 1} words after the scheme; exactly one token is expected` };
  return { kind: 'token', token };
}

function tokenFromQuery(name: string, request: GatewayRequest): TokenLocation {
  // Names and values as the client meant them (`%2E` is a dot, `+` a space), so that an encoded
  // second copy of the parameter is still seen as a second copy.
  const values = request.query.filter(([n]) => decodeQueryComponent(n) === name).map(([, v]) => decodeQueryComponent(v));
  if (values.length > 1) return { kind: 'bad', reason: `the query parameter '${name}' was sent ${values.length} times` };
  const value = values[0] ?? '';
  if (value === '') return NONE;
  if (/\s/.test(value)) return { kind: 'bad', reason: `the query parameter '${name}' contains white space` };
  return { kind: 'token', token: value };
}
