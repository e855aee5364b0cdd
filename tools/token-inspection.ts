/**
 * A JWT taken apart for a human: the JOSE header and the claims, each explained in IDCS's terms
 * (what the claim is, and what OCI API Gateway does with it), times as dates with "expires in",
 * and the RS256/384/512 signature checked against a JWKS with jose. Shared by the CLI
 * (`oci-auth-harness decode`, `token --decode`) and the web console's token workbench.
 *
 * Only the signature is checked here: expiry, issuer and audience are what a deployment checks,
 * and `oci-auth-harness explain` runs the gateway's own checks for that.
 */
import { compactVerify, createLocalJWKSet, errors, type JSONWebKeySet } from 'jose';

export interface ClaimLine {
  name: string;
  value: unknown;
  meaning?: string;
  /** for iat/exp/nbf/auth_time: ISO date and relative text like "expires in 59 min" / "expired 3 min ago" */
  time?: { iso: string; relative: string };
}

export interface TokenInspection {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  headerLines: ClaimLine[];
  claimLines: ClaimLine[];
  signature: { checked: false; reason: string } | { checked: true; valid: boolean; reason: string; kid?: string };
}

/** The signature algorithms OCI API Gateway accepts (and IDCS signs with RS256). */
export const RS_ALGORITHMS = ['RS256', 'RS384', 'RS512'] as const;

/** How long a JWKS URL may take before the signature counts as not checked. */
export const JWKS_TIMEOUT_MS = 5_000;

const HEADER_MEANINGS: Record<string, string> = {
  alg: 'signature algorithm; IDCS signs with RS256, and OCI API Gateway accepts RS256, RS384 and RS512 only',
  kid: "key id: names the key in the JWKS that verifies the signature (IDCS: SIGNING_KEY); the gateway refuses a kid its JWKS does not publish",
  typ: 'token type (JWT)',
  cty: 'content type of the payload',
  x5t: "SHA-1 thumbprint of the signing certificate (base64url)",
  'x5t#S256': 'SHA-256 thumbprint of the signing certificate (base64url)',
  x5u: 'URL of the signing certificate chain',
  jku: 'URL of a JWKS (never trusted by the gateway: the deployment names its own JWKS)',
  crit: 'header parameters the verifier must understand',
};

const CLAIM_MEANINGS: Record<string, string> = {
  iss: "issuer: who made the token (IDCS: https://identity.oraclecloud.com/ with the trailing slash); a deployment's issuers must contain it exactly",
  sub: 'subject: the user name for a user token, the client id for a client (technical user) token',
  sub_type: 'what the subject is: "user" or "client"',
  sub_mappingattr: 'the user attribute the subject was taken from (userName)',
  aud: "audience: who the token is for (a resource server's audience, or the domain's URLs for a user token); a deployment's audiences must contain one of them",
  scope: "granted scopes, blank-separated, without the audience prefix; verifyClaims on 'scope' compares this whole string, a route's ANY_OF checks one scope of it",
  tok_type: 'token type: AT (access token) or IT (ID token)',
  client_id: 'the OAuth client (the application\'s name) that requested the token',
  client_name: "the client application's display name",
  client_guid: "the client application's id in the identity domain",
  client_ocid: "the client application's OCID",
  client_tenantname: "the identity domain (tenant) of the client",
  tenant: 'the identity domain (tenant) name, idcs-<32 hex>',
  tenant_iss: 'the identity domain\'s own URL (with :443)',
  'user.tenant.name': "the user's identity domain (tenant) name",
  user_id: "the user's id in the identity domain",
  user_ocid: "the user's OCID",
  user_displayname: "the user's display name",
  user_tenantname: "the user's identity domain (tenant) name",
  user_tz: "the user's time zone",
  user_locale: "the user's locale",
  user_lang: "the user's preferred language",
  user_isAdmin: 'present (true) when the token carries an administrator app role',
  userAppRoles: 'the app roles granted to the user',
  onBehalfOfUser: 'the client holds the "onBehalfOfUser" operation: the token acts for the user with the user\'s rights',
  clientAppRoles: 'the app roles granted to the client and used by this token (e.g. Me, Identity Domain Administrator)',
  gtp: 'grant type short name: cc (client credentials), ro (resource owner password), rt (refresh token), jwt (JWT assertion), azc (authorization code)',
  jti: 'token id: unique per token',
  iat: 'issued at (seconds since 1970)',
  exp: 'expires at (seconds since 1970); the gateway refuses the token from this instant on (plus its maxClockSkewInSeconds)',
  nbf: 'not before (seconds since 1970): the token is not valid earlier',
  auth_time: 'when the user authenticated (seconds since 1970)',
  session_exp: 'when the user\'s session ends (seconds since 1970)',
  at_hash: 'ID token only: hash of the access token issued with it',
  azp: 'authorized party: the client the ID token was issued to',
  sid: "the user's session id",
  sidle: 'session idle timeout in minutes',
  amr: 'how the user authenticated (e.g. USERNAME_PASSWORD)',
  idp_name: 'the identity provider that authenticated the user',
  idp_guid: 'the identity provider\'s id',
  idp_type: 'the identity provider\'s type (LOCAL: the domain\'s own user store)',
  nonce: 'the nonce the client sent, echoed in the ID token',
  domain: 'the identity domain\'s name (Default)',
  domain_home: 'the region the identity domain lives in',
  region_name: 'the identity domain\'s region in IDCS\'s naming',
  resource_app_id: 'the id of the resource server (the app that owns the audience and scopes)',
};

/** Claims holding instants (seconds since the epoch). */
const TIME_CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time', 'session_exp']);

export const CUSTOM_CLAIM_MEANING = 'custom claim (configured in the identity domain)';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** "59 min", "2 h 5 min", "3 days", "12 s". */
export function formatDuration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} days`;
}

/** "expires in 59 min" / "expired 3 min ago" for exp; "3 min ago" / "in 2 min" for the others. */
export function relativeTime(name: string, instantMs: number, nowMs: number): string {
  const delta = instantMs - nowMs;
  const span = formatDuration(delta);
  if (name === 'exp' || name === 'session_exp') return delta > 0 ? `expires in ${span}` : `expired ${span} ago`;
  if (name === 'nbf') return delta > 0 ? `not valid for another ${span}` : `valid since ${span} ago`;
  if (Math.abs(delta) < 1000) return 'now';
  return delta > 0 ? `in ${span}` : `${span} ago`;
}

function claimLine(name: string, value: unknown, now: Date, meanings: Record<string, string>, unknownMeaning?: string): ClaimLine {
  const line: ClaimLine = { name, value };
  const meaning = Object.hasOwn(meanings, name) ? meanings[name] : unknownMeaning;
  if (meaning) line.meaning = meaning;
  if (TIME_CLAIMS.has(name) && typeof value === 'number' && Number.isFinite(value)) {
    const ms = value * 1000;
    const date = new Date(ms);
    if (!Number.isNaN(date.getTime())) line.time = { iso: date.toISOString(), relative: relativeTime(name, ms, now.getTime()) };
  }
  return line;
}

function decodePart(part: string, what: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new Error(`not a JWT: the ${what} is not base64url text`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new Error(`not a JWT: the ${what} does not decode to JSON`);
  }
  if (!isObject(value)) throw new Error(`not a JWT: the ${what} is not a JSON object`);
  return value;
}

/** The header and claims of a compact JWS; a clear Error for anything else. */
export function decodeCompactJws(input: string): { token: string; header: Record<string, unknown>; claims: Record<string, unknown> } {
  let token = input.trim();
  // A pasted Authorization header value.
  if (/^bearer\s+/i.test(token)) token = token.replace(/^bearer\s+/i, '');
  if (token === '') throw new Error('not a JWT: the input is empty');
  const parts = token.split('.');
  if (parts.length === 5) throw new Error('not a signed JWT: it has 5 parts, so it is an encrypted token (JWE), which only its recipient can read');
  if (parts.length !== 3) {
    throw new Error(`not a JWT: a signed JWT is three base64url parts joined by dots (header.claims.signature); this has ${parts.length} part${parts.length === 1 ? '' : 's'}`);
  }
  const header = decodePart(parts[0]!, 'header (first part)');
  const claims = decodePart(parts[1]!, 'claims (second part)');
  if (parts[2] !== '' && !/^[A-Za-z0-9_-]+$/.test(parts[2]!)) throw new Error('not a JWT: the signature (third part) is not base64url text');
  return { token, header, claims };
}

/** A JWKS with what WebCrypto cannot import removed: IDCS publishes `key_ops: ["verify","encrypt"]`. */
function usableJwks(jwks: { keys: unknown[] }): JSONWebKeySet {
  const keys = jwks.keys.filter(isObject).map((jwk) => {
    const { key_ops: _ops, ...rest } = jwk;
    return rest;
  });
  return { keys } as unknown as JSONWebKeySet;
}

async function fetchJwks(url: string): Promise<{ ok: true; jwks: { keys: unknown[] } } | { ok: false; reason: string }> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(JWKS_TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = (err as Error).name === 'TimeoutError' ? `no answer within ${JWKS_TIMEOUT_MS / 1000} s` : cause?.code ?? cause?.message ?? (err as Error).message;
    return { ok: false, reason: `the JWKS at ${url} cannot be fetched (${why})` };
  }
  const text = await response.text().catch(() => '');
  if (response.status !== 200) return { ok: false, reason: `the JWKS at ${url} answered HTTP ${response.status}${response.status === 401 ? ' (the identity domain does not publish it without a token: signingCertPublicAccess)' : ''}` };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, reason: `the JWKS at ${url} is not JSON` };
  }
  if (!isObject(document) || !Array.isArray(document.keys)) return { ok: false, reason: `the document at ${url} is not a JWKS (no "keys" array)` };
  return { ok: true, jwks: document as { keys: unknown[] } };
}

async function checkSignature(token: string, header: Record<string, unknown>, source: string | { keys: unknown[] } | undefined): Promise<TokenInspection['signature']> {
  if (source === undefined) return { checked: false, reason: 'no JWKS given' };
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const withKid = <T extends object>(r: T) => (kid !== undefined ? { ...r, kid } : r);
  const alg = header.alg;
  if (typeof alg !== 'string' || !(RS_ALGORITHMS as readonly string[]).includes(alg)) {
    return withKid({ checked: true as const, valid: false, reason: `the token's alg is ${JSON.stringify(alg ?? null)}; OCI API Gateway accepts only ${RS_ALGORITHMS.join(', ')}` });
  }
  let jwks: { keys: unknown[] };
  let where: string;
  if (typeof source === 'string') {
    const fetched = await fetchJwks(source);
    if (!fetched.ok) return { checked: false, reason: fetched.reason };
    jwks = fetched.jwks;
    where = `the JWKS at ${source}`;
  } else {
    if (!isObject(source) || !Array.isArray(source.keys)) return { checked: false, reason: 'the JWKS given has no "keys" array' };
    jwks = source;
    where = 'the JWKS given';
  }
  try {
    await compactVerify(token, createLocalJWKSet(usableJwks(jwks)), { algorithms: [...RS_ALGORITHMS] });
    return withKid({ checked: true as const, valid: true, reason: `${alg} signature verified with the key ${kid !== undefined ? `"${kid}" ` : ''}of ${where}` });
  } catch (err) {
    if (err instanceof errors.JWSSignatureVerificationFailed) {
      return withKid({ checked: true as const, valid: false, reason: `the ${alg} signature does not verify with the key ${kid !== undefined ? `"${kid}" ` : ''}of ${where}: the token was altered, or signed by another key` });
    }
    if (err instanceof errors.JWKSNoMatchingKey) {
      const kids = jwks.keys.filter(isObject).map((k) => k.kid).filter((k): k is string => typeof k === 'string');
      return withKid({ checked: true as const, valid: false, reason: `${where} has no ${alg} key with kid ${JSON.stringify(kid ?? null)} (it has ${kids.length ? kids.map((k) => JSON.stringify(k)).join(', ') : 'no kid'}): another issuer, or a rotated key` });
    }
    if (err instanceof errors.JWKSMultipleMatchingKeys) {
      return withKid({ checked: true as const, valid: false, reason: `${where} has several keys matching kid ${JSON.stringify(kid ?? null)}: ambiguous` });
    }
    return withKid({ checked: true as const, valid: false, reason: `the signature cannot be verified with ${where}: ${(err as Error).message}` });
  }
}

/**
 * Decodes a compact JWS (refuses anything else with a clear Error), explains each claim (IDCS
 * meanings, and "custom claim (configured in the identity domain)" for unknown ones) and checks
 * the RS256/384/512 signature against the JWKS given (a URL fetched with fetch, or a JWKS object)
 * using jose (createLocalJWKSet + compactVerify, signature only: no claim checks here). `now`
 * for relative times.
 */
export async function inspectToken(token: string, options: { jwks?: string | { keys: unknown[] }; now?: Date } = {}): Promise<TokenInspection> {
  const decoded = decodeCompactJws(token);
  const now = options.now ?? new Date();
  const headerLines = Object.entries(decoded.header).map(([name, value]) => claimLine(name, value, now, HEADER_MEANINGS));
  const claimLines = Object.entries(decoded.claims).map(([name, value]) => claimLine(name, value, now, CLAIM_MEANINGS, CUSTOM_CLAIM_MEANING));
  const signature = await checkSignature(decoded.token, decoded.header, options.jwks);
  return { header: decoded.header, claims: decoded.claims, headerLines, claimLines, signature };
}
