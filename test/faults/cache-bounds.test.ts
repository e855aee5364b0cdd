/**
 * The gateway's JWKS cache and authorizer result cache are bounded by count: more entries than the
 * bound leave the cache at the bound, and the least recently used went first (a use refreshes an
 * entry). The defaults are bounded too (JWKS 100 URIs, authorizer 10 000 results).
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { AuthorizerCache } from '../../gateway-emulator/pipeline/authenticate-custom.js';
import { JwksCache } from '../../gateway-emulator/pipeline/jwks-cache.js';

const jwk = { ...(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as object), kid: 'K', kty: 'RSA' };

function frozenClock(): ControllableClock {
  const clock = new ControllableClock();
  clock.set(Date.UTC(2030, 0, 1), true);
  return clock;
}

describe('JwksCache is bounded by count (least recently used first)', () => {
  function countingCache(maxEntries?: number) {
    const fetched: string[] = [];
    const cache = new JwksCache({
      clock: frozenClock(),
      ...(maxEntries !== undefined ? { maxEntries } : {}),
      fetchJwks: async (uri) => {
        fetched.push(uri);
        return { keys: [jwk] };
      },
    });
    return { cache, fetched };
  }
  const uri = (i: number) => `https://idcs-${i}.example/admin/v1/SigningCert/jwk`;

  it('holds at most maxEntries URIs; the oldest is evicted first and must be fetched again', async () => {
    const { cache, fetched } = countingCache(3);
    for (let i = 0; i < 5; i++) expect((await cache.keyFor(uri(i), 'K', 1)).ok).toBe(true);
    expect(cache.stats()).toEqual({ fetches: 5, entries: 3 });

    // 2, 3, 4 are cached: no fetch.
    for (const i of [2, 3, 4]) await cache.keyFor(uri(i), 'K', 1);
    expect(fetched).toHaveLength(5);
    // 0 was evicted first (and 1 next): asking for it fetches again and evicts the least recently used (2).
    await cache.keyFor(uri(0), 'K', 1);
    expect(fetched).toHaveLength(6);
    expect(cache.stats().entries).toBe(3);
    await cache.keyFor(uri(3), 'K', 1);
    await cache.keyFor(uri(4), 'K', 1);
    expect(fetched).toHaveLength(6);
    await cache.keyFor(uri(2), 'K', 1);
    expect(fetched.at(-1)).toBe(uri(2));
  });

  it('a use makes an entry the most recent', async () => {
    const { cache, fetched } = countingCache(2);
    await cache.keyFor(uri(0), 'K', 1);
    await cache.keyFor(uri(1), 'K', 1);
    await cache.keyFor(uri(0), 'K', 1); // 0 used: 1 is now the oldest
    await cache.keyFor(uri(2), 'K', 1); // evicts 1
    await cache.keyFor(uri(0), 'K', 1);
    expect(fetched).toEqual([uri(0), uri(1), uri(2)]);
    await cache.keyFor(uri(1), 'K', 1);
    expect(fetched).toEqual([uri(0), uri(1), uri(2), uri(1)]);
  });

  it('the default bound is 100 URIs', async () => {
    const { cache } = countingCache();
    for (let i = 0; i < 130; i++) await cache.keyFor(uri(i), 'K', 1);
    expect(cache.stats()).toEqual({ fetches: 130, entries: 100 });
  });
});

describe('AuthorizerCache is bounded by count (least recently used first)', () => {
  const grant = (i: number) => ({ claims: { principal: `p${i}` }, scope: [] });

  it('holds at most maxEntries results; the oldest went first', () => {
    const cache = new AuthorizerCache({ clock: frozenClock(), maxEntries: 3 });
    for (let i = 0; i < 5; i++) cache.set(`k${i}`, grant(i), 60_000);
    expect(cache.size).toBe(3);
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k1')).toBeUndefined();
    expect(cache.get('k2')?.claims).toEqual({ principal: 'p2' });
    expect(cache.get('k4')?.claims).toEqual({ principal: 'p4' });
  });

  it('a hit makes an entry the most recent; a replaced key does not grow the cache', () => {
    const cache = new AuthorizerCache({ clock: frozenClock(), maxEntries: 2 });
    cache.set('a', grant(1), 60_000);
    cache.set('b', grant(2), 60_000);
    expect(cache.get('a')).toBeDefined(); // b is now the oldest
    cache.set('c', grant(3), 60_000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    cache.set('c', grant(4), 60_000);
    expect(cache.size).toBe(2);
    expect(cache.get('c')?.claims).toEqual({ principal: 'p4' });
  });

  it('the default bound is 10 000 results', () => {
    const cache = new AuthorizerCache({ clock: frozenClock() });
    for (let i = 0; i < 10_050; i++) cache.set(`k${i}`, grant(i), 60_000);
    expect(cache.size).toBe(10_000);
    expect(cache.get('k49')).toBeUndefined();
    expect(cache.get('k50')).toBeDefined();
  });
});
