/**
 * Token authentication (JWT_AUTHENTICATION and TOKEN_AUTHENTICATION with STATIC_KEYS and
 * REMOTE_JWKS): where the token is, which tokens are refused before a key is looked up, the key
 * and signature checks, exp/nbf with the clock skew, iss/aud, verifyClaims, and the remote JWKS
 * against the mock IAM (use cases 1 and 2, key rotation, JWKS down, one fetch for a burst).
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { models } from 'oci-apigateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { authenticateToken, type AuthenticationResult, type TokenAuthentication } from '../../gateway-emulator/pipeline/authenticate-token.js';
import { JwksCache } from '../../gateway-emulator/pipeline/jwks-cache.js';
import { locateToken } from '../../gateway-emulator/pipeline/token-location.js';
import type { GatewayRequest } from '../../gateway-emulator/pipeline/types.js';
import { basic, decodeJwtParts, SEEDED, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';
import { DOMAIN_URL, LBAAS_AUDIENCE, SECURE_DOMAIN_URL } from '../token-endpoint/helpers.js';

const ISSUER = 'https://identity.oraclecloud.com/';
/** "Now" for the hand-made tokens, in seconds. */
const NOW = Date.UTC(2030, 0, 1) / 1000;

const k1 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const k2 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });

/** K1: a JWK with alg RS256; K2: a PEM key (no alg, so any RS* algorithm); WEAK: 1024 bits. */
const STATIC_KEYS = [
  { ...(k1.publicKey.export({ format: 'jwk' }) as object), kid: 'K1', format: 'JSON_WEB_KEY', alg: 'RS256', use: 'sig', key_ops: ['verify'] },
  { kid: 'K2', format: 'PEM', key: k2.publicKey.export({ type: 'spki', format: 'pem' }) as string },
  { ...(weak.publicKey.export({ format: 'jwk' }) as object), kid: 'WEAK', format: 'JSON_WEB_KEY' },
] as unknown as models.StaticPublicKey[];

const DIGEST = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' } as const;
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs header and payload given as JSON text (so a test can write duplicate members). */
function signRaw(headerJson: string, payloadJson: string, key: KeyObject = k1.privateKey, digest = 'sha256'): string {
  const input = `${b64(headerJson)}.${b64(payloadJson)}`;
  return `${input}.${sign(digest, Buffer.from(input), key).toString('base64url')}`;
}

function jwt(payload: Record<string, unknown>, opts: { alg?: keyof typeof DIGEST; kid?: string | undefined; key?: KeyObject; header?: Record<string, unknown> } = {}): string {
  const alg = opts.alg ?? 'RS256';
  const kid = 'kid' in opts ? opts.kid : 'K1';
  const header = { alg, typ: 'JWT', ...(kid === undefined ? {} : { kid }), ...opts.header };
  return signRaw(JSON.stringify(header), JSON.stringify(payload), opts.key ?? (kid === 'K2' ? k2.privateKey : k1.privateKey), DIGEST[alg]);
}

const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: 'anwendung1', sub: 'usecase1_client', scope: 'AnwendungReadA', iat: NOW - 10, exp: NOW + 3600, ...extra });

function req(headers: Record<string, string | string[]> = {}, query: Array<[string, string]> = []): GatewayRequest {
  const lower: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = Array.isArray(v) ? v : [v];
  return { method: 'GET', path: '/test/1', rawQuery: query.map(([k, v]) => `${k}=${v}`).join('&'), query, headers: lower, host: 'gw.local', clientIp: '127.0.0.1' };
}
const bearer = (token: string) => req({ authorization: `Bearer ${token}` });

function jwtPolicy(over: Partial<models.JwtAuthenticationPolicy> = {}): models.JwtAuthenticationPolicy {
  return {
    type: 'JWT_AUTHENTICATION',
    isAnonymousAccessAllowed: false,
    tokenHeader: 'Authorization',
    tokenAuthScheme: 'Bearer',
    issuers: [ISSUER],
    audiences: ['anwendung1'],
    maxClockSkewInSeconds: 0,
    publicKeys: { type: 'STATIC_KEYS', keys: STATIC_KEYS } as models.StaticPublicKeySet,
    ...over,
  };
}

function tokenPolicy(validation: Record<string, unknown>, over: Partial<models.TokenAuthenticationPolicy> = {}): models.TokenAuthenticationPolicy {
  return { type: 'TOKEN_AUTHENTICATION', tokenHeader: 'Authorization', tokenAuthScheme: 'Bearer', validationPolicy: validation as never, ...over };
}

function staticDeps(nowSeconds = NOW) {
  const clock = new ControllableClock();
  clock.set(nowSeconds * 1000, true);
  const jwks = new JwksCache({
    clock,
    fetchJwks: async () => {
      throw new Error('static keys must not fetch');
    },
  });
  return { clock, jwks };
}

async function run(policy: TokenAuthentication, request: GatewayRequest, deps = staticDeps()): Promise<AuthenticationResult> {
  return authenticateToken(policy, request, deps);
}

/** The refusal's reason without the pass-through noise, for exact comparison. */
async function refusal(policy: TokenAuthentication, request: GatewayRequest, deps = staticDeps()) {
  const result = await run(policy, request, deps);
  if (result.ok) throw new Error(`expected a refusal, got claims ${JSON.stringify(result.claims)}`);
  expect(result.reason).toBe(result.checks.at(-1));
  expect(result.checks.filter((c) => !c.passed)).toEqual([result.reason]);
  return { status: result.status, anonymous: result.anonymous, wwwAuthenticate: result.wwwAuthenticate, reason: result.reason };
}

const INVALID = { status: 401, anonymous: false, wwwAuthenticate: 'Bearer error="invalid_token"' };

describe('locateToken', () => {
  const header = { tokenHeader: 'Authorization', tokenAuthScheme: 'Bearer' };
  it('reads "<scheme> <token>" with the scheme matched case-insensitively', () => {
    expect(locateToken(header, req({ authorization: 'Bearer abc.def.ghi' }))).toEqual({ kind: 'token', token: 'abc.def.ghi' });
    expect(locateToken(header, req({ authorization: 'bearer abc' }))).toEqual({ kind: 'token', token: 'abc' });
    expect(locateToken(header, req({ authorization: 'BEARER   abc  ' }))).toEqual({ kind: 'token', token: 'abc' });
  });

  it('no header, or an empty one, is no token', () => {
    expect(locateToken(header, req())).toEqual({ kind: 'none' });
    expect(locateToken(header, req({ authorization: '  ' }))).toEqual({ kind: 'none' });
  });

  it('refuses a wrong scheme, a scheme without token, more than one token, and the header sent twice', () => {
    expect(locateToken(header, req({ authorization: 'Basic dXNlcjpwYXNz' }))).toEqual({ kind: 'bad', reason: "the header 'Authorization' uses the scheme 'Basic', not 'Bearer'" });
    expect(locateToken(header, req({ authorization: 'abc.def.ghi' }))).toEqual({ kind: 'bad', reason: "the header 'Authorization' has no 'Bearer' scheme" });
    expect(locateToken(header, req({ authorization: 'Bearer' }))).toEqual({ kind: 'bad', reason: "the header 'Authorization' has the scheme 'Bearer' but no token" });
    expect(locateToken(header, req({ authorization: 'Bearer a b' }))).toEqual({ kind: 'bad', reason: "the header 'Authorization' has 2 words after the scheme; exactly one token is expected" });
    expect(locateToken(header, req({ authorization: ['Bearer a', 'Bearer b'] }))).toEqual({ kind: 'bad', reason: "the header 'Authorization' was sent 2 times" });
  });

  it('reads a custom header without a scheme as the token alone', () => {
    const custom = { tokenHeader: 'X-Token' };
    expect(locateToken(custom, req({ 'x-token': 'abc' }))).toEqual({ kind: 'token', token: 'abc' });
    expect(locateToken(custom, req({ 'x-token': 'Bearer abc' }))).toEqual({ kind: 'bad', reason: "the header 'X-Token' holds 2 words; it must hold the token alone" });
  });

  it('reads a query parameter by its case-sensitive name, once', () => {
    const query = { tokenQueryParam: 'access_token' };
    expect(locateToken(query, req({}, [['access_token', 'abc']]))).toEqual({ kind: 'token', token: 'abc' });
    expect(locateToken(query, req({}, [['Access_Token', 'abc']]))).toEqual({ kind: 'none' });
    expect(locateToken(query, req({}, [['access_token', '']]))).toEqual({ kind: 'none' });
    expect(locateToken(query, req({}, [['access_token', 'a'], ['access_token', 'b']]))).toEqual({ kind: 'bad', reason: "the query parameter 'access_token' was sent 2 times" });
  });

  it('refuses a token in both the header and the query parameter', () => {
    const both = { ...header, tokenQueryParam: 'access_token' };
    expect(locateToken(both, req({ authorization: 'Bearer a' }, [['access_token', 'b']]))).toEqual({
      kind: 'bad',
      reason: "a token was sent both in the header 'Authorization' and in the query parameter 'access_token'",
    });
    expect(locateToken(both, req({}, [['access_token', 'b']]))).toEqual({ kind: 'token', token: 'b' });
  });
});

describe('authenticateToken with STATIC_KEYS (hand-made tokens)', () => {
  it('accepts a valid token and returns every claim, with the trace of passed checks', async () => {
    const result = await run(jwtPolicy(), bearer(jwt(claims())));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.claims).toEqual(claims());
    expect(result.checks.map((c) => [c.check, c.passed, c.message])).toEqual([
      ['authentication.token', true, 'JWT token found.'],
      ['authentication.algorithm', true, 'JWT token algorithm is supported.'],
      ['authentication.kid', true, 'JWT token signed with a configured key.'],
      ['authentication.signature', true, 'JWT token signature is valid.'],
      ['authentication.exp', true, "The 'exp' claim is valid."],
      ['authentication.iat', true, "The 'iat' claim is valid."],
      ['authentication.iss', true, 'JWT token issued by a configured issuer.'],
      ['authentication.aud', true, 'JWT token issued for a configured audience.'],
    ]);
  });

  it('no token: 401, anonymous, a bare Bearer challenge', async () => {
    expect(await refusal(jwtPolicy(), req())).toEqual({
      status: 401,
      anonymous: true,
      wwwAuthenticate: 'Bearer',
      reason: { check: 'authentication.token', passed: false, message: 'JWT token not found in the request.', expected: "a token in the header 'Authorization' with scheme 'Bearer'", found: null },
    });
  });

  it('an unreadable token location: 401, not anonymous', async () => {
    expect(await refusal(jwtPolicy(), req({ authorization: 'Basic dXNlcjpwYXNz' }))).toEqual({
      ...INVALID,
      reason: {
        check: 'authentication.token',
        passed: false,
        message: 'JWT token could not be read from the request.',
        expected: "a token in the header 'Authorization' with scheme 'Bearer'",
        found: "the header 'Authorization' uses the scheme 'Basic', not 'Bearer'",
      },
    });
    expect((await refusal(jwtPolicy(), req({ authorization: [`Bearer ${jwt(claims())}`, `Bearer ${jwt(claims())}`] }))).reason.found).toBe("the header 'Authorization' was sent 2 times");
  });

  it('reads the token from a query parameter', async () => {
    const policy = jwtPolicy({ tokenHeader: undefined, tokenAuthScheme: undefined, tokenQueryParam: 'token' });
    expect((await run(policy, req({}, [['token', jwt(claims())]]))).ok).toBe(true);
    expect((await refusal(policy, req({ authorization: `Bearer ${jwt(claims())}` }))).reason).toMatchObject({ message: 'JWT token not found in the request.', expected: "a token in the query parameter 'token'" });
  });

  it('refuses a token over 8 KiB', async () => {
    const big = 'a'.repeat(8193);
    expect((await refusal(jwtPolicy(), bearer(big))).reason).toEqual({ check: 'authentication.token', passed: false, message: 'JWT token is too large.', expected: 'at most 8192 bytes', found: '8193 bytes' });
    // 8192 bytes is within the limit (and then fails as malformed, not as too large).
    expect((await refusal(jwtPolicy(), bearer('a'.repeat(8192)))).reason.message).toBe('JWT token is malformed.');
  });

  it('refuses what is not a signed JWT in compact form', async () => {
    const found = async (token: string) => {
      const r = await refusal(jwtPolicy(), bearer(token));
      expect(r).toMatchObject({ ...INVALID, reason: { check: 'authentication.token', message: 'JWT token is malformed.', expected: 'a signed JWT (JWS compact serialization)' } });
      return r.reason.found;
    };
    const [h, p] = jwt(claims()).split('.') as [string, string];
    expect(await found('aaa.bbb.ccc.ddd.eee')).toBe('the token has 5 parts: a JWE (encrypted token), which the gateway does not accept');
    expect(await found(`${h}.${p}`)).toBe('the token has 2 parts; a signed JWT has 3');
    expect(await found(`${h}.${p}.`)).toBe('the signature is empty (an unsecured JWT)');
    expect(await found(`${h}.${p}.ab+c`)).toBe('the signature is not base64url');
    expect(await found(`${h}=.${p}.abcd`)).toBe('the header is not base64url');
    expect(await found(`${b64('[1]')}.${p}.abcd`)).toBe('the header is a JSON array, not an object');
    expect(await found(`${h}.${b64('not json')}.abcd`)).toMatch(/^the payload is not JSON \(/);
    expect(await found(`${h}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.abcd`)).toBe('the payload is not valid UTF-8');
    expect(await found(`${b64({ alg: 'RS256', kid: 'K1', crit: ['exp'] })}.${p}.abcd`)).toBe('the header has "crit": critical extensions are not supported');
  });

  it('refuses a payload that names a claim twice, even with a valid signature', async () => {
    const token = signRaw(JSON.stringify({ alg: 'RS256', kid: 'K1' }), `{"iss":"${ISSUER}","aud":"anwendung1","sub":"usecase1_client","exp":${NOW + 60},"sub":"admin"}`);
    expect((await refusal(jwtPolicy(), bearer(token))).reason.found).toBe('the payload is ambiguous: the member "sub" appears twice in one object');
    const escaped = signRaw(JSON.stringify({ alg: 'RS256', kid: 'K1' }), `{"iss":"${ISSUER}","aud":"anwendung1","exp":${NOW + 60},"sub":"a","\\u0073ub":"admin"}`);
    expect((await refusal(jwtPolicy(), bearer(escaped))).reason.found).toBe('the payload is ambiguous: the member "sub" appears twice in one object');
  });

  it('accepts RS256, RS384 and RS512 and refuses every other algorithm', async () => {
    for (const alg of ['RS256', 'RS384', 'RS512'] as const) expect((await run(jwtPolicy(), bearer(jwt(claims(), { alg, kid: 'K2' })))).ok).toBe(true);
    const [, p, s] = jwt(claims()).split('.') as [string, string, string];
    for (const alg of ['none', 'HS256', 'ES256', 'PS256', 'rs256']) {
      expect(await refusal(jwtPolicy(), bearer(`${b64({ alg, kid: 'K1' })}.${p}.${s}`))).toEqual({
        ...INVALID,
        reason: { check: 'authentication.algorithm', passed: false, message: 'JWT token signed with an unsupported algorithm.', expected: ['RS256', 'RS384', 'RS512'], found: alg },
      });
    }
    expect((await refusal(jwtPolicy(), bearer(`${b64({ kid: 'K1' })}.${p}.${s}`))).reason.found).toBe(null);
  });

  it('refuses HS256 signed with the public key as the HMAC secret (algorithm confusion)', async () => {
    const { createHmac } = await import('node:crypto');
    const input = `${b64({ alg: 'HS256', kid: 'K2' })}.${b64(claims())}`;
    const mac = createHmac('sha256', (STATIC_KEYS[1] as unknown as { key: string }).key).update(input).digest('base64url');
    expect((await refusal(jwtPolicy(), bearer(`${input}.${mac}`))).reason).toMatchObject({ check: 'authentication.algorithm', found: 'HS256' });
  });

  it('requires a kid that names a configured key', async () => {
    expect(await refusal(jwtPolicy(), bearer(jwt(claims(), { kid: undefined })))).toEqual({
      ...INVALID,
      reason: { check: 'authentication.kid', passed: false, message: "JWT token header has no 'kid'.", expected: 'the kid of a configured public key', found: null },
    });
    expect(await refusal(jwtPolicy(), bearer(jwt(claims(), { kid: 'K9' })))).toEqual({
      ...INVALID,
      reason: { check: 'authentication.kid', passed: false, message: 'JWT token signed with an unknown key.', expected: ['K1', 'K2', 'WEAK'], found: 'K9' },
    });
    // kid match is exact.
    expect((await refusal(jwtPolicy(), bearer(jwt(claims(), { kid: 'k1' })))).reason.message).toBe('JWT token signed with an unknown key.');
  });

  it('refuses a configured key that OCI would not accept (1024 bits)', async () => {
    expect(await refusal(jwtPolicy(), bearer(jwt(claims(), { kid: 'WEAK', key: weak.privateKey })))).toEqual({
      ...INVALID,
      reason: {
        check: 'authentication.publicKey',
        passed: false,
        message: "The public key with kid 'WEAK' cannot verify JWT tokens.",
        expected: 'an RSA signing key of 2048 to 4096 bits',
        found: 'the RSA key has 1024 bits; 2048 to 4096 are accepted',
      },
    });
  });

  it("refuses a token whose alg differs from the key's alg", async () => {
    expect((await refusal(jwtPolicy(), bearer(jwt(claims(), { alg: 'RS512', kid: 'K1' })))).reason).toEqual({
      check: 'authentication.algorithm',
      passed: false,
      message: "JWT token algorithm does not match the public key's 'alg'.",
      expected: 'RS256',
      found: 'RS512',
    });
  });

  it('refuses a signature by another key, and a payload changed after signing', async () => {
    const signatureFailure = {
      ...INVALID,
      reason: { check: 'authentication.signature', passed: false, message: 'JWT token signature is invalid.', expected: "an RS256 signature by the key 'K1'", found: 'a signature that does not verify' },
    };
    expect(await refusal(jwtPolicy(), bearer(jwt(claims(), { key: stranger.privateKey })))).toEqual(signatureFailure);
    const [h, , s] = jwt(claims()).split('.') as [string, string, string];
    expect(await refusal(jwtPolicy(), bearer(`${h}.${b64(claims({ sub: 'admin' }))}.${s}`))).toEqual(signatureFailure);
    // A signature of the wrong length does not throw; it fails.
    expect(await refusal(jwtPolicy(), bearer(`${h}.${b64(claims())}.AAAA`))).toEqual(signatureFailure);
  });

  it('accepts a PEM static key', async () => {
    expect((await run(jwtPolicy(), bearer(jwt(claims(), { kid: 'K2' })))).ok).toBe(true);
  });

  it("requires exp: missing, non-numeric, or past (with OCI's message)", async () => {
    const expFailure = (found: unknown) => ({ ...INVALID, reason: { check: 'authentication.exp', passed: false, message: "Validation failed for 'exp' claim.", expected: `exp > ${NOW}`, found } });
    expect(await refusal(jwtPolicy(), bearer(jwt(claims({ exp: undefined }))))).toEqual(expFailure(null));
    expect(await refusal(jwtPolicy(), bearer(jwt(claims({ exp: String(NOW + 60) }))))).toEqual(expFailure(String(NOW + 60)));
    expect(await refusal(jwtPolicy(), bearer(jwt(claims({ exp: NOW }))))).toEqual(expFailure(NOW));
  });

  it('exp boundary with maxClockSkewInSeconds 0 and 120', async () => {
    const token = bearer(jwt(claims({ exp: NOW })));
    const at = (seconds: number) => staticDeps(seconds);
    expect((await run(jwtPolicy(), token, at(NOW - 0.001))).ok).toBe(true);
    expect((await refusal(jwtPolicy(), token, at(NOW))).reason.message).toBe("Validation failed for 'exp' claim.");
    const skewed = jwtPolicy({ maxClockSkewInSeconds: 120 });
    expect((await run(skewed, token, at(NOW + 119.999))).ok).toBe(true);
    expect((await refusal(skewed, token, at(NOW + 120))).reason).toEqual({ check: 'authentication.exp', passed: false, message: "Validation failed for 'exp' claim.", expected: `exp > ${NOW}`, found: NOW });
  });

  it('nbf, when present, boundary with the skew', async () => {
    const token = bearer(jwt(claims({ nbf: NOW + 30 })));
    expect((await run(jwtPolicy(), token, staticDeps(NOW + 30))).ok).toBe(true);
    expect((await refusal(jwtPolicy(), token, staticDeps(NOW + 29))).reason).toEqual({
      check: 'authentication.nbf',
      passed: false,
      message: "Validation failed for 'nbf' claim.",
      expected: `nbf <= ${NOW + 29}`,
      found: NOW + 30,
    });
    const skewed = jwtPolicy({ maxClockSkewInSeconds: 30 });
    expect((await run(skewed, token, staticDeps(NOW))).ok).toBe(true);
    expect((await refusal(skewed, token, staticDeps(NOW - 0.5))).reason.message).toBe("Validation failed for 'nbf' claim.");
    expect((await refusal(jwtPolicy(), bearer(jwt(claims({ nbf: 'soon' }))))).reason).toMatchObject({ check: 'authentication.nbf', found: 'soon' });
  });

  it('iss must equal a configured issuer exactly: the trailing slash matters', async () => {
    const noSlash = jwtPolicy({ issuers: ['https://identity.oraclecloud.com'] });
    expect(await refusal(noSlash, bearer(jwt(claims())))).toEqual({
      ...INVALID,
      reason: { check: 'authentication.iss', passed: false, message: 'JWT token not issued by the configured issuers.', expected: ['https://identity.oraclecloud.com'], found: ISSUER },
    });
    expect((await run(jwtPolicy({ issuers: ['https://other.example', ISSUER] }), bearer(jwt(claims())))).ok).toBe(true);
    expect((await refusal(jwtPolicy(), bearer(jwt(claims({ iss: [ISSUER] }))))).reason).toMatchObject({ check: 'authentication.iss', found: [ISSUER] });
    expect((await refusal(jwtPolicy(), bearer(jwt(claims({ iss: undefined }))))).reason).toMatchObject({ check: 'authentication.iss', found: null });
  });

  it('aud as a string or an array: any element equal to any configured audience', async () => {
    expect(await refusal(jwtPolicy(), bearer(jwt(claims({ aud: 'anwendung2' }))))).toEqual({
      ...INVALID,
      reason: { check: 'authentication.aud', passed: false, message: 'JWT token not issued for the configured audience.', expected: ['anwendung1'], found: 'anwendung2' },
    });
    expect((await run(jwtPolicy(), bearer(jwt(claims({ aud: ['x', 'anwendung1'] }))))).ok).toBe(true);
    expect((await run(jwtPolicy({ audiences: ['y', 'x'] }), bearer(jwt(claims({ aud: ['x', 'anwendung1'] }))))).ok).toBe(true);
    expect((await refusal(jwtPolicy(), bearer(jwt(claims({ aud: ['x', 'y'] }))))).reason).toMatchObject({ check: 'authentication.aud', found: ['x', 'y'] });
    expect((await refusal(jwtPolicy(), bearer(jwt(claims({ aud: 'Anwendung1' }))))).reason.check).toBe('authentication.aud');
    expect((await refusal(jwtPolicy(), bearer(jwt(claims({ aud: undefined }))))).reason).toMatchObject({ check: 'authentication.aud', found: null });
  });

  it("the blog's trap through the gateway: verifyClaims scope 'AnwendungReadA' refuses 'AnwendungReadA AnwendungWriteA'", async () => {
    const policy = jwtPolicy({ verifyClaims: [{ key: 'scope', values: ['AnwendungReadA'], isRequired: true }] });
    expect(await refusal(policy, bearer(jwt(claims({ scope: 'AnwendungReadA AnwendungWriteA' }))))).toEqual({
      ...INVALID,
      reason: {
        check: 'authentication.verifyClaims',
        passed: false,
        message: "JWT token does not have the expected claim value for 'scope'.",
        expected: ['AnwendungReadA'],
        found: 'AnwendungReadA AnwendungWriteA',
      },
    });
    expect((await run(policy, bearer(jwt(claims({ scope: 'AnwendungReadA' }))))).ok).toBe(true);
  });

  it('verifyClaims: a missing required claim, and the first failing rule decides', async () => {
    const policy = jwtPolicy({
      verifyClaims: [
        { key: 'sub', values: ['usecase1_client'] },
        { key: 'APIGWMichael4', values: ['Api1Access'], isRequired: true },
        { key: 'scope', values: ['nope'], isRequired: true },
      ],
    });
    const result = await run(policy, bearer(jwt(claims())));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toEqual({ check: 'authentication.verifyClaims', passed: false, message: "JWT token missing required claim 'APIGWMichael4'.", expected: ['Api1Access'], found: null });
    expect(result.checks.slice(-2).map((c) => [c.passed, c.message])).toEqual([
      [true, "JWT token has an expected claim value for 'sub'."],
      [false, "JWT token missing required claim 'APIGWMichael4'."],
    ]);
  });

  it('checks claims only after the signature', async () => {
    const expiredForgery = jwt(claims({ exp: NOW - 100, aud: 'other' }), { key: stranger.privateKey });
    expect((await refusal(jwtPolicy(), bearer(expiredForgery))).reason.check).toBe('authentication.signature');
  });

  it('a custom tokenAuthScheme is matched and used in the challenge', async () => {
    const policy = jwtPolicy({ tokenAuthScheme: 'Token' });
    expect((await run(policy, req({ authorization: `token ${jwt(claims())}` }))).ok).toBe(true);
    expect((await refusal(policy, req())).wwwAuthenticate).toBe('Token');
    expect((await refusal(policy, req({ authorization: `Token ${jwt(claims({ aud: 'x' }))}` }))).wwwAuthenticate).toBe('Token error="invalid_token"');
  });
});

describe('authenticateToken with TOKEN_AUTHENTICATION', () => {
  const staticValidation = (additional?: Record<string, unknown>) => ({ type: 'STATIC_KEYS', keys: STATIC_KEYS, ...(additional ? { additionalValidationPolicy: additional } : {}) });

  it('without additionalValidationPolicy, iss and aud are not checked', async () => {
    const result = await run(tokenPolicy(staticValidation()), bearer(jwt(claims({ iss: 'anyone', aud: 'anything' }))));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.checks.slice(-2)).toEqual([
      { check: 'authentication.iss', passed: true, message: "No issuers configured: 'iss' is not checked.", found: 'anyone' },
      { check: 'authentication.aud', passed: true, message: "No audiences configured: 'aud' is not checked.", found: 'anything' },
    ]);
  });

  it('exp is checked even without additionalValidationPolicy', async () => {
    expect((await refusal(tokenPolicy(staticValidation()), bearer(jwt(claims({ exp: NOW - 1 }))))).reason.message).toBe("Validation failed for 'exp' claim.");
  });

  it('applies each of issuers, audiences and verifyClaims when present', async () => {
    const issuersOnly = tokenPolicy(staticValidation({ issuers: ['https://identity.oraclecloud.com'] }));
    expect((await refusal(issuersOnly, bearer(jwt(claims())))).reason.message).toBe('JWT token not issued by the configured issuers.');
    const audiencesOnly = tokenPolicy(staticValidation({ audiences: ['anwendung2'] }));
    expect((await refusal(audiencesOnly, bearer(jwt(claims())))).reason.message).toBe('JWT token not issued for the configured audience.');
    const claimsOnly = tokenPolicy(staticValidation({ verifyClaims: [{ key: 'sub', values: ['someone else'] }] }));
    expect((await refusal(claimsOnly, bearer(jwt(claims())))).reason.message).toBe("JWT token does not have the expected claim value for 'sub'.");
    const all = tokenPolicy(staticValidation({ issuers: [ISSUER], audiences: ['anwendung1'], verifyClaims: [{ key: 'sub', values: ['usecase1_client'] }] }));
    expect((await run(all, bearer(jwt(claims())))).ok).toBe(true);
  });

  it('REMOTE_DISCOVERY is not emulated here: 500', async () => {
    const policy = tokenPolicy({ type: 'REMOTE_DISCOVERY', clientDetails: { type: 'VALIDATION_BLOCK' }, sourceUriDetails: { type: 'DISCOVERY_URI', uri: 'https://x/.well-known/openid-configuration' } });
    expect(await refusal(policy, bearer(jwt(claims())))).toEqual({
      status: 500,
      anonymous: false,
      wwwAuthenticate: undefined,
      reason: { check: 'authentication.publicKey', passed: false, message: "Token validation policy type 'REMOTE_DISCOVERY' is not emulated.", expected: ['REMOTE_JWKS', 'STATIC_KEYS'], found: 'REMOTE_DISCOVERY' },
    });
  });
});

describe('authenticateToken with REMOTE_JWKS from the mock IAM', () => {
  let iam: TestIam;
  let jwksUri: string;
  const T = Date.UTC(2030, 5, 1);
  beforeAll(async () => {
    iam = await startTestIam();
    iam.clock.set(T, true);
    jwksUri = `${iam.url}/admin/v1/SigningCert/jwk`;
  });
  afterAll(() => iam?.stop());

  const remote = (over: Partial<models.JwtAuthenticationPolicy> = {}) => jwtPolicy({ publicKeys: { type: 'REMOTE_JWKS', uri: jwksUri, maxCacheDurationInHours: 1 } as models.RemoteJsonWebKeySet, ...over });
  const iamDeps = () => ({ clock: iam.clock, jwks: new JwksCache({ clock: iam.clock }) });
  const useCase1Token = async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: SEEDED.useCase1.scope }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  };

  it('use case 1: a client-credentials token of the IAM (JWK key_ops ["verify","encrypt"]) is accepted', async () => {
    const token = await useCase1Token();
    const deps = iamDeps();
    const result = await authenticateToken(remote({ verifyClaims: [{ key: 'scope', values: ['AnwendungReadA'], isRequired: true }] }), bearer(token), deps);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.claims).toMatchObject({ iss: ISSUER, aud: 'anwendung1', scope: 'AnwendungReadA', sub: 'usecase1_client', exp: T / 1000 + 3600 });
    expect(result.claims).toEqual(decodeJwtParts(token).claims);
    expect(deps.jwks.stats()).toEqual({ fetches: 1, entries: 1 });
    expect((await authenticateToken(remote(), bearer(token), deps)).ok).toBe(true);
    expect(deps.jwks.stats().fetches).toBe(1);
  });

  it('the same token through TOKEN_AUTHENTICATION with additionalValidationPolicy', async () => {
    const token = await useCase1Token();
    const policy = tokenPolicy({ type: 'REMOTE_JWKS', uri: jwksUri, maxCacheDurationInHours: 1, additionalValidationPolicy: { issuers: [ISSUER], audiences: ['anwendung1'] } });
    expect((await authenticateToken(policy, bearer(token), iamDeps())).ok).toBe(true);
  });

  it('use case 2: the user token carries three audiences; configuring one of them is enough', async () => {
    const res = await tokenRequest(
      iam,
      { grant_type: 'password', username: SEEDED.user.userName, password: SEEDED.user.password, scope: 'urn:opc:idm:__myscopes__' },
      { authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) },
    );
    const token = res.body.access_token as string;
    expect(decodeJwtParts(token).claims.aud).toEqual([SECURE_DOMAIN_URL, DOMAIN_URL, LBAAS_AUDIENCE]);
    const policy = remote({ audiences: [DOMAIN_URL], verifyClaims: [{ key: 'APIGWMichael4', values: ['Api1Access'], isRequired: true }] });
    const result = await authenticateToken(policy, bearer(token), iamDeps());
    expect(result.ok && result.claims.sub).toBe('usecase2.user');
    expect(await refusal(remote({ audiences: ['anwendung1'] }), bearer(token), iamDeps())).toEqual({
      ...INVALID,
      reason: { check: 'authentication.aud', passed: false, message: 'JWT token not issued for the configured audience.', expected: ['anwendung1'], found: [SECURE_DOMAIN_URL, DOMAIN_URL, LBAAS_AUDIENCE] },
    });
  });

  it('exp boundary with the IAM clock and a 120 s skew; the JWKS is refetched after an hour', async () => {
    iam.clock.set(T, true);
    const token = await useCase1Token();
    const exp = T / 1000 + 3600;
    const deps = iamDeps();
    const policy = remote({ maxClockSkewInSeconds: 120 });
    iam.clock.set((exp + 120) * 1000 - 1, true);
    expect((await authenticateToken(policy, bearer(token), deps)).ok).toBe(true);
    iam.clock.set((exp + 120) * 1000, true);
    expect((await refusal(policy, bearer(token), deps)).reason).toEqual({ check: 'authentication.exp', passed: false, message: "Validation failed for 'exp' claim.", expected: `exp > ${exp}`, found: exp });
    iam.clock.set(T, true);
  });

  it('refetches the JWKS when maxCacheDurationInHours has passed', async () => {
    iam.clock.set(T, true);
    const deps = iamDeps();
    expect((await authenticateToken(remote(), bearer(await useCase1Token()), deps)).ok).toBe(true);
    iam.clock.set(T + 3_600_000 - 1, true);
    expect((await authenticateToken(remote(), bearer(await useCase1Token()), deps)).ok).toBe(true);
    expect(deps.jwks.stats().fetches).toBe(1);
    iam.clock.set(T + 3_600_000, true);
    expect((await authenticateToken(remote(), bearer(await useCase1Token()), deps)).ok).toBe(true);
    expect(deps.jwks.stats().fetches).toBe(2);
    iam.clock.set(T, true);
  });

  it('one JWKS fetch for 50 concurrent requests', async () => {
    const token = await useCase1Token();
    const deps = iamDeps();
    const results = await Promise.all(Array.from({ length: 50 }, () => authenticateToken(remote(), bearer(token), deps)));
    expect(results.filter((r) => r.ok)).toHaveLength(50);
    expect(deps.jwks.stats()).toEqual({ fetches: 1, entries: 1 });
  });

  it('a JWKS that cannot be fetched or used answers 500 (no challenge)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const downUri = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/admin/v1/SigningCert/jwk`;
    await new Promise<void>((r) => closed.close(() => r()));
    const token = await useCase1Token();

    const down = await refusal(remote({ publicKeys: { type: 'REMOTE_JWKS', uri: downUri } as models.RemoteJsonWebKeySet }), bearer(token), iamDeps());
    expect(down).toMatchObject({
      status: 500,
      anonymous: false,
      wwwAuthenticate: undefined,
      reason: { check: 'authentication.publicKey', passed: false, message: 'Failed to retrieve the public keys from the JWKS URI.', expected: `a usable JWKS at ${downUri}` },
    });
    expect(down.reason.found).toMatch(/ECONNREFUSED/);

    const notFound = await refusal(remote({ publicKeys: { type: 'REMOTE_JWKS', uri: `${iam.url}/admin/v1/SigningCert/nope` } as models.RemoteJsonWebKeySet }), bearer(token), iamDeps());
    expect(notFound.status).toBe(500);
    expect(notFound.reason.found).toBe(`the JWKS at ${iam.url}/admin/v1/SigningCert/nope cannot be used: GET ${iam.url}/admin/v1/SigningCert/nope answered HTTP 404`);

    const notAJwks = await refusal(remote({ publicKeys: { type: 'REMOTE_JWKS', uri: `${iam.url}/_harness/health` } as models.RemoteJsonWebKeySet }), bearer(token), iamDeps());
    expect(notAJwks.status).toBe(500);
    expect(notAJwks.reason.found).toBe(`the JWKS at ${iam.url}/_harness/health cannot be used: the document has no "keys" array`);

    // A request without a token never reaches the JWKS: 401, anonymous.
    const deps = iamDeps();
    expect((await refusal(remote({ publicKeys: { type: 'REMOTE_JWKS', uri: downUri } as models.RemoteJsonWebKeySet }), req(), deps)).status).toBe(401);
    expect(deps.jwks.stats().fetches).toBe(0);
  });
});

describe('key rotation at the IAM', () => {
  let iam: TestIam;
  beforeAll(async () => {
    iam = await startTestIam();
  });
  afterAll(() => iam?.stop());

  it('a new kid is picked up by one refetch; another unknown kid within the cooldown is refused without a fetch', async () => {
    const uri = `${iam.url}/admin/v1/SigningCert/jwk`;
    const clock = new ControllableClock();
    clock.set(Date.now(), true);
    const deps = { clock, jwks: new JwksCache({ clock, unknownKidCooldownSeconds: 30 }) };
    const policy = jwtPolicy({ publicKeys: { type: 'REMOTE_JWKS', uri, maxCacheDurationInHours: 1 } as models.RemoteJsonWebKeySet });
    const token = async () => {
      const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: SEEDED.useCase1.scope }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
      return res.body.access_token as string;
    };

    const before = await token();
    expect(decodeJwtParts(before).header.kid).toBe('SIGNING_KEY');
    expect((await authenticateToken(policy, bearer(before), deps)).ok).toBe(true);
    expect(deps.jwks.stats().fetches).toBe(1);

    const rotated = await fetch(`${iam.url}/_harness/signing-keys/rotate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kid: 'K2' }) });
    expect(rotated.status).toBe(200);
    const after = await token();
    expect(decodeJwtParts(after).header.kid).toBe('K2');
    clock.advance(1000);
    expect((await authenticateToken(policy, bearer(after), deps)).ok).toBe(true);
    expect(deps.jwks.stats().fetches).toBe(2);
    // The old key is still published, and now cached with the new one.
    expect((await authenticateToken(policy, bearer(before), deps)).ok).toBe(true);
    expect(deps.jwks.stats().fetches).toBe(2);

    const forged = jwt(decodeJwtParts(after).claims, { kid: 'K3' });
    clock.advance(30_000 - 1);
    expect(await refusal(policy, bearer(forged), deps)).toEqual({
      ...INVALID,
      reason: { check: 'authentication.kid', passed: false, message: 'JWT token signed with an unknown key.', expected: `a kid published at ${uri}`, found: 'K3' },
    });
    expect(deps.jwks.stats().fetches).toBe(2);
    clock.advance(1);
    expect((await refusal(policy, bearer(forged), deps)).reason.found).toBe('K3');
    expect(deps.jwks.stats().fetches).toBe(3);
  });
});
