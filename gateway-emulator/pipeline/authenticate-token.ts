/**
 * Token authentication: `JWT_AUTHENTICATION` (legacy) and `TOKEN_AUTHENTICATION` with
 * `REMOTE_JWKS` or `STATIC_KEYS` (reference §1.4, §1.5, §3.1, §4).
 *
 * The checks run in this order and the first failure decides; every check that ran is kept in
 * `checks` (the decision trace), with OCI's log wording where OCI has one:
 *
 *   token found → token is a signed JWT → `alg` is RS256/384/512 → `kid` names a key → the key
 *   is usable → the key's `alg` (if any) is the token's → signature → `exp` → `nbf` → `iat` →
 *   `iss` → `aud` → each `verifyClaims` rule
 *
 * Claims are checked only after the signature: a forged token learns nothing from the order.
 *
 * Outcome: 401 with `WWW-Authenticate` for every token problem; 500 when the remote JWKS cannot
 * be used (OCI answers 500 then [C D-jwtpol]). `anonymous` is true only when no token was sent;
 * the pipeline then applies `isAnonymousAccessAllowed` and the route's authorization.
 *
 * `TOKEN_AUTHENTICATION` reads issuers, audiences and verifyClaims from
 * `validationPolicy.additionalValidationPolicy`, where each is optional: an absent (or empty)
 * list skips that check [I]. `JWT_AUTHENTICATION` requires issuers and audiences [C SDK].
 *
 * A token whose signature already verified with the same key source is not parsed or verified
 * again (verified-token-cache.ts); every other check above still runs on every request, in the
 * same order and with the same results, so the trace only gains `found: {cached: true}` on the
 * signature check.
 */
import { verify as verifySignature, type KeyObject } from 'node:crypto';
import type { models } from 'oci-apigateway';
import type { Clock } from '../../common/clock.js';
import type { JwksCache } from './jwks-cache.js';
import { isRsAlgorithm, RS_ALGORITHMS, RS_DIGEST, MIN_RSA_BITS, MAX_RSA_BITS, type RsAlgorithm } from './jwks-key.js';
import { MAX_TOKEN_BYTES, parseCompactJws, type CompactJws } from './token-jws.js';
import { describeTokenPlace, locateToken } from './token-location.js';
import { staticKeySet } from './token-static-keys.js';
import type { CheckResult, GatewayRequest } from './types.js';
import { verifyClaims } from './verify-claims.js';
import { cachedSignatureHolds, keySourceId, type VerifiedToken, type VerifiedTokenCache } from './verified-token-cache.js';

export type TokenAuthentication = models.JwtAuthenticationPolicy | models.TokenAuthenticationPolicy;

export type AuthenticationResult =
  | { ok: true; claims: Readonly<Record<string, unknown>>; checks: CheckResult[] }
  | {
      ok: false;
      /** True when no token was presented (the caller decides with isAnonymousAccessAllowed and route authorization). */
      anonymous: boolean;
      status: 401 | 500 | 400;
      checks: CheckResult[];
      reason: CheckResult;
      wwwAuthenticate?: string;
    };

type KeySource =
  | { type: 'REMOTE_JWKS'; uri: string; maxCacheDurationInHours: number }
  | { type: 'STATIC_KEYS'; keys: ReadonlyArray<models.StaticPublicKey> }
  | { type: 'unsupported'; name: string };

/** What a policy checks, whichever of the two policy types it is. */
interface TokenRules {
  source: KeySource;
  issuers: ReadonlyArray<string> | undefined;
  audiences: ReadonlyArray<string> | undefined;
  verifyClaims: models.JsonWebTokenClaim[] | undefined;
}

/** The JWKS cache default [I]: OCI documents the 1–24 h range but no default for the JWKS cache. */
const DEFAULT_CACHE_HOURS = 1;

function keySource(keys: { type: string } | undefined): KeySource {
  if (keys?.type === 'REMOTE_JWKS') {
    const remote = keys as models.RemoteJsonWebKeySet;
    return { type: 'REMOTE_JWKS', uri: remote.uri, maxCacheDurationInHours: remote.maxCacheDurationInHours ?? DEFAULT_CACHE_HOURS };
  }
  if (keys?.type === 'STATIC_KEYS') return { type: 'STATIC_KEYS', keys: (keys as models.StaticPublicKeySet).keys ?? [] };
  return { type: 'unsupported', name: keys?.type ?? '(none)' };
}

export function tokenRules(policy: TokenAuthentication): TokenRules {
  if (policy.type === 'TOKEN_AUTHENTICATION') {
    const validation = (policy as models.TokenAuthenticationPolicy).validationPolicy;
    const additional = validation?.additionalValidationPolicy;
    return { source: keySource(validation), issuers: additional?.issuers, audiences: additional?.audiences, verifyClaims: additional?.verifyClaims };
  }
  const jwt = policy as models.JwtAuthenticationPolicy;
  return { source: keySource(jwt.publicKeys), issuers: jwt.issuers, audiences: jwt.audiences, verifyClaims: jwt.verifyClaims };
}

type KeyLookup = { ok: true; key: KeyObject; alg?: string } | { ok: false; status: 401 | 500; check: CheckResult };

function unusableKey(kid: string, reason: string): CheckResult {
  return {
    check: 'authentication.publicKey',
    passed: false,
    message: `The public key with kid '${kid}' cannot verify JWT tokens.`,
    expected: `an RSA signing key of ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits`,
    found: reason,
  };
}

function unknownKey(kid: string, expected: unknown): CheckResult {
  return { check: 'authentication.kid', passed: false, message: 'JWT token signed with an unknown key.', expected, found: kid };
}

// The helpers of the functions below are module-level on purpose: a named closure per request
// costs a `__name` call under tsx (esbuild's keepNames) on the gateway's hot path (bench/).
async function lookUpKey(source: KeySource, kid: string, jwks: JwksCache): Promise<KeyLookup> {

  if (source.type === 'REMOTE_JWKS') {
    const result = await jwks.keyFor(source.uri, kid, source.maxCacheDurationInHours);
    if (result.ok) return result;
    if (result.kind === 'unavailable') {
      return {
        ok: false,
        status: 500,
        check: { check: 'authentication.publicKey', passed: false, message: 'Failed to retrieve the public keys from the JWKS URI.', expected: `a usable JWKS at ${source.uri}`, found: result.reason },
      };
    }
    return { ok: false, status: 401, check: result.kind === 'no-such-kid' ? unknownKey(kid, `a kid published at ${source.uri}`) : unusableKey(kid, result.reason) };
  }
  if (source.type === 'STATIC_KEYS') {
    const set = staticKeySet(source.keys);
    const entry = set.get(kid);
    if (!entry) return { ok: false, status: 401, check: unknownKey(kid, [...set.keys()]) };
    if (!entry.ok) return { ok: false, status: 401, check: unusableKey(kid, entry.reason) };
    return entry;
  }
  return {
    ok: false,
    status: 500,
    check: { check: 'authentication.publicKey', passed: false, message: `Token validation policy type '${source.name}' is not emulated.`, expected: ['REMOTE_JWKS', 'STATIC_KEYS'], found: source.name },
  };
}

/**
 * The passed `iss` and `aud` checks of a configured list and a matching value: the same on every
 * request of a deployment, so shared (frozen) rather than built per request and kept by every
 * entry of the decision log; at most {@link MAX_SHARED_PER_LIST} values per list.
 */
const PASSED_ISSUER = new WeakMap<ReadonlyArray<string>, Map<string, CheckResult>>();
const PASSED_AUDIENCE = new WeakMap<ReadonlyArray<string>, Map<string, CheckResult>>();
const MAX_SHARED_PER_LIST = 1_000;

function sharedPassedCheck(byList: WeakMap<ReadonlyArray<string>, Map<string, CheckResult>>, list: ReadonlyArray<string>, found: string, check: string, message: string): CheckResult {
  let byValue = byList.get(list);
  if (!byValue) byList.set(list, (byValue = new Map()));
  let result = byValue.get(found);
  if (!result) {
    result = Object.freeze({ check, passed: true, message, expected: list, found });
    if (byValue.size >= MAX_SHARED_PER_LIST) byValue.clear();
    byValue.set(found, result);
  }
  return result;
}

/** Adds a check to the list; true when it passed. */
function addCheck(results: CheckResult[], c: CheckResult): boolean {
  results.push(c);
  return c.passed;
}

/** `exp` (required), `nbf` and `iat` (if present), `iss`, `aud`, in that order; the time checks within the clock skew. */
export function checkRegisteredClaims(claims: Record<string, unknown>, rules: Pick<TokenRules, 'issuers' | 'audiences'>, nowSeconds: number, maxClockSkewInSeconds: number): CheckResult[] {
  const results: CheckResult[] = [];

  // RFC 7519 §4.1.4: valid strictly before exp; the skew extends that instant.
  const exp = claims.exp;
  const expLimit = nowSeconds - maxClockSkewInSeconds;
  const expOk = typeof exp === 'number' && Number.isFinite(exp) && exp > expLimit;
  if (!addCheck(results, { check: 'authentication.exp', passed: expOk, message: expOk ? "The 'exp' claim is valid." : "Validation failed for 'exp' claim.", expected: `exp > ${expLimit}`, found: exp ?? null })) return results;

  // RFC 7519 §4.1.5: valid at or after nbf; the skew moves that instant earlier.
  const nbf = claims.nbf;
  if (nbf !== undefined) {
    const nbfLimit = nowSeconds + maxClockSkewInSeconds;
    const nbfOk = typeof nbf === 'number' && Number.isFinite(nbf) && nbf <= nbfLimit;
    if (!addCheck(results, { check: 'authentication.nbf', passed: nbfOk, message: nbfOk ? "The 'nbf' claim is valid." : "Validation failed for 'nbf' claim.", expected: `nbf <= ${nbfLimit}`, found: nbf })) return results;
  }

  // `iat`, when present, may not lie in the future beyond the skew [I]. OCI documents checks of
  // exp, nbf, iss and aud only, and RFC 7519 §4.1.6 gives no rule; jose accepts such a token
  // unless maxTokenAge is set. A token "issued" later than now is a forgery or a broken issuer
  // clock either way (security checklist A.1 #11): a harness choice, not documented OCI behaviour.
  const iat = claims.iat;
  if (iat !== undefined) {
    const iatLimit = nowSeconds + maxClockSkewInSeconds;
    const iatOk = typeof iat === 'number' && Number.isFinite(iat) && iat <= iatLimit;
    if (!addCheck(results, { check: 'authentication.iat', passed: iatOk, message: iatOk ? "The 'iat' claim is valid." : "Validation failed for 'iat' claim.", expected: `iat <= ${iatLimit}`, found: iat })) return results;
  }

  const iss = claims.iss;
  if (!rules.issuers?.length) {
    addCheck(results, { check: 'authentication.iss', passed: true, message: "No issuers configured: 'iss' is not checked.", found: iss ?? null });
  } else {
    // Exact string equality: 'https://identity.oraclecloud.com/' is not 'https://identity.oraclecloud.com' [C D-idp].
    const ok = typeof iss === 'string' && rules.issuers.includes(iss);
    if (ok) addCheck(results, sharedPassedCheck(PASSED_ISSUER, rules.issuers, iss, 'authentication.iss', 'JWT token issued by a configured issuer.'));
    else if (!addCheck(results, { check: 'authentication.iss', passed: false, message: 'JWT token not issued by the configured issuers.', expected: rules.issuers, found: iss ?? null })) return results;
  }

  const aud = claims.aud;
  if (!rules.audiences?.length) {
    addCheck(results, { check: 'authentication.aud', passed: true, message: "No audiences configured: 'aud' is not checked.", found: aud ?? null });
  } else {
    // `aud` may be one string or an array (IDCS user tokens carry three URLs): any element may match [I].
    const audiences = rules.audiences;
    if (typeof aud === 'string' && audiences.includes(aud)) {
      addCheck(results, sharedPassedCheck(PASSED_AUDIENCE, audiences, aud, 'authentication.aud', 'JWT token issued for a configured audience.'));
    } else {
      const ok = Array.isArray(aud) && aud.some((a) => typeof a === 'string' && audiences.includes(a));
      addCheck(results, { check: 'authentication.aud', passed: ok, message: ok ? 'JWT token issued for a configured audience.' : 'JWT token not issued for the configured audience.', expected: audiences, found: aud ?? null });
    }
  }
  return results;
}

/** Checks an RS* signature over the signing input; false (never a throw) when it does not verify. */
export type SignatureVerifier = (alg: RsAlgorithm, signingInput: Buffer, key: KeyObject, signature: Buffer) => boolean;

export const verifyRsSignature: SignatureVerifier = (alg, signingInput, key, signature) => {
  try {
    return verifySignature(RS_DIGEST[alg], signingInput, key, signature);
  } catch {
    return false;
  }
};

export interface TokenAuthenticationDeps {
  jwks: JwksCache;
  clock: Clock;
  /**
   * Tokens whose signature verified before (the gateway passes its own, bounded cache). Absent
   * or `null`: every token is parsed and verified.
   */
  verifiedTokens?: VerifiedTokenCache | null;
  /** Default {@link verifyRsSignature}; tests count calls through it. */
  verifySignature?: SignatureVerifier;
}

/** A refused authentication: the trace so far plus the refusing check, and RFC 6750's challenge for a 401. */
function refusal(checks: CheckResult[], scheme: string, check: CheckResult, status: 401 | 500 = 401, anonymous = false): AuthenticationResult {
  checks.push(check);
  if (status !== 401) return { ok: false, anonymous, status, checks, reason: check };
  return { ok: false, anonymous, status, checks, reason: check, wwwAuthenticate: anonymous ? scheme : `${scheme} error="invalid_token"` };
}

/**
 * What a policy says, worked out once per policy object rather than per request (deployment
 * specs are frozen when stored, so a policy object never changes under the cache).
 */
interface PolicyFacts {
  rules: TokenRules;
  place: string;
  sourceId: string;
  /** The trace entry of a token found where the policy looks (the same for every request). */
  tokenFound: CheckResult;
}

const POLICY_FACTS = new WeakMap<TokenAuthentication, PolicyFacts>();

function policyFacts(policy: TokenAuthentication): PolicyFacts {
  let facts = POLICY_FACTS.get(policy);
  if (!facts) {
    const rules = tokenRules(policy);
    const place = describeTokenPlace(policy);
    facts = {
      rules,
      place,
      sourceId: rules.source.type === 'unsupported' ? '' : keySourceId(rules.source),
      tokenFound: Object.freeze({ check: 'authentication.token', passed: true, message: 'JWT token found.', expected: place }),
    };
    // Only frozen policies (stored deployments) are remembered: a caller's own object may still change.
    if (Object.isFrozen(policy)) POLICY_FACTS.set(policy, facts);
  }
  return facts;
}

/** The passed algorithm check of each algorithm (shared, frozen: traces only read them). */
const ALGORITHM_SUPPORTED: Readonly<Record<RsAlgorithm, CheckResult>> = Object.freeze(
  Object.fromEntries(RS_ALGORITHMS.map((alg) => [alg, Object.freeze({ check: 'authentication.algorithm', passed: true, message: 'JWT token algorithm is supported.', expected: RS_ALGORITHMS, found: alg })])) as Record<RsAlgorithm, CheckResult>,
);

/** The passed kid and signature checks (verified now, or remembered) of an (alg, kid), shared across requests; bounded. */
interface PassedKeyChecks {
  kid: CheckResult;
  expectedSignature: string;
  verifiedSignature: CheckResult;
  cachedSignature: CheckResult;
}
const KEY_CHECKS = new Map<string, PassedKeyChecks>();
const MAX_KEY_CHECKS = 1_000;

function passedKeyChecks(alg: RsAlgorithm, kid: string): PassedKeyChecks {
  const id = `${alg} ${kid}`;
  let known = KEY_CHECKS.get(id);
  if (!known) {
    const expectedSignature = `an ${alg} signature by the key '${kid}'`;
    known = {
      kid: Object.freeze({ check: 'authentication.kid', passed: true, message: 'JWT token signed with a configured key.', found: kid }),
      expectedSignature,
      verifiedSignature: Object.freeze({ check: 'authentication.signature', passed: true, message: 'JWT token signature is valid.', expected: expectedSignature }),
      cachedSignature: Object.freeze({ check: 'authentication.signature', passed: true, message: 'JWT token signature is valid.', expected: expectedSignature, found: Object.freeze({ cached: true }) }),
    };
    if (KEY_CHECKS.size >= MAX_KEY_CHECKS) KEY_CHECKS.clear();
    KEY_CHECKS.set(id, known);
  }
  return known;
}

/**
 * `checks`: where the trace goes (the caller's own list saves a copy on the hot path); the result
 * carries the same list.
 */
export async function authenticateToken(policy: TokenAuthentication, request: GatewayRequest, deps: TokenAuthenticationDeps, checks: CheckResult[] = []): Promise<AuthenticationResult> {
  // RFC 6750 §3: a bare challenge when no token came, `error="invalid_token"` when one failed [I].
  const scheme = policy.tokenAuthScheme || 'Bearer';
  const { rules, place, sourceId: policySourceId, tokenFound } = policyFacts(policy);

  const located = locateToken(policy, request);
  if (located.kind === 'none') {
    return refusal(checks, scheme, { check: 'authentication.token', passed: false, message: 'JWT token not found in the request.', expected: place, found: null }, 401, true);
  }
  if (located.kind === 'bad') {
    return refusal(checks, scheme, { check: 'authentication.token', passed: false, message: 'JWT token could not be read from the request.', expected: place, found: located.reason });
  }
  const { token } = located;
  if (token.length > MAX_TOKEN_BYTES) {
    return refusal(checks, scheme, { check: 'authentication.token', passed: false, message: 'JWT token is too large.', expected: `at most ${MAX_TOKEN_BYTES} bytes`, found: `${token.length} bytes` });
  }
  // Only the two emulated key sources can vouch for a token; anything else is refused below.
  const cache = rules.source.type === 'unsupported' ? null : (deps.verifiedTokens ?? null);
  const sourceId = cache ? policySourceId : '';
  const cached: VerifiedToken | undefined = cache?.get(sourceId, token);

  // A cached token parsed before (parsing is deterministic); the bytes are parsed again only if its signature must be re-checked.
  let jws: CompactJws | undefined;
  if (!cached) {
    const parsed = parseCompactJws(token);
    if (!parsed.ok) {
      return refusal(checks, scheme, { check: 'authentication.token', passed: false, message: 'JWT token is malformed.', expected: 'a signed JWT (JWS compact serialization)', found: parsed.reason });
    }
    jws = parsed.jws;
  }
  const header = cached ? cached.header : jws!.header;
  const payload = cached ? cached.claims : jws!.payload;
  checks.push(tokenFound);

  const alg = header.alg;
  if (!isRsAlgorithm(alg)) {
    return refusal(checks, scheme, { check: 'authentication.algorithm', passed: false, message: 'JWT token signed with an unsupported algorithm.', expected: RS_ALGORITHMS, found: alg ?? null });
  }
  checks.push(ALGORITHM_SUPPORTED[alg]);

  const kid = header.kid;
  if (typeof kid !== 'string' || kid === '') {
    return refusal(checks, scheme, { check: 'authentication.kid', passed: false, message: "JWT token header has no 'kid'.", expected: 'the kid of a configured public key', found: kid ?? null });
  }
  // Looked up on every request, cached token or not: a key the JWKS no longer serves verifies nothing.
  const key = await lookUpKey(rules.source, kid, deps.jwks);
  if (!key.ok) return refusal(checks, scheme, key.check, key.status);
  const passed = passedKeyChecks(alg, kid);
  checks.push(passed.kid);

  if (key.alg !== undefined && key.alg !== alg) {
    return refusal(checks, scheme, { check: 'authentication.algorithm', passed: false, message: "JWT token algorithm does not match the public key's 'alg'.", expected: key.alg, found: alg });
  }

  const expectedSignature = passed.expectedSignature;
  if (cached && cachedSignatureHolds(cached, key.key, alg)) {
    checks.push(passed.cachedSignature);
  } else {
    if (!jws) {
      // Cached under a key the source no longer serves for this kid (a JWKS refresh): verify against today's key.
      const parsed = parseCompactJws(token);
      // Cannot happen (it parsed when it was cached); refusing keeps the gateway from ever answering 5xx for a token.
      if (!parsed.ok) return refusal(checks, scheme, { check: 'authentication.signature', passed: false, message: 'JWT token is malformed.', expected: expectedSignature, found: parsed.reason });
      jws = parsed.jws;
    }
    const signatureOk = (deps.verifySignature ?? verifyRsSignature)(alg, jws.signingInput, key.key, jws.signature);
    if (!signatureOk) {
      if (cached) cache!.delete(sourceId, token);
      return refusal(checks, scheme, { check: 'authentication.signature', passed: false, message: 'JWT token signature is invalid.', expected: expectedSignature, found: 'a signature that does not verify' });
    }
    // Remembered before the claim checks: those depend on the clock and the policy, and run on every request.
    cache?.offer(sourceId, token, { header: jws.header, claims: jws.payload, alg, kid, key: key.key });
    checks.push(passed.verifiedSignature);
  }

  const skew = policy.maxClockSkewInSeconds ?? 0;
  for (const c of checkRegisteredClaims(payload, rules, deps.clock.nowMs() / 1000, skew)) {
    if (!c.passed) return refusal(checks, scheme, c);
    checks.push(c);
  }
  if (rules.verifyClaims?.length) {
    for (const c of verifyClaims(payload, rules.verifyClaims)) {
      if (!c.passed) return refusal(checks, scheme, c);
      checks.push(c);
    }
  }
  // The claims as parsed: frozen when cached (shared by every request presenting the token), and
  // only ever read (`request.auth[...]`, the decision log).
  return { ok: true, claims: payload, checks };
}
