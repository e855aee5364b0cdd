/**
 * The gateway's per-client memory stays bounded at its real default sizes, however many clients
 * or tokens come: the verified-token cache (10 000 tokens) and the rate limiter's buckets (10 000
 * keys). Each is filled past its bound; the size stays at the bound, the least recently used
 * entries go first (an entry used again is kept), and an operation on a full structure stays
 * cheap. The verified-token cache also honours `exp`: it remembers a signature, never a verdict,
 * so a cached token is refused once it has expired — in the running gateway, on its clock.
 */
import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { models } from 'oci-apigateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { RateLimiter } from '../../gateway-emulator/pipeline/rate-limit.js';
import type { CheckResult } from '../../gateway-emulator/pipeline/types.js';
import { DEFAULT_MAX_VERIFIED_TOKENS, VerifiedTokenCache, type VerifiedToken } from '../../gateway-emulator/pipeline/verified-token-cache.js';
import type { RunningStack } from '../../stack/stack.js';
import { basic, http, SEEDED, tokenRequest } from '../support/iam.js';
import { startTestStack } from '../support/stack.js';

/** Past the bound by a quarter. */
const OVER = 2_500;
/** Entries used again just before the overflow: they must survive it. */
const TOUCHED = 100;
/** A generous ceiling per operation (µs) on a full structure: the real cost is about 1 µs. */
const MAX_US_PER_OP = 50;

const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SOURCE = 'REMOTE_JWKS https://idcs.example.com/admin/v1/SigningCert/jwk';

/** A token-like string whose last 64 characters (the cache key's part) are unique. */
const tokenNo = (i: number) => `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJsb2FkIn0.${String(i).padStart(8, '0').repeat(12)}`;
const entry = (i: number): VerifiedToken => ({ header: { alg: 'RS256', kid: 'K1' }, claims: { sub: `client-${i}`, exp: 4_102_444_800 }, alg: 'RS256', kid: 'K1', key: publicKey });

describe('verified-token cache at its default bound', () => {
  it(`holds ${DEFAULT_MAX_VERIFIED_TOKENS} tokens; ${OVER} more evict the ${OVER} least recently used, not the ones used again`, () => {
    const cache = new VerifiedTokenCache();
    const bound = cache.maxEntries;
    expect(bound).toBe(DEFAULT_MAX_VERIFIED_TOKENS);
    for (let i = 0; i < bound; i++) cache.set(SOURCE, tokenNo(i), entry(i));
    expect(cache.stats()).toMatchObject({ entries: bound, evictions: 0 });
    // The oldest TOUCHED tokens are presented again: now they are the most recently used.
    for (let i = 0; i < TOUCHED; i++) expect(cache.get(SOURCE, tokenNo(i))?.claims.sub).toBe(`client-${i}`);

    const began = performance.now();
    for (let i = bound; i < bound + OVER; i++) cache.set(SOURCE, tokenNo(i), entry(i));
    const usPerSet = ((performance.now() - began) * 1000) / OVER;
    expect(cache.stats()).toMatchObject({ entries: bound, evictions: OVER });

    const present = (i: number) => cache.get(SOURCE, tokenNo(i)) !== undefined;
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
    expect(range(0, TOUCHED).filter((i) => !present(i))).toEqual([]);
    expect(range(TOUCHED, TOUCHED + OVER).filter(present)).toEqual([]);
    expect(range(TOUCHED + OVER, bound + OVER).filter((i) => !present(i))).toEqual([]);
    expect(cache.stats().entries).toBe(bound);
    expect(usPerSet).toBeLessThan(MAX_US_PER_OP);
  });

  it('a hit on a full cache stays cheap (no rehash, no scan)', () => {
    const cost = (size: number) => {
      const cache = new VerifiedTokenCache();
      for (let i = 0; i < size; i++) cache.set(SOURCE, tokenNo(i), entry(i));
      const rounds = 20_000;
      const began = performance.now();
      for (let r = 0; r < rounds; r++) cache.get(SOURCE, tokenNo(r % size));
      return ((performance.now() - began) * 1000) / rounds;
    };
    cost(DEFAULT_MAX_VERIFIED_TOKENS); // warm up the JIT
    expect(cost(DEFAULT_MAX_VERIFIED_TOKENS)).toBeLessThan(MAX_US_PER_OP);
  });
});

describe('the running gateway honours exp on a cached token', () => {
  let stack: RunningStack;
  beforeAll(async () => {
    // Tokens of 10 minutes: they expire well within the gateway's 1 h JWKS cache, so the key that
    // verified them is still the one served and the cached verification is the one consulted.
    stack = await startTestStack({ iam: { accessTokenExpiry: 600 }, gateway: { useCaseDeployments: true } });
  });
  afterAll(() => stack?.stop());

  it('a token verified and cached is refused at exp (a cache hit, refused by authentication.exp), and accepted again if the clock goes back', async () => {
    // Frozen on a whole second: iat and exp are whole seconds, so "1 s before exp" is exact.
    stack.clock.set(Date.UTC(2030, 0, 1), true);
    const res = await tokenRequest({ url: stack.iam.url }, { grant_type: 'client_credentials', scope: SEEDED.useCase1.scope }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
    expect(res.status, res.text).toBe(200);
    const token = res.body.access_token as string;
    const expiresIn = res.body.expires_in as number;
    expect(expiresIn).toBe(600);
    const call = () => http(`${stack.gateway.dataPlane.url}/test/1`, { headers: { authorization: `Bearer ${token}` } });
    const lastDecision = async () => (await http(`${stack.gateway.controlPlane.url}/_harness/decisions?limit=1`)).body.decisions[0] as { reason?: CheckResult; checks: CheckResult[] };
    try {
      expect((await call()).status).toBe(200);
      expect((await call()).status).toBe(200);
      const hitsBefore = stack.gateway.verifiedTokens.stats().hits;

      stack.clock.advance(expiresIn * 1000);
      const expired = await call();
      expect(expired.status).toBe(401);
      const decision = await lastDecision();
      expect(decision.reason?.check).toBe('authentication.exp');
      // It was the cached verification that was refused: no new signature check.
      expect(decision.checks.find((c) => c.check === 'authentication.signature')?.found).toEqual({ cached: true });
      expect(stack.gateway.verifiedTokens.stats().hits).toBe(hitsBefore + 1);

      // One second before exp it is valid again: the cache holds a signature, not a verdict.
      stack.clock.advance(-1000);
      expect((await call()).status).toBe(200);
    } finally {
      stack.clock.reset();
    }
  });
});

describe('rate-limit buckets at their default bound', () => {
  const T0 = Date.UTC(2030, 0, 1);
  const policy = { rateInRequestsPerSecond: 1, rateKey: 'CLIENT_IP' } as models.RateLimitingPolicy;
  const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const BOUND = 10_000;

  it(`holds ${BOUND} client keys; ${OVER} more evict the least recently used, and a key used again is kept`, () => {
    const clock = new ControllableClock();
    // Frozen: no bucket refills, so "admitted" means "this key had no bucket" (new or evicted).
    clock.set(T0, true);
    const limiter = new RateLimiter({ clock });
    const take = (i: number) => limiter.take('dep', policy, ip(i)).allowed;
    for (let i = 0; i < BOUND; i++) expect(take(i)).toBe(true);
    expect(limiter.size).toBe(BOUND);
    // The oldest TOUCHED clients come back (refused: their buckets are empty) and become the most recent.
    for (let i = 0; i < TOUCHED; i++) expect(take(i)).toBe(false);

    const began = performance.now();
    for (let i = BOUND; i < BOUND + OVER; i++) expect(take(i)).toBe(true);
    const usPerTake = ((performance.now() - began) * 1000) / OVER;
    expect(limiter.size).toBe(BOUND);

    // Kept (still empty, refused): the touched ones and the newest. Evicted (a fresh full bucket): the rest.
    // Checked from the newest down, so that re-creating an evicted bucket evicts nothing still to be checked.
    const refused = (i: number) => !take(i);
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => to - 1 - k);
    expect(range(TOUCHED + OVER, BOUND + OVER).filter((i) => !refused(i))).toEqual([]);
    expect(range(0, TOUCHED).filter((i) => !refused(i))).toEqual([]);
    // The evicted ones start over with a full bucket (each re-creation evicts one of the already checked).
    expect(range(TOUCHED, TOUCHED + OVER).filter(refused)).toEqual([]);
    expect(limiter.size).toBe(BOUND);
    expect(usPerTake).toBeLessThan(MAX_US_PER_OP);
  });

  it('many more clients than the bound, round after round: the size stays at the bound and each take stays cheap', () => {
    const clock = new ControllableClock();
    clock.set(T0, true);
    const limiter = new RateLimiter({ clock });
    const clients = 3 * BOUND;
    const began = performance.now();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < clients; i++) limiter.take('dep', policy, ip(i));
      expect(limiter.size).toBe(BOUND);
    }
    expect(((performance.now() - began) * 1000) / (2 * clients)).toBeLessThan(MAX_US_PER_OP);
  });
});
