/**
 * The verified-token cache: a repeated token is verified once, yet every request still runs the
 * checks that can change (exp/nbf with the clock and skew, iss, aud, verifyClaims, and whether the
 * kid's key is still served), with the same trace as without the cache. Entries never cross key
 * sources, a key a JWKS refresh drops or replaces ends its entries, and the bound evicts.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { models } from 'oci-apigateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { newRequestId } from '../../gateway-emulator/data-plane.js';
import {
  authenticateToken,
  verifyRsSignature,
  type AuthenticationResult,
  type SignatureVerifier,
  type TokenAuthentication,
  type TokenAuthenticationDeps,
} from '../../gateway-emulator/pipeline/authenticate-token.js';
import { JwksCache } from '../../gateway-emulator/pipeline/jwks-cache.js';
import type { CheckResult, GatewayRequest } from '../../gateway-emulator/pipeline/types.js';
import {
  cachedSignatureHolds,
  DEFAULT_MAX_VERIFIED_TOKENS,
  keySourceId,
  TOKEN_TAIL,
  VerifiedTokenCache,
  type VerifiedToken,
} from '../../gateway-emulator/pipeline/verified-token-cache.js';
import type { RunningStack } from '../../stack/stack.js';
import { basic, decodeJwtParts, http, SEEDED, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';
import { startTestStack } from '../support/stack.js';

const ISSUER = 'https://identity.oraclecloud.com/';
/** "Now" for the hand-made tokens, in seconds. */
const NOW = Date.UTC(2030, 0, 1) / 1000;

const k1 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

const jwkOf = (key: KeyObject, kid: string) => ({ ...(key.export({ format: 'jwk' }) as object), kid, format: 'JSON_WEB_KEY', alg: 'RS256' }) as unknown as models.StaticPublicKey;
/** Deployment A's static keys: K1 is k1. */
const KEYS_A = [jwkOf(k1.publicKey, 'K1')];
/** Deployment B's static keys: its K1 is another key under the same kid. */
const KEYS_B = [jwkOf(stranger.publicKey, 'K1')];

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function jwt(payload: Record<string, unknown>, key: KeyObject = k1.privateKey, kid = 'K1'): string {
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}
const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: 'anwendung1', sub: 'usecase1_client', scope: 'AnwendungReadA', iat: NOW - 10, exp: NOW + 3600, ...extra });

const bearer = (token: string): GatewayRequest => ({ method: 'GET', path: '/test/1', rawQuery: '', query: [], headers: { authorization: [`Bearer ${token}`] }, host: 'gw.local', clientIp: '127.0.0.1' });

type KeySet = models.JwtAuthenticationPolicy['publicKeys'];
const staticKeys = (keys: models.StaticPublicKey[]): KeySet => ({ type: 'STATIC_KEYS', keys }) as models.StaticPublicKeySet;

function policy(keys: KeySet = staticKeys(KEYS_A), over: Partial<models.JwtAuthenticationPolicy> = {}): models.JwtAuthenticationPolicy {
  return {
    type: 'JWT_AUTHENTICATION',
    isAnonymousAccessAllowed: false,
    tokenHeader: 'Authorization',
    tokenAuthScheme: 'Bearer',
    issuers: [ISSUER],
    audiences: ['anwendung1'],
    maxClockSkewInSeconds: 0,
    publicKeys: keys,
    ...over,
  };
}
const remote = (uri: string): KeySet => ({ type: 'REMOTE_JWKS', uri, maxCacheDurationInHours: 1 }) as models.RemoteJsonWebKeySet;

/** A verify function that counts its calls: the signature work a cache hit must skip. */
function countingVerifier(): { verify: SignatureVerifier; calls: () => number } {
  let calls = 0;
  return {
    verify: (alg, input, key, signature) => {
      calls++;
      return verifyRsSignature(alg, input, key, signature);
    },
    calls: () => calls,
  };
}

/** Deps on a frozen clock at `NOW`, with a counted verifier and a cache of its own. */
function setup(options: { maxEntries?: number; fetchJwks?: (uri: string) => Promise<unknown> } = {}) {
  const clock = new ControllableClock();
  clock.set(NOW * 1000, true);
  const jwks = new JwksCache({
    clock,
    fetchJwks:
      options.fetchJwks ??
      (async () => {
        throw new Error('static keys must not fetch');
      }),
  });
  const counter = countingVerifier();
  const cache = new VerifiedTokenCache(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries });
  const deps: TokenAuthenticationDeps = { clock, jwks, verifiedTokens: cache, verifySignature: counter.verify };
  return { clock, jwks, cache, deps, verifications: counter.calls };
}

const run = (p: TokenAuthentication, token: string, deps: TokenAuthenticationDeps) => authenticateToken(p, bearer(token), deps);

function refused(result: AuthenticationResult): CheckResult {
  if (result.ok) throw new Error(`expected a refusal, got claims ${JSON.stringify(result.claims)}`);
  expect(result.status).toBe(401);
  expect(result.checks.filter((c) => !c.passed)).toEqual([result.reason]);
  return result.reason;
}

/** The trace of a cache hit: the uncached trace with `found: {cached: true}` on the signature check. */
const asCached = (checks: CheckResult[]) => checks.map((c) => (c.check === 'authentication.signature' ? { ...c, found: { cached: true } } : c));

const dummyEntry = (kid: string): VerifiedToken => ({ header: { alg: 'RS256', kid }, claims: { sub: kid }, alg: 'RS256', kid, key: k1.publicKey });

describe('VerifiedTokenCache', () => {
  it('holds 10 000 entries unless told otherwise', () => {
    expect(DEFAULT_MAX_VERIFIED_TOKENS).toBe(10_000);
    expect(new VerifiedTokenCache().maxEntries).toBe(10_000);
    expect(new VerifiedTokenCache({ maxEntries: 0 }).maxEntries).toBe(10_000);
    expect(new VerifiedTokenCache({ maxEntries: 3 }).maxEntries).toBe(3);
  });

  it('evicts the least recently used entry when full; a hit makes an entry recent again', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 2 });
    cache.set('S', 'a', dummyEntry('a'));
    cache.set('S', 'b', dummyEntry('b'));
    expect(cache.get('S', 'a')?.kid).toBe('a');
    cache.set('S', 'c', dummyEntry('c'));
    expect(cache.get('S', 'b')).toBeUndefined();
    expect(cache.get('S', 'a')?.kid).toBe('a');
    expect(cache.get('S', 'c')?.kid).toBe('c');
    expect(cache.stats()).toEqual({ entries: 2, hits: 3, misses: 1, evictions: 1, declined: 0 });
  });

  it('agrees with a plain LRU model over 5 000 random gets, sets and deletes', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 5 });
    // The model: most recent last.
    let model: string[] = [];
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 5_000; i++) {
      const token = `t${random(12)}`;
      const op = random(10);
      if (op < 5) {
        const found = cache.get('S', token);
        expect(found?.kid, `get ${token} at step ${i}`).toBe(model.includes(token) ? token : undefined);
        if (found) model = [...model.filter((t) => t !== token), token];
      } else if (op < 9) {
        cache.set('S', token, dummyEntry(token));
        model = [...model.filter((t) => t !== token), token].slice(-5);
      } else {
        cache.delete('S', token);
        model = model.filter((t) => t !== token);
      }
      expect(cache.stats().entries).toBe(model.length);
    }
    // Whatever is left answers, and nothing else does.
    for (let t = 0; t < 12; t++) expect(cache.get('S', `t${t}`)?.kid).toBe(model.includes(`t${t}`) ? `t${t}` : undefined);
  });

  it('keys on the source and the token together: the same token under another source is a miss', () => {
    const cache = new VerifiedTokenCache();
    cache.set('REMOTE_JWKS https://a', 'tok', dummyEntry('a'));
    expect(cache.get('REMOTE_JWKS https://b', 'tok')).toBeUndefined();
    // Text shifted between source and token does not spell the same key.
    expect(cache.get('REMOTE_JWKS https://', 'atok')).toBeUndefined();
    expect(cache.get('REMOTE_JWKS https://a', 'tok')?.kid).toBe('a');
  });

  it('a token that merely ends like a cached one is a miss, and its verification takes the place', () => {
    const cache = new VerifiedTokenCache();
    const tail = 'T'.repeat(TOKEN_TAIL);
    cache.set('S', `first.${tail}`, dummyEntry('first'));
    expect(cache.get('S', `other.${tail}`)).toBeUndefined();
    cache.delete('S', `other.${tail}`);
    expect(cache.get('S', `first.${tail}`)?.kid).toBe('first');
    cache.set('S', `other.${tail}`, dummyEntry('other'));
    expect(cache.get('S', `first.${tail}`)).toBeUndefined();
    expect(cache.get('S', `other.${tail}`)?.kid).toBe('other');
    expect(cache.stats()).toEqual({ entries: 1, hits: 2, misses: 2, evictions: 0, declined: 0 });
  });

  it('offer stores while there is room; once full, only a token offered before within the last maxEntries offers', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 3 });
    expect(['a', 'b', 'c'].map((t) => cache.offer('S', `tok-${t}`, dummyEntry(t)))).toEqual([true, true, true]);
    expect(cache.offer('S', 'tok-d', dummyEntry('d'))).toBe(false);
    expect(cache.get('S', 'tok-d')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 3, evictions: 0, declined: 1 });
    // Its second offer within the window: stored, the least recently used (a) evicted.
    expect(cache.offer('S', 'tok-d', dummyEntry('d'))).toBe(true);
    expect(cache.get('S', 'tok-d')?.kid).toBe('d');
    expect(cache.get('S', 'tok-a')).toBeUndefined();
    // A cached token offered again (verified anew after a JWKS refresh) replaces its own entry, full or not.
    expect(cache.offer('S', 'tok-b', dummyEntry('b2'))).toBe(true);
    expect(cache.get('S', 'tok-b')?.kid).toBe('b2');
    expect(cache.stats()).toMatchObject({ entries: 3, evictions: 1, declined: 1 });
  });

  it('offer forgets what it saw after maxEntries further offers', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 2 });
    cache.set('S', 'x', dummyEntry('x'));
    cache.set('S', 'y', dummyEntry('y'));
    expect(cache.offer('S', 'once', dummyEntry('once'))).toBe(false);
    expect(cache.offer('S', 'other', dummyEntry('other'))).toBe(false);
    // Two further offers have passed: 'once' is new again.
    expect(cache.offer('S', 'once', dummyEntry('once'))).toBe(false);
    expect(cache.offer('S', 'once', dummyEntry('once'))).toBe(true);
    expect(cache.stats()).toMatchObject({ entries: 2, declined: 3 });
  });

  it('a client minting a new token per request does not churn a full cache: the entries in use stay', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 100 });
    for (let i = 0; i < 100; i++) cache.set('S', `kept-${i}`, dummyEntry(`kept-${i}`));
    for (let i = 0; i < 10_000; i++) cache.offer('S', `minted-${i}-${'x'.repeat(TOKEN_TAIL)}${i}`, dummyEntry('m'));
    expect(cache.stats()).toMatchObject({ entries: 100, evictions: 0, declined: 10_000 });
    expect(cache.get('S', 'kept-0')?.kid).toBe('kept-0');
  });

  it('freezes what it stores, nested values included', () => {
    const cache = new VerifiedTokenCache();
    const entry = { ...dummyEntry('a'), claims: { aud: ['x', 'y'], nested: { k: 1 } } };
    cache.set('S', 't', entry);
    expect(Object.isFrozen(entry.claims)).toBe(true);
    expect(Object.isFrozen(entry.claims.aud)).toBe(true);
    expect(Object.isFrozen(entry.claims.nested)).toBe(true);
    expect(Object.isFrozen(entry.header)).toBe(true);
  });

  it('keySourceId: a JWKS is named by its URI; every static key list is a source of its own', () => {
    expect(keySourceId({ type: 'REMOTE_JWKS', uri: 'https://idcs.example/admin/v1/SigningCert/jwk' })).toBe('REMOTE_JWKS https://idcs.example/admin/v1/SigningCert/jwk');
    const a = keySourceId({ type: 'STATIC_KEYS', keys: KEYS_A });
    expect(a).toMatch(/^STATIC_KEYS #\d+$/);
    expect(keySourceId({ type: 'STATIC_KEYS', keys: KEYS_A })).toBe(a);
    expect(keySourceId({ type: 'STATIC_KEYS', keys: [...KEYS_A] })).not.toBe(a);
  });

  it('cachedSignatureHolds only for the very key and algorithm that verified', () => {
    const entry = dummyEntry('K1');
    expect(cachedSignatureHolds(entry, k1.publicKey, 'RS256')).toBe(true);
    expect(cachedSignatureHolds(entry, stranger.publicKey, 'RS256')).toBe(false);
    expect(cachedSignatureHolds(entry, k1.publicKey, 'RS512')).toBe(false);
  });

});

describe('authenticateToken with the verified-token cache', () => {
  it('verifies a repeated token once; the trace is the uncached one plus found {cached: true}', async () => {
    const { deps, cache, verifications } = setup();
    const token = jwt(claims());
    const uncached = await run(policy(), token, { ...deps, verifiedTokens: null });
    expect(uncached.ok).toBe(true);
    expect(verifications()).toBe(1);

    const first = await run(policy(), token, deps);
    const second = await run(policy(), token, deps);
    const third = await run(policy(), token, deps);
    expect(verifications()).toBe(2);
    expect(cache.stats()).toEqual({ entries: 1, hits: 2, misses: 1, evictions: 0, declined: 0 });
    expect(first.checks).toEqual(uncached.checks);
    expect(second.checks).toEqual(asCached(uncached.checks));
    expect(third.checks).toEqual(asCached(uncached.checks));
    expect(second.checks.find((c) => c.check === 'authentication.signature')).toEqual({
      check: 'authentication.signature',
      passed: true,
      message: 'JWT token signature is valid.',
      expected: "an RS256 signature by the key 'K1'",
      found: { cached: true },
    });
    if (!third.ok || !uncached.ok) throw new Error('expected success');
    expect(third.claims).toEqual(claims());
  });

  it('hands out frozen claims: one request cannot change what the next one sees', async () => {
    const { deps } = setup();
    const token = jwt(claims());
    const first = await run(policy(), token, deps);
    if (!first.ok) throw new Error('expected success');
    expect(() => {
      (first.claims as Record<string, unknown>).sub = 'someone else';
    }).toThrow(TypeError);
    const second = await run(policy(), token, deps);
    if (!second.ok) throw new Error('expected success');
    expect(second.claims.sub).toBe('usecase1_client');
  });

  it('without a cache every request verifies; each cache counts only its own tokens', async () => {
    const { clock, jwks } = setup();
    const counter = countingVerifier();
    const token = jwt(claims());
    await run(policy(), token, { clock, jwks, verifySignature: counter.verify });
    await run(policy(), token, { clock, jwks, verifySignature: counter.verify });
    expect(counter.calls()).toBe(2);
    const cache = new VerifiedTokenCache();
    await run(policy(), token, { clock, jwks, verifiedTokens: cache, verifySignature: counter.verify });
    await run(policy(), token, { clock, jwks, verifiedTokens: cache, verifySignature: counter.verify });
    expect(counter.calls()).toBe(3);
    expect(cache.stats()).toEqual({ entries: 1, hits: 1, misses: 1, evictions: 0, declined: 0 });
    await run(policy(), token, { clock, jwks, verifiedTokens: new VerifiedTokenCache(), verifySignature: counter.verify });
    expect(counter.calls()).toBe(4);
  });

  it('expiry still refuses a cached token, with the same trace as without the cache', async () => {
    const { clock, deps, verifications } = setup();
    const exp = NOW + 60;
    const token = jwt(claims({ exp }));
    expect((await run(policy(), token, deps)).ok).toBe(true);
    clock.set(exp * 1000, true);
    const hit = await run(policy(), token, deps);
    expect(refused(hit)).toEqual({ check: 'authentication.exp', passed: false, message: "Validation failed for 'exp' claim.", expected: `exp > ${exp}`, found: exp });
    expect(verifications()).toBe(1);
    const uncached = await run(policy(), token, { ...deps, verifiedTokens: null });
    expect(hit.checks).toEqual(asCached(uncached.checks));
    expect(verifications()).toBe(2);
  });

  it("the policy's clock skew applies on every hit: accepted at exp + skew - 1, refused at exp + skew", async () => {
    const { clock, deps, verifications } = setup();
    const exp = NOW + 60;
    const token = jwt(claims({ exp }));
    const skewed = policy(undefined, { maxClockSkewInSeconds: 30 });
    expect((await run(skewed, token, deps)).ok).toBe(true);
    clock.set((exp + 29) * 1000, true);
    expect((await run(skewed, token, deps)).ok).toBe(true);
    // The same cached token under a policy without skew, at the same instant.
    expect(refused(await run(policy(), token, deps)).message).toBe("Validation failed for 'exp' claim.");
    clock.set((exp + 30) * 1000, true);
    expect(refused(await run(skewed, token, deps))).toEqual({ check: 'authentication.exp', passed: false, message: "Validation failed for 'exp' claim.", expected: `exp > ${exp}`, found: exp });
    expect(verifications()).toBe(1);
  });

  it('a token refused for its nbf is still remembered as verified, and accepted once nbf has come', async () => {
    const { clock, deps, verifications, cache } = setup();
    const token = jwt(claims({ nbf: NOW + 100 }));
    expect(refused(await run(policy(), token, deps))).toEqual({ check: 'authentication.nbf', passed: false, message: "Validation failed for 'nbf' claim.", expected: `nbf <= ${NOW}`, found: NOW + 100 });
    expect(cache.stats().entries).toBe(1);
    clock.set((NOW + 100) * 1000, true);
    expect((await run(policy(), token, deps)).ok).toBe(true);
    expect(verifications()).toBe(1);
  });

  it('iss, aud and verifyClaims are checked against each policy on every hit', async () => {
    const { deps, verifications } = setup();
    const token = jwt(claims());
    expect((await run(policy(), token, deps)).ok).toBe(true);
    // Same key source (the same static key list), other rules.
    expect(refused(await run(policy(undefined, { audiences: ['anwendung2'] }), token, deps))).toEqual({
      check: 'authentication.aud',
      passed: false,
      message: 'JWT token not issued for the configured audience.',
      expected: ['anwendung2'],
      found: 'anwendung1',
    });
    expect(refused(await run(policy(undefined, { issuers: ['https://identity.oraclecloud.com'] }), token, deps))).toEqual({
      check: 'authentication.iss',
      passed: false,
      message: 'JWT token not issued by the configured issuers.',
      expected: ['https://identity.oraclecloud.com'],
      found: ISSUER,
    });
    const claimRule = policy(undefined, { verifyClaims: [{ key: 'scope', values: ['AnwendungReadB'], isRequired: true }] });
    expect(refused(await run(claimRule, token, deps)).message).toBe("JWT token does not have the expected claim value for 'scope'.");
    expect(verifications()).toBe(1);
  });

  it("another deployment's keys never vouch for a token, even under the same kid", async () => {
    const { deps, verifications, cache } = setup();
    const token = jwt(claims());
    const a = policy(staticKeys(KEYS_A));
    const b = policy(staticKeys(KEYS_B));
    expect((await run(a, token, deps)).ok).toBe(true);
    expect(verifications()).toBe(1);
    // B's K1 is another key: B verifies for itself, and the signature does not hold.
    expect(refused(await run(b, token, deps))).toEqual({
      check: 'authentication.signature',
      passed: false,
      message: 'JWT token signature is invalid.',
      expected: "an RS256 signature by the key 'K1'",
      found: 'a signature that does not verify',
    });
    expect(verifications()).toBe(2);
    // A deployment whose static keys look exactly like A's is still another source.
    expect((await run(policy(staticKeys([...KEYS_A])), token, deps)).ok).toBe(true);
    expect(verifications()).toBe(3);
    expect((await run(a, token, deps)).ok).toBe(true);
    expect(verifications()).toBe(3);
    expect(cache.stats().entries).toBe(2);
  });

  it('two JWKS URIs are two sources, even serving the same key', async () => {
    const jwk = { ...(k1.publicKey.export({ format: 'jwk' }) as object), kid: 'K1', alg: 'RS256', use: 'sig' };
    const { deps, verifications } = setup({ fetchJwks: async () => ({ keys: [jwk] }) });
    const token = jwt(claims());
    expect((await run(policy(remote('https://one.example/jwk')), token, deps)).ok).toBe(true);
    expect((await run(policy(remote('https://two.example/jwk')), token, deps)).ok).toBe(true);
    expect((await run(policy(remote('https://one.example/jwk')), token, deps)).ok).toBe(true);
    expect(verifications()).toBe(2);
  });

  it('a signature that does not verify is not remembered', async () => {
    const { deps, verifications, cache } = setup();
    const forged = jwt(claims(), stranger.privateKey, 'K1');
    expect(refused(await run(policy(), forged, deps)).message).toBe('JWT token signature is invalid.');
    expect(refused(await run(policy(), forged, deps)).message).toBe('JWT token signature is invalid.');
    expect(verifications()).toBe(2);
    expect(cache.stats().entries).toBe(0);
  });

  it('a key replaced under the same kid at a JWKS refresh stops vouching for the tokens it verified', async () => {
    let served = k1.publicKey;
    const { clock, deps, jwks, cache, verifications } = setup({
      fetchJwks: async () => ({ keys: [{ ...(served.export({ format: 'jwk' }) as object), kid: 'K1', alg: 'RS256' }] }),
    });
    const token = jwt(claims({ exp: NOW + 86_400 }));
    const p = policy(remote('https://idcs.example/jwk'));
    expect((await run(p, token, deps)).ok).toBe(true);
    expect((await run(p, token, deps)).ok).toBe(true);
    expect(verifications()).toBe(1);

    // The same key material after a refresh: verified once more against the rebuilt key, then cached again.
    clock.advance(3_600_000);
    expect((await run(p, token, deps)).ok).toBe(true);
    expect(jwks.stats().fetches).toBe(2);
    expect(verifications()).toBe(2);
    expect((await run(p, token, deps)).ok).toBe(true);
    expect(verifications()).toBe(2);

    // Another key under K1 after the next refresh: the cached verification no longer counts.
    served = stranger.publicKey;
    clock.advance(3_600_000);
    expect(refused(await run(p, token, deps)).message).toBe('JWT token signature is invalid.');
    expect(jwks.stats().fetches).toBe(3);
    expect(verifications()).toBe(3);
    expect(cache.stats().entries).toBe(0);
  });

  it('the bound evicts: with room for 2 tokens, a third is stored on its second request and pushes out the least recently used', async () => {
    const { deps, cache, verifications } = setup({ maxEntries: 2 });
    const [t1, t2, t3] = ['a', 'b', 'c'].map((sub) => jwt(claims({ sub }))) as [string, string, string];
    for (const t of [t1, t2, t3]) expect((await run(policy(), t, deps)).ok).toBe(true);
    expect(verifications()).toBe(3);
    // Full when t3 came, and t3 was new: declined, nothing evicted.
    expect(cache.stats()).toEqual({ entries: 2, hits: 0, misses: 3, evictions: 0, declined: 1 });
    expect((await run(policy(), t1, deps)).ok).toBe(true);
    expect(verifications()).toBe(3);
    // t3's second request within the window: verified again and stored, in place of t2 (least recently used).
    expect((await run(policy(), t3, deps)).ok).toBe(true);
    expect(verifications()).toBe(4);
    expect(cache.stats()).toEqual({ entries: 2, hits: 1, misses: 4, evictions: 1, declined: 1 });
    expect((await run(policy(), t3, deps)).ok).toBe(true);
    expect((await run(policy(), t1, deps)).ok).toBe(true);
    expect(verifications()).toBe(4);
    expect((await run(policy(), t2, deps)).ok).toBe(true);
    expect(verifications()).toBe(5);
    expect(cache.stats()).toEqual({ entries: 2, hits: 3, misses: 5, evictions: 1, declined: 2 });
  });
});

describe('a key rotated out at the mock IAM', () => {
  let iam: TestIam;
  beforeAll(async () => {
    iam = await startTestIam();
  });
  afterAll(() => iam?.stop());

  it('keeps working from the cache until the JWKS refresh drops it, then is refused as an unknown kid', async () => {
    const uri = `${iam.url}/admin/v1/SigningCert/jwk`;
    const counter = countingVerifier();
    const deps: TokenAuthenticationDeps = { clock: iam.clock, jwks: new JwksCache({ clock: iam.clock, unknownKidCooldownSeconds: 30 }), verifiedTokens: new VerifiedTokenCache(), verifySignature: counter.verify };
    const p = policy(remote(uri));
    const token = async () => {
      const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: SEEDED.useCase1.scope }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
      expect(res.status, res.text).toBe(200);
      return res.body.access_token as string;
    };

    const old = await token();
    expect(decodeJwtParts(old).header.kid).toBe('SIGNING_KEY');
    expect((await run(p, old, deps)).ok).toBe(true);
    expect((await run(p, old, deps)).ok).toBe(true);
    expect(counter.calls()).toBe(1);

    const rotated = await http(`${iam.url}/_harness/signing-keys/rotate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kid: 'K2' }) });
    expect(rotated.status, rotated.text).toBe(200);
    const retired = await http(`${iam.url}/_harness/signing-keys/SIGNING_KEY`, { method: 'DELETE' });
    expect(retired.status, retired.text).toBe(200);
    expect(retired.body.keys.map((k: { kid: string }) => k.kid)).toEqual(['K2']);

    // The gateway's copy of the JWKS still holds the old key (OCI caches it too): still accepted, from the cache.
    expect((await run(p, old, deps)).ok).toBe(true);
    expect(deps.jwks.stats().fetches).toBe(1);
    expect(counter.calls()).toBe(1);

    // A token with the new kid makes the gateway refetch the JWKS, which no longer has SIGNING_KEY.
    const fresh = await token();
    expect(decodeJwtParts(fresh).header.kid).toBe('K2');
    expect((await run(p, fresh, deps)).ok).toBe(true);
    expect(deps.jwks.stats().fetches).toBe(2);

    expect(refused(await run(p, old, deps))).toEqual({ check: 'authentication.kid', passed: false, message: 'JWT token signed with an unknown key.', expected: `a kid published at ${uri}`, found: 'SIGNING_KEY' });
    expect(counter.calls()).toBe(2);
  });
});

describe('the cache in the running gateway', () => {
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startTestStack({ gateway: { useCaseDeployments: true } });
  });
  afterAll(() => stack?.stop());

  it('the second request with the same token shows the cached signature in the decision log', async () => {
    const res = await tokenRequest({ url: stack.iam.url }, { grant_type: 'client_credentials', scope: SEEDED.useCase1.scope }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
    expect(res.status, res.text).toBe(200);
    const call = () => http(`${stack.gateway.dataPlane.url}/test/1`, { headers: { authorization: `Bearer ${res.body.access_token}` } });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const decisions = (await http(`${stack.gateway.controlPlane.url}/_harness/decisions?limit=2`)).body.decisions as Array<{ checks: CheckResult[] }>;
    const signature = (d: { checks: CheckResult[] }) => d.checks.find((c) => c.check === 'authentication.signature');
    // Newest first.
    expect(signature(decisions[0]!)?.found).toEqual({ cached: true });
    expect(signature(decisions[1]!)?.found).toBeUndefined();
    expect(stack.gateway.verifiedTokens.stats()).toMatchObject({ entries: 1, hits: 1 });
  });
});

// The data plane's pooled request ids (a performance fix the gateway bench measured; it lives here
// with the other throughput work): the pool must never hand out the same bytes twice.
describe('newRequestId (data plane)', () => {
  it('gives OCI-shaped ids, all different, across several refills of the random pool', () => {
    const ids = Array.from({ length: 1_000 }, () => newRequestId());
    for (const id of ids) expect(id).toMatch(/^[0-9A-F]{32}\/[0-9A-F]{32}\/[0-9A-F]{32}$/);
    expect(new Set(ids).size).toBe(1_000);
    // No segment repeats either: each id is 48 fresh bytes.
    expect(new Set(ids.flatMap((id) => id.split('/'))).size).toBe(3_000);
  });
});
