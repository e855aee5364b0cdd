/**
 * The JWKS cache: cache duration on the Clock, one fetch in flight per URI, the unknown-kid
 * refetch and its cooldown, serving cached keys when a refetch fails, the JWK rules of OCI
 * (kty, use, key_ops, alg, 2048–4096 bits), bounded entries, and the default HTTP fetcher.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { fetchJwksOverHttp, JwksCache } from '../../gateway-emulator/pipeline/jwks-cache.js';
import { startTestIam, type TestIam } from '../support/iam.js';

const URI = 'https://idcs.example/admin/v1/SigningCert/jwk';
const T0 = Date.UTC(2030, 0, 1);
const HOUR = 3_600_000;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaJwk = rsa.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
/** A JWK in IDCS's shape (key_ops verify+encrypt, alg RS256, no use). */
const idcsJwk = (kid: string, extra: Record<string, unknown> = {}) => ({ kty: 'RSA', kid, key_ops: ['verify', 'encrypt'], alg: 'RS256', n: rsaJwk.n, e: rsaJwk.e, ...extra });
/** A syntactically valid RSA modulus of exactly `bits` bits (public-key import does not test primality). */
function modulus(bits: number): string {
  const bytes = Math.ceil(bits / 8);
  const n = randomBytes(bytes);
  n[0] = 1 << ((bits - 1) % 8);
  n[bytes - 1]! |= 1;
  return n.toString('base64url');
}

function frozenClock(): ControllableClock {
  const clock = new ControllableClock();
  clock.set(T0, true);
  return clock;
}

/** A fetcher serving whatever `current` holds (or throwing it), counting calls. */
function fakeFetcher(initial: unknown) {
  const state = { current: initial as unknown, calls: [] as string[] };
  const fetchJwks = async (uri: string) => {
    state.calls.push(uri);
    if (state.current instanceof Error) throw state.current;
    return structuredClone(state.current);
  };
  return { state, fetchJwks };
}

describe('JwksCache: caching and refetching', () => {
  it('fetches once and serves the cached keys until maxCacheDurationInHours has passed on the clock', async () => {
    const clock = frozenClock();
    const { fetchJwks } = fakeFetcher({ keys: [idcsJwk('K1')] });
    const cache = new JwksCache({ clock, fetchJwks });
    expect(cache.stats()).toEqual({ fetches: 0, entries: 0 });

    const first = await cache.keyFor(URI, 'K1', 1);
    expect(first.ok).toBe(true);
    expect(first.ok && first.key.asymmetricKeyType).toBe('rsa');
    expect(first.ok && first.alg).toBe('RS256');
    expect(cache.stats()).toEqual({ fetches: 1, entries: 1 });

    clock.advance(HOUR - 1);
    expect((await cache.keyFor(URI, 'K1', 1)).ok).toBe(true);
    expect(cache.stats().fetches).toBe(1);

    clock.advance(1); // exactly one hour after the fetch: expired
    expect((await cache.keyFor(URI, 'K1', 1)).ok).toBe(true);
    expect(cache.stats().fetches).toBe(2);
  });

  it('applies the caller’s cache duration', async () => {
    const clock = frozenClock();
    const cache = new JwksCache({ clock, fetchJwks: fakeFetcher({ keys: [idcsJwk('K1')] }).fetchJwks });
    await cache.keyFor(URI, 'K1', 24);
    clock.advance(23 * HOUR);
    await cache.keyFor(URI, 'K1', 24);
    expect(cache.stats().fetches).toBe(1);
    clock.advance(HOUR);
    await cache.keyFor(URI, 'K1', 24);
    expect(cache.stats().fetches).toBe(2);
  });

  it('shares one fetch among 50 concurrent callers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const cache = new JwksCache({
      clock: frozenClock(),
      fetchJwks: async () => {
        calls++;
        await gate;
        return { keys: [idcsJwk('K1')] };
      },
    });
    const pending = Array.from({ length: 50 }, () => cache.keyFor(URI, 'K1', 1));
    release();
    const results = await Promise.all(pending);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(calls).toBe(1);
    expect(cache.stats()).toEqual({ fetches: 1, entries: 1 });
  });

  it('refetches once for an unknown kid (a rotation), then refuses unknown kids without fetching during the cooldown', async () => {
    const clock = frozenClock();
    const { state, fetchJwks } = fakeFetcher({ keys: [idcsJwk('K1')] });
    const cache = new JwksCache({ clock, fetchJwks, unknownKidCooldownSeconds: 30 });
    await cache.keyFor(URI, 'K1', 1);

    state.current = { keys: [idcsJwk('K1'), idcsJwk('K2')] }; // the IAM rotated to K2
    clock.advance(1000);
    expect((await cache.keyFor(URI, 'K2', 1)).ok).toBe(true);
    expect(cache.stats().fetches).toBe(2);

    clock.advance(30_000 - 1); // 29.999 s after the refetch
    expect(await cache.keyFor(URI, 'K3', 1)).toEqual({
      ok: false,
      kind: 'no-such-kid',
      reason: `no key with kid "K3" in the JWKS at ${URI} (not refetched: the last unknown-kid refetch was under 30 s ago; next in 1 s)`,
    });
    expect(cache.stats().fetches).toBe(2);

    clock.advance(1); // 30 s after the refetch: another refetch is allowed
    expect(await cache.keyFor(URI, 'K3', 1)).toEqual({ ok: false, kind: 'no-such-kid', reason: `no key with kid "K3" in the JWKS at ${URI}` });
    expect(cache.stats().fetches).toBe(3);
    // Known kids are served from the cache meanwhile.
    expect((await cache.keyFor(URI, 'K1', 1)).ok).toBe(true);
    expect(cache.stats().fetches).toBe(3);
  });

  it('treats a cache filled or a refetch made "in the future" as stale when the clock is set back', async () => {
    const clock = frozenClock();
    const { fetchJwks } = fakeFetcher({ keys: [idcsJwk('K1')] });
    const cache = new JwksCache({ clock, fetchJwks });
    clock.set(T0 + 24 * HOUR, true);
    await cache.keyFor(URI, 'K1', 1);
    clock.advance(1000);
    await cache.keyFor(URI, 'NOPE', 1); // unknown-kid refetch "tomorrow"
    expect(cache.stats().fetches).toBe(2);
    clock.set(T0, true); // the harness clock is reset
    await cache.keyFor(URI, 'K1', 1);
    expect(cache.stats().fetches).toBe(3);
    await cache.keyFor(URI, 'NOPE', 1);
    expect(cache.stats().fetches).toBe(4); // the cooldown from "tomorrow" does not apply
    await cache.keyFor(URI, 'NOPE', 1);
    expect(cache.stats().fetches).toBe(4); // a new cooldown from now does
  });

  it('does not refetch for an unknown kid right after fetching the set', async () => {
    const cache = new JwksCache({ clock: frozenClock(), fetchJwks: fakeFetcher({ keys: [idcsJwk('K1')] }).fetchJwks });
    expect((await cache.keyFor(URI, 'NOPE', 1)).ok).toBe(false);
    expect(cache.stats().fetches).toBe(1);
  });

  it('lets callers that wait for an in-flight unknown-kid refetch see its keys', async () => {
    const clock = frozenClock();
    let keys = [idcsJwk('K1')];
    let release: (() => void) | undefined;
    let calls = 0;
    const cache = new JwksCache({
      clock,
      fetchJwks: async () => {
        calls++;
        if (calls > 1) await new Promise<void>((r) => (release = r));
        return { keys };
      },
    });
    await cache.keyFor(URI, 'K1', 1);
    keys = [idcsJwk('K1'), idcsJwk('K2')];
    const a = cache.keyFor(URI, 'K2', 1);
    const b = cache.keyFor(URI, 'K2', 1);
    await new Promise((r) => setImmediate(r));
    release!();
    expect([(await a).ok, (await b).ok]).toEqual([true, true]);
    expect(calls).toBe(2);
  });

  it('keeps serving cached keys when a refetch fails, until the cache duration runs out', async () => {
    const clock = frozenClock();
    const { state, fetchJwks } = fakeFetcher({ keys: [idcsJwk('K1')] });
    const cache = new JwksCache({ clock, fetchJwks });
    await cache.keyFor(URI, 'K1', 1);

    state.current = new Error('connect ECONNREFUSED 127.0.0.1:9');
    expect(await cache.keyFor(URI, 'K2', 1)).toEqual({ ok: false, kind: 'no-such-kid', reason: `no key with kid "K2" in the JWKS at ${URI}` });
    expect(cache.stats().fetches).toBe(2);
    expect((await cache.keyFor(URI, 'K1', 1)).ok).toBe(true);

    clock.advance(HOUR);
    expect(await cache.keyFor(URI, 'K1', 1)).toEqual({
      ok: false,
      kind: 'unavailable',
      reason: `the JWKS at ${URI} cannot be used: connect ECONNREFUSED 127.0.0.1:9`,
    });
    expect(cache.stats().fetches).toBe(3);

    // No negative caching: the next request after the IAM is back succeeds.
    state.current = { keys: [idcsJwk('K1')] };
    expect((await cache.keyFor(URI, 'K1', 1)).ok).toBe(true);
    expect(cache.stats().fetches).toBe(4);
  });

  it('bounds the number of cached URIs, dropping the least recently used', async () => {
    const { state, fetchJwks } = fakeFetcher({ keys: [idcsJwk('K1')] });
    const cache = new JwksCache({ clock: frozenClock(), fetchJwks, maxEntries: 2 });
    await cache.keyFor('https://a/jwk', 'K1', 1);
    await cache.keyFor('https://b/jwk', 'K1', 1);
    await cache.keyFor('https://a/jwk', 'K1', 1); // a is now the most recent
    await cache.keyFor('https://c/jwk', 'K1', 1); // evicts b
    expect(cache.stats()).toEqual({ fetches: 3, entries: 2 });
    await cache.keyFor('https://a/jwk', 'K1', 1);
    expect(cache.stats().fetches).toBe(3);
    await cache.keyFor('https://b/jwk', 'K1', 1);
    expect(state.calls).toEqual(['https://a/jwk', 'https://b/jwk', 'https://c/jwk', 'https://b/jwk']);
  });
});

describe('JwksCache: which documents and keys are usable', () => {
  const keyFor = async (document: unknown, kid = 'K1') => new JwksCache({ clock: frozenClock(), fetchJwks: async () => document }).keyFor(URI, kid, 1);
  const unavailable = (why: string) => ({ ok: false, kind: 'unavailable', reason: `the JWKS at ${URI} cannot be used: ${why}` });
  const badKey = (kid: string, why: string) => ({ ok: false, kind: 'bad-key', reason: `the key "${kid}" in the JWKS at ${URI} cannot verify tokens: ${why}` });

  it('refuses documents that are not a key set', async () => {
    expect(await keyFor('<html>')).toEqual(unavailable('the document has no "keys" array'));
    expect(await keyFor(null)).toEqual(unavailable('the document has no "keys" array'));
    expect(await keyFor({ keys: {} })).toEqual(unavailable('the document has no "keys" array'));
    expect(await keyFor({ keys: [] })).toEqual(unavailable('the JWKS has no usable key'));
  });

  it('refuses a set with no usable key, saying why for each kid', async () => {
    expect(await keyFor({ keys: [idcsJwk('E1', { kty: 'EC' }), idcsJwk('E2', { use: 'enc' })] })).toEqual(
      unavailable('the JWKS has no usable key (E1: kty is "EC"; only "RSA" is accepted; E2: use is "enc"; only "sig" is accepted)'),
    );
  });

  it('refuses a set of more than 10 keys (OCI’s limit)', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => idcsJwk(`K${i}`));
    expect(await keyFor({ keys: eleven })).toEqual(unavailable('the JWKS has 11 keys; OCI accepts at most 10'));
    expect((await keyFor({ keys: eleven.slice(0, 10) }, 'K9')).ok).toBe(true);
  });

  it('applies the JWK rules: kty RSA, use sig, key_ops with verify, alg RS*', async () => {
    const withGood = (bad: Record<string, unknown>) => ({ keys: [idcsJwk('GOOD'), { ...idcsJwk('BAD'), ...bad }] });
    expect(await keyFor(withGood({ kty: 'EC' }), 'BAD')).toEqual(badKey('BAD', 'kty is "EC"; only "RSA" is accepted'));
    expect(await keyFor(withGood({ use: 'enc' }), 'BAD')).toEqual(badKey('BAD', 'use is "enc"; only "sig" is accepted'));
    expect(await keyFor(withGood({ key_ops: ['encrypt'] }), 'BAD')).toEqual(badKey('BAD', 'key_ops ["encrypt"] does not include "verify"'));
    expect(await keyFor(withGood({ key_ops: 'verify' }), 'BAD')).toEqual(badKey('BAD', 'key_ops "verify" does not include "verify"'));
    expect(await keyFor(withGood({ alg: 'PS256' }), 'BAD')).toEqual(badKey('BAD', 'alg is "PS256"; only RS256, RS384 and RS512 are accepted'));
    expect(await keyFor(withGood({ n: 'not base64url!' }), 'BAD')).toEqual(badKey('BAD', 'n and e must be base64url strings'));
  });

  it('accepts IDCS’s key_ops ["verify","encrypt"], use sig, and keys without alg, use or key_ops', async () => {
    expect(await keyFor({ keys: [idcsJwk('K1')] })).toMatchObject({ ok: true, alg: 'RS256' });
    expect(await keyFor({ keys: [idcsJwk('K1', { use: 'sig', key_ops: ['verify'] })] })).toMatchObject({ ok: true });
    const bare = { kty: 'RSA', kid: 'K1', n: rsaJwk.n, e: rsaJwk.e };
    const result = await keyFor({ keys: [bare] });
    expect(result.ok).toBe(true);
    expect(result).not.toHaveProperty('alg');
  });

  it('accepts RSA moduli of 2048 to 4096 bits only', async () => {
    const sized = (bits: number) => ({ keys: [idcsJwk('GOOD'), idcsJwk('S', { n: modulus(bits) })] });
    expect(await keyFor(sized(2047), 'S')).toEqual(badKey('S', 'the RSA key has 2047 bits; 2048 to 4096 are accepted'));
    expect((await keyFor(sized(2048), 'S')).ok).toBe(true);
    expect((await keyFor(sized(4096), 'S')).ok).toBe(true);
    expect(await keyFor(sized(4097), 'S')).toEqual(badKey('S', 'the RSA key has 4097 bits; 2048 to 4096 are accepted'));
  });

  it('marks a kid that appears twice as unusable and ignores keys without a kid', async () => {
    const document = { keys: [idcsJwk('GOOD'), idcsJwk('TWICE'), idcsJwk('TWICE'), { ...idcsJwk(''), kid: undefined }] };
    expect(await keyFor(document, 'TWICE')).toEqual(badKey('TWICE', 'the JWKS has more than one key with kid "TWICE"'));
    expect((await keyFor(document, 'GOOD')).ok).toBe(true);
  });
});

describe('JwksCache: the default HTTP fetcher', () => {
  let iam: TestIam;
  let odd: Server;
  let oddUrl: string;
  let closedUrl: string;
  beforeAll(async () => {
    iam = await startTestIam();
    odd = createServer((req, res) => {
      if (req.url === '/text') res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
      else if (req.url === '/big') res.writeHead(200, { 'content-type': 'application/json' }).end(`{"keys":[],"pad":"${'x'.repeat(600 * 1024)}"}`);
      else res.writeHead(503).end();
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    oddUrl = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwk`;
    await new Promise<void>((r) => closed.close(() => r()));
  });
  afterAll(async () => {
    await iam?.stop();
    odd?.closeAllConnections();
    await new Promise<void>((r) => (odd ? odd.close(() => r()) : r()));
  });

  it('fetches the IAM’s JWKS without credentials', async () => {
    const document = (await fetchJwksOverHttp(`${iam.url}/admin/v1/SigningCert/jwk`)) as { keys: Array<Record<string, unknown>> };
    expect(document.keys.map((k) => [k.kid, k.key_ops])).toEqual([['SIGNING_KEY', ['verify', 'encrypt']]]);
    const cache = new JwksCache({ clock: iam.clock });
    expect(await cache.keyFor(`${iam.url}/admin/v1/SigningCert/jwk`, 'SIGNING_KEY', 1)).toMatchObject({ ok: true, alg: 'RS256' });
  });

  it('turns every failure into "unavailable" with the cause', async () => {
    const cache = new JwksCache({ clock: frozenClock() });
    const reasonFor = async (uri: string) => {
      const result = await cache.keyFor(uri, 'K1', 1);
      return result.ok ? 'ok' : `${result.kind}: ${result.reason}`;
    };
    expect(await reasonFor(`${oddUrl}/status`)).toBe(`unavailable: the JWKS at ${oddUrl}/status cannot be used: GET ${oddUrl}/status answered HTTP 503`);
    expect(await reasonFor(`${iam.url}/admin/v1/NoSuchThing`)).toBe(`unavailable: the JWKS at ${iam.url}/admin/v1/NoSuchThing cannot be used: GET ${iam.url}/admin/v1/NoSuchThing answered HTTP 404`);
    expect(await reasonFor(`${oddUrl}/text`)).toBe(`unavailable: the JWKS at ${oddUrl}/text cannot be used: GET ${oddUrl}/text did not return JSON`);
    expect(await reasonFor(`${oddUrl}/big`)).toBe(`unavailable: the JWKS at ${oddUrl}/big cannot be used: GET ${oddUrl}/big returned more than 524288 bytes`);
    expect(await reasonFor(closedUrl)).toMatch(/^unavailable: the JWKS at http:\/\/127\.0\.0\.1:\d+\/jwk cannot be used: .*ECONNREFUSED/);
    expect(await reasonFor('file:///etc/passwd')).toBe('unavailable: the JWKS at file:///etc/passwd cannot be used: file:///etc/passwd is not an http(s) URI');
  });
});
