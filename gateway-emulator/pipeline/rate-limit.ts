/**
 * Deployment-wide rate limiting (`requestPolicies.rateLimiting`, OCI reference §5.1).
 *
 * OCI documents only the limit (`rateInRequestsPerSecond`) and the key (`CLIENT_IP`: per IPv4
 * address or per IPv6 /64; `TOTAL`: one bucket), not the algorithm or the burst. We use a token
 * bucket of capacity `rate` refilled at `rate` tokens per second [I]: over any interval of t
 * seconds at most `rate + rate·t` requests pass per key, and unlike a fixed one-second window it
 * never admits 2·rate across a window boundary.
 *
 * Tokens are counted in thousandths so that a clock in whole milliseconds refills an exact
 * integer amount (`rate` thousandths per ms): no floating-point drift decides a boundary case.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { models } from 'oci-apigateway';
import type { Clock } from '../../common/clock.js';
import type { CheckResult } from './types.js';

/** One token, in the bucket's unit (thousandths of a token). */
const TOKEN = 1000;

const DEFAULT_MAX_KEYS = 10_000;

interface Bucket {
  /** Thousandths of a token currently available. */
  units: number;
  /** The clock reading of the last refill. */
  lastMs: number;
}

export type RateLimitDecision =
  | { allowed: true; check: CheckResult }
  | { allowed: false; retryAfterSeconds: number; check: CheckResult };

export class RateLimiter {
  private readonly clock: Clock;
  private readonly maxKeys: number;
  /** Insertion order is recency order: a bucket is re-inserted on every use, the first is the least recently used. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: { clock: Clock; maxKeys?: number }) {
    this.clock = options.clock;
    this.maxKeys = Math.max(1, options.maxKeys ?? DEFAULT_MAX_KEYS);
  }

  /** One request for a deployment: takes a token from the (deployment, key) bucket if there is one. */
  take(deploymentId: string, policy: models.RateLimitingPolicy, clientIp: string): RateLimitDecision {
    const rate = policy.rateInRequestsPerSecond;
    // Compared as text: a spec parsed from JSON carries the plain string, not the SDK enum.
    const rateKey = (policy.rateKey as string) === 'TOTAL' ? 'TOTAL' : 'CLIENT_IP';
    const key = clientKey(rateKey, clientIp);
    const expected = { rateInRequestsPerSecond: rate, rateKey };

    // A validated spec has rate ≥ 1; anything else admits nothing rather than dividing by zero below.
    if (!(rate > 0)) {
      return {
        allowed: false,
        retryAfterSeconds: 1,
        check: { check: 'rateLimiting', passed: false, message: 'rateLimiting.requestDenied', expected, found: { key, availableTokens: 0 } },
      };
    }

    const now = this.clock.nowMs();
    // At least one whole token, or a (non-integer, never valid) rate below 1 would admit nothing.
    const capacity = Math.max(1, rate) * TOKEN;
    const bucketId = `${deploymentId}\u0000${key}`;
    let bucket = this.buckets.get(bucketId);
    if (bucket) {
      this.buckets.delete(bucketId);
      // A clock set backwards (the harness can do that) refills nothing and restarts from the new "now".
      const elapsedMs = Math.max(0, now - bucket.lastMs);
      // min() also shrinks a bucket when a deployment update lowered the rate.
      bucket.units = Math.min(capacity, bucket.units + elapsedMs * rate);
      bucket.lastMs = now;
    } else {
      // An unseen (or evicted) key starts full: a full bucket and no bucket are the same state,
      // which is why evicting the least recently used keys is harmless once they have refilled.
      bucket = { units: capacity, lastMs: now };
    }
    this.buckets.set(bucketId, bucket);
    this.evict();

    if (bucket.units >= TOKEN) {
      bucket.units -= TOKEN;
      return {
        allowed: true,
        check: {
          check: 'rateLimiting',
          passed: true,
          message: 'rateLimiting.requestPermitted',
          expected,
          found: { key, availableTokens: Math.floor(bucket.units / TOKEN) },
        },
      };
    }
    // Whole seconds until one token is back (Retry-After is delay-seconds, RFC 9110 §10.2.3), rounded
    // up: a refused request lacks a positive amount, so this is at least 1, never an invitation to
    // retry at once and be refused again.
    const waitMs = Math.ceil((TOKEN - bucket.units) / rate);
    const retryAfterSeconds = Math.ceil(waitMs / 1000);
    return {
      allowed: false,
      retryAfterSeconds,
      check: {
        check: 'rateLimiting',
        passed: false,
        message: 'rateLimiting.requestDenied',
        expected,
        found: { key, availableTokens: 0, retryAfterSeconds },
      },
    };
  }

  /** How many (deployment, key) buckets are held; for tests and the harness's diagnostics. */
  get size(): number {
    return this.buckets.size;
  }

  private evict(): void {
    while (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (oldest.done) return;
      this.buckets.delete(oldest.value);
    }
  }
}

/**
 * The bucket key of a client. `TOTAL` shares one bucket. `CLIENT_IP` uses the IPv4 address as is,
 * and for IPv6 the /64 prefix (OCI limits IPv6 clients per /64, since one host usually owns a
 * whole /64), written in RFC 5952 form, e.g. `2001:db8:1:2::/64`. An IPv4-mapped address
 * (`::ffff:192.0.2.1`, what a dual-stack socket reports for IPv4 clients) is its IPv4 address.
 * Anything that is not an IP address is used verbatim.
 */
export function clientKey(rateKey: 'CLIENT_IP' | 'TOTAL', clientIp: string): string {
  if (rateKey === 'TOTAL') return 'TOTAL';
  let ip = clientIp.trim();
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (isIPv4(ip)) return ip;
  const zone = ip.indexOf('%');
  if (zone >= 0) ip = ip.slice(0, zone);
  if (!isIPv6(ip)) return clientIp;
  const hextets = parseIPv6(ip);
  if (!hextets) return clientIp;
  // ::ffff:0:0/96 is IPv4-mapped: the client is an IPv4 client.
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    const [hi = 0, lo = 0] = hextets.slice(6);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return `${formatIPv6([...hextets.slice(0, 4), 0, 0, 0, 0])}/64`;
}

/** Eight 16-bit groups of a textual IPv6 address (`::` and a trailing dotted IPv4 allowed). */
function parseIPv6(text: string): number[] | undefined {
  const halves = text.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        if (!isIPv4(piece)) return undefined;
        const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
        out.push((a << 8) | b, (c << 8) | d);
      } else {
        if (!/^[0-9a-f]{1,4}$/.test(piece)) return undefined;
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** RFC 5952: lower-case hex, no leading zeros, the longest run (≥ 2, first on a tie) of zero groups as `::`. */
function formatIPv6(hextets: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < hextets.length; ) {
    if (hextets[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < hextets.length && hextets[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = hextets.map((h) => h.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
