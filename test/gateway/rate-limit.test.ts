import { describe, expect, it } from 'vitest';
import type { models } from 'oci-apigateway';
import { ControllableClock } from '../../common/clock.js';
import { clientKey, RateLimiter } from '../../gateway-emulator/pipeline/rate-limit.js';

const T0 = Date.UTC(2030, 0, 1);

function setup(maxKeys?: number) {
  const clock = new ControllableClock();
  clock.set(T0, true);
  const limiter = new RateLimiter(maxKeys === undefined ? { clock } : { clock, maxKeys });
  return { clock, limiter };
}

function policy(rate: number, rateKey: 'CLIENT_IP' | 'TOTAL' = 'CLIENT_IP'): models.RateLimitingPolicy {
  return { rateInRequestsPerSecond: rate, rateKey } as models.RateLimitingPolicy;
}

/** How many of `n` immediate requests pass. */
function burst(limiter: RateLimiter, n: number, p: models.RateLimitingPolicy, ip = '192.0.2.1', deployment = 'dep1'): number {
  let admitted = 0;
  for (let i = 0; i < n; i++) if (limiter.take(deployment, p, ip).allowed) admitted++;
  return admitted;
}

describe('token bucket', () => {
  it('admits exactly the burst (= rate) at once, then one more per 1/rate seconds', () => {
    const { clock, limiter } = setup();
    const p = policy(5);
    expect(burst(limiter, 20, p)).toBe(5);
    clock.advance(199); // 0.995 of a token
    expect(burst(limiter, 1, p)).toBe(0);
    clock.advance(1); // 200 ms = exactly one token
    expect(burst(limiter, 5, p)).toBe(1);
    clock.advance(1000);
    expect(burst(limiter, 20, p)).toBe(5);
    clock.advance(60_000); // a long pause refills to the capacity, not beyond
    expect(burst(limiter, 20, p)).toBe(5);
  });

  it('over t seconds of constant pressure admits exactly rate + rate·t', () => {
    const { clock, limiter } = setup();
    const p = policy(10);
    let admitted = 0;
    for (let ms = 0; ms <= 3000; ms += 10) {
      if (limiter.take('dep1', p, '192.0.2.1').allowed) admitted++;
      clock.advance(10);
    }
    expect(admitted).toBe(10 + 10 * 3);
  });

  it('never admits 2·rate across a second boundary, unlike a fixed window', () => {
    const { clock, limiter } = setup();
    const p = policy(10);
    clock.advance(999);
    expect(burst(limiter, 10, p)).toBe(10);
    clock.advance(2); // a new calendar second: a fixed window would admit 10 more
    expect(burst(limiter, 10, p)).toBe(0);
  });

  it('refills thirds of a second exactly (integer arithmetic on the boundary)', () => {
    const { clock, limiter } = setup();
    const p = policy(3);
    expect(burst(limiter, 3, p)).toBe(3);
    clock.advance(333); // 0.999 of a token
    expect(burst(limiter, 1, p)).toBe(0);
    clock.advance(1); // 1.002 tokens
    expect(burst(limiter, 2, p)).toBe(1);
  });

  it('reports the check in OCI log wording', () => {
    const { limiter } = setup();
    const p = policy(1);
    expect(limiter.take('dep1', p, '192.0.2.1')).toEqual({
      allowed: true,
      check: {
        check: 'rateLimiting',
        passed: true,
        message: 'rateLimiting.requestPermitted',
        expected: { rateInRequestsPerSecond: 1, rateKey: 'CLIENT_IP' },
        found: { key: '192.0.2.1', availableTokens: 0 },
      },
    });
    expect(limiter.take('dep1', p, '192.0.2.1')).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
      check: {
        check: 'rateLimiting',
        passed: false,
        message: 'rateLimiting.requestDenied',
        expected: { rateInRequestsPerSecond: 1, rateKey: 'CLIENT_IP' },
        found: { key: '192.0.2.1', availableTokens: 0, retryAfterSeconds: 1 },
      },
    });
  });

  it('Retry-After is the whole seconds until a token is back, at least 1', () => {
    const { clock, limiter } = setup();
    const retryAfter = (p: models.RateLimitingPolicy, ip: string) => {
      const r = limiter.take('dep1', p, ip);
      return r.allowed ? 0 : r.retryAfterSeconds;
    };
    // rate 100: the next token is 10 ms away, still "1" (delay-seconds has no fractions)
    const fast = policy(100);
    burst(limiter, 100, fast, '198.51.100.1');
    expect(retryAfter(fast, '198.51.100.1')).toBe(1);
    // rate 1, half a second later: 500 ms → 1
    const slow = policy(1);
    burst(limiter, 1, slow, '198.51.100.2');
    clock.advance(500);
    expect(retryAfter(slow, '198.51.100.2')).toBe(1);
    // a rate below 1 (not a valid spec value, but computed the same way): 2 s per token → 2, then 1
    const half = policy(0.5);
    expect(burst(limiter, 3, half, '198.51.100.3')).toBe(1);
    expect(retryAfter(half, '198.51.100.3')).toBe(2);
    clock.advance(1001);
    expect(retryAfter(half, '198.51.100.3')).toBe(1);
    clock.advance(999);
    expect(retryAfter(half, '198.51.100.3')).toBe(0);
  });

  it('a clock set backwards refills nothing', () => {
    const { clock, limiter } = setup();
    const p = policy(2);
    expect(burst(limiter, 2, p)).toBe(2);
    clock.set(T0 - 3_600_000, true);
    expect(burst(limiter, 2, p)).toBe(0);
    clock.advance(500);
    expect(burst(limiter, 2, p)).toBe(1);
  });
});

describe('rate keys', () => {
  it('TOTAL shares one bucket between all clients; CLIENT_IP gives each its own', () => {
    const { limiter } = setup();
    const total = policy(2, 'TOTAL');
    expect(limiter.take('total', total, '192.0.2.1').allowed).toBe(true);
    expect(limiter.take('total', total, '192.0.2.2').allowed).toBe(true);
    expect(limiter.take('total', total, '192.0.2.3').allowed).toBe(false);
    const perClient = policy(2, 'CLIENT_IP');
    expect(burst(limiter, 5, perClient, '192.0.2.1', 'perclient')).toBe(2);
    expect(burst(limiter, 5, perClient, '192.0.2.2', 'perclient')).toBe(2);
    expect(burst(limiter, 5, perClient, '192.0.2.3', 'perclient')).toBe(2);
  });

  it('keeps deployments apart', () => {
    const { limiter } = setup();
    const p = policy(1, 'TOTAL');
    expect(burst(limiter, 3, p, '192.0.2.1', 'depA')).toBe(1);
    expect(burst(limiter, 3, p, '192.0.2.1', 'depB')).toBe(1);
  });

  it('groups IPv6 clients by /64 and IPv4-mapped clients with their IPv4 address', () => {
    const { limiter } = setup();
    const p = policy(2);
    expect(burst(limiter, 1, p, '2001:db8:1:2::1')).toBe(1);
    expect(burst(limiter, 1, p, '2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(1);
    expect(burst(limiter, 1, p, '2001:0DB8:0001:0002:0:0:0:9')).toBe(0); // same /64, bucket empty
    expect(burst(limiter, 3, p, '2001:db8:1:3::1')).toBe(2); // the next /64
    expect(burst(limiter, 1, p, '203.0.113.7')).toBe(1);
    expect(burst(limiter, 1, p, '::ffff:203.0.113.7')).toBe(1);
    expect(burst(limiter, 1, p, '::ffff:cb00:7107')).toBe(0);
  });

  it.each([
    ['CLIENT_IP', '192.0.2.1', '192.0.2.1'],
    ['TOTAL', '192.0.2.1', 'TOTAL'],
    ['TOTAL', '2001:db8::1', 'TOTAL'],
    ['CLIENT_IP', '2001:db8:1:2:aaaa::1', '2001:db8:1:2::/64'],
    ['CLIENT_IP', '2001:0DB8:0001:0002:FFFF:FFFF:FFFF:FFFF', '2001:db8:1:2::/64'],
    ['CLIENT_IP', '2001:db8::', '2001:db8::/64'],
    ['CLIENT_IP', '2001:db8::1', '2001:db8::/64'],
    ['CLIENT_IP', '[2001:db8::1]', '2001:db8::/64'],
    ['CLIENT_IP', '::1', '::/64'],
    ['CLIENT_IP', '::', '::/64'],
    ['CLIENT_IP', '1::1', '1::/64'],
    ['CLIENT_IP', '0:0:1:0::5', '0:0:1::/64'],
    ['CLIENT_IP', 'abcd:ef01:2345:6789:1::', 'abcd:ef01:2345:6789::/64'],
    ['CLIENT_IP', 'fe80::1%eth0', 'fe80::/64'],
    ['CLIENT_IP', '::ffff:192.0.2.1', '192.0.2.1'],
    ['CLIENT_IP', '::FFFF:c000:0201', '192.0.2.1'],
    ['CLIENT_IP', '0:0:0:0:0:ffff:10.1.2.3', '10.1.2.3'],
    ['CLIENT_IP', '64:ff9b::192.0.2.1', '64:ff9b::/64'],
    ['CLIENT_IP', 'not-an-ip', 'not-an-ip'],
  ] as const)('clientKey(%s, %s) = %s', (rateKey, ip, key) => {
    expect(clientKey(rateKey, ip)).toBe(key);
  });
});

describe('bounded memory', () => {
  it('holds at most maxKeys buckets, evicting the least recently used', () => {
    const { limiter } = setup(3);
    const p = policy(1);
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) expect(burst(limiter, 1, p, ip)).toBe(1);
    expect(limiter.size).toBe(3);
    // Touch .1 (refused, but now the most recently used); .2 is the least recently used.
    expect(burst(limiter, 1, p, '10.0.0.1')).toBe(0);
    expect(burst(limiter, 1, p, '10.0.0.4')).toBe(1);
    expect(limiter.size).toBe(3);
    expect(burst(limiter, 1, p, '10.0.0.1')).toBe(0); // kept: still empty
    expect(burst(limiter, 1, p, '10.0.0.2')).toBe(1); // evicted: starts full again (and evicts .3)
    expect(burst(limiter, 1, p, '10.0.0.4')).toBe(0);
    expect(limiter.size).toBe(3);
  });

  it('defaults to 10 000 keys', () => {
    const { limiter } = setup();
    const p = policy(1);
    for (let i = 0; i < 10_050; i++) limiter.take('dep1', p, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(limiter.size).toBe(10_000);
  });
});
