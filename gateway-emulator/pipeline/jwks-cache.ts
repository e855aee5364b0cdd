/**
 * The gateway's copy of each remote JWKS (`publicKeys` / `validationPolicy` of type
 * `REMOTE_JWKS`, reference §1.4, §3.1).
 *
 * - A JWKS is kept for `maxCacheDurationInHours`, measured on the injected Clock, so a test can
 *   advance time instead of waiting an hour [C D-jwtpol: 1–24 h; default 1 h [I]].
 * - A JWKS that cannot be fetched (network error, non-200, not JSON, no usable key) makes the
 *   deployment answer 500 [C D-jwtpol, D-tokjson]: `kind: 'unavailable'`.
 * - A token whose `kid` is not in the cached set triggers one early refetch, so a key rotation
 *   at the IAM is picked up without waiting for the cache to expire. OCI does not document this
 *   [I]; at most one such refetch per URI per cooldown keeps a client sending random kids from
 *   turning the gateway into a JWKS load generator.
 * - If that refetch fails, the cached keys stay in use until their cache duration runs out [I]:
 *   a flaky IAM should not fail tokens that verified a second ago.
 * - One fetch per URI is in flight at a time; concurrent callers share it, so a burst after the
 *   cache expires costs the IAM one request.
 * - The number of cached URIs is bounded (least recently used goes first), because deployments
 *   come and go through the control plane while the process lives.
 */
import type { KeyObject } from 'node:crypto';
import { request } from '../../common/undici.js';
import type { Clock } from '../../common/clock.js';
import { keyFromJwk, type PublicKeyEntry } from './jwks-key.js';

export interface JwksCacheOptions {
  clock: Clock;
  /** Returns the parsed JSON document at `uri`; throws when it cannot. Default: {@link fetchJwksOverHttp} (undici GET, no auth). */
  fetchJwks?: (uri: string) => Promise<unknown>;
  /**
   * How long the default fetcher waits for the whole JWKS (connect, headers and body) before the
   * fetch counts as failed. Default {@link JWKS_FETCH_TIMEOUT_MS}. Ignored with `fetchJwks`.
   */
  fetchTimeoutMs?: number;
  /** Seconds after an unknown-kid refetch during which another unknown kid is refused without a fetch. Default 30. */
  unknownKidCooldownSeconds?: number;
  /** Cached URIs at most. Default 100. */
  maxEntries?: number;
}

export type JwksKeyResult =
  | { ok: true; key: KeyObject; alg?: string }
  | { ok: false; kind: 'unavailable' | 'no-such-kid' | 'bad-key'; reason: string };

/** OCI: "The JWKS may hold at most 10 keys" [C D-tokjson]. A larger set is refused [I: strict]. */
export const MAX_JWKS_KEYS = 10;

/** A JWKS far larger than 10 RSA keys with certificate chains is not a JWKS. */
const MAX_JWKS_BYTES = 512 * 1024;
/**
 * OCI does not document how long the gateway waits for a JWKS [I]. 5 s is jose's
 * `timeoutDuration`; a fetch that takes longer fails like an unreachable JWKS (500), and the
 * callers waiting on it are answered then, so a hanging IAM costs each request at most this long.
 */
export const JWKS_FETCH_TIMEOUT_MS = 5_000;

interface KeySet {
  keys: ReadonlyMap<string, PublicKeyEntry>;
  fetchedAtMs: number;
}

type FetchOutcome = { ok: true; set: KeySet } | { ok: false; reason: string };

interface Entry {
  set?: KeySet;
  inFlight?: Promise<FetchOutcome>;
  lastUnknownKidRefetchMs?: number;
}

/**
 * GET the JWKS without credentials (OCI requires it to be public [C SDK]). The timeout covers the
 * whole exchange: a server that sends its headers and then trickles or stalls the body fails too.
 */
export async function fetchJwksOverHttp(uri: string, timeoutMs: number = JWKS_FETCH_TIMEOUT_MS): Promise<unknown> {
  const protocol = new URL(uri).protocol;
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`${uri} is not an http(s) URI`);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return await getJson(uri, signal);
  } catch (err) {
    if (signal.aborted) throw new Error(`GET ${uri} did not complete within ${timeoutMs} ms`);
    throw err;
  }
}

async function getJson(uri: string, signal: AbortSignal): Promise<unknown> {
  const res = await request(uri, { method: 'GET', headers: { accept: 'application/json' }, signal });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`GET ${uri} answered HTTP ${res.statusCode}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_JWKS_BYTES) {
      res.body.destroy();
      throw new Error(`GET ${uri} returned more than ${MAX_JWKS_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`GET ${uri} did not return JSON`);
  }
}

/**
 * Reads a JWKS document into usable keys by kid. Entries without a kid cannot match a token and
 * are skipped; a kid that appears twice is ambiguous and marked unusable; a set with no usable
 * key at all is an error (the deployment could verify nothing).
 */
export function parseJwks(document: unknown, fetchedAtMs: number): FetchOutcome {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (document === null || typeof document !== 'object' || !Array.isArray(keys)) return { ok: false, reason: 'the document has no "keys" array' };
  if (keys.length > MAX_JWKS_KEYS) return { ok: false, reason: `the JWKS has ${keys.length} keys; OCI accepts at most ${MAX_JWKS_KEYS}` };
  const byKid = new Map<string, PublicKeyEntry>();
  for (const jwk of keys) {
    const kid = (jwk as { kid?: unknown } | null)?.kid;
    if (typeof kid !== 'string' || kid === '') continue;
    byKid.set(kid, byKid.has(kid) ? { ok: false, reason: `the JWKS has more than one key with kid "${kid}"` } : keyFromJwk(jwk));
  }
  if (![...byKid.values()].some((k) => k.ok)) {
    const why = [...byKid].map(([kid, k]) => `${kid}: ${k.ok ? 'ok' : k.reason}`).join('; ');
    return { ok: false, reason: `the JWKS has no usable key${why ? ` (${why})` : ''}` };
  }
  return { ok: true, set: { keys: byKid, fetchedAtMs } };
}

/**
 * Whether `now` lies in [start, start + durationMs). A start in the future counts as outside: the
 * harness clock can be set back, and a cache filled "tomorrow" must not stay fresh until then.
 */
function within(now: number, start: number, durationMs: number): boolean {
  return now >= start && now < start + durationMs;
}

export class JwksCache {
  private readonly clock: Clock;
  private readonly fetchJwks: (uri: string) => Promise<unknown>;
  private readonly cooldownMs: number;
  private readonly maxEntries: number;
  /** Insertion order is recency order: an entry is re-inserted on every use, the first is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  /** The key of the most recently used entry (its place in the LRU order needs no update). */
  private newest: string | undefined;
  private fetches = 0;

  constructor(options: JwksCacheOptions) {
    this.clock = options.clock;
    const timeoutMs = options.fetchTimeoutMs ?? JWKS_FETCH_TIMEOUT_MS;
    this.fetchJwks = options.fetchJwks ?? ((uri) => fetchJwksOverHttp(uri, timeoutMs));
    this.cooldownMs = (options.unknownKidCooldownSeconds ?? 30) * 1000;
    this.maxEntries = Math.max(1, options.maxEntries ?? 100);
  }

  /** The key for a kid, fetching or refreshing the JWKS as needed. */
  async keyFor(uri: string, kid: string, maxCacheDurationInHours: number): Promise<JwksKeyResult> {
    const entry = this.entry(uri);
    const maxAgeMs = (Number.isFinite(maxCacheDurationInHours) && maxCacheDurationInHours > 0 ? maxCacheDurationInHours : 1) * 3_600_000;

    let set = entry.set;
    let fetchedNow = false;
    if (!set || !within(this.clock.nowMs(), set.fetchedAtMs, maxAgeMs)) {
      const outcome = await this.refresh(uri, entry);
      if (!outcome.ok) return { ok: false, kind: 'unavailable', reason: `the JWKS at ${uri} cannot be used: ${outcome.reason}` };
      set = outcome.set;
      fetchedNow = true;
    }

    let found = set.keys.get(kid);
    if (!found && !fetchedNow) {
      // A rotation at the IAM: look once more, unless we looked for an unknown kid very recently.
      const now = this.clock.nowMs();
      const last = entry.lastUnknownKidRefetchMs;
      if (entry.inFlight || last === undefined || !within(now, last, this.cooldownMs)) {
        if (!entry.inFlight) entry.lastUnknownKidRefetchMs = now;
        const outcome = await this.refresh(uri, entry);
        // A failed refetch keeps the cached keys (still within their cache duration).
        if (outcome.ok) found = outcome.set.keys.get(kid);
      } else {
        const waitS = Math.ceil((last + this.cooldownMs - now) / 1000);
        return { ok: false, kind: 'no-such-kid', reason: `no key with kid "${kid}" in the JWKS at ${uri} (not refetched: the last unknown-kid refetch was under ${this.cooldownMs / 1000} s ago; next in ${waitS} s)` };
      }
    }
    if (!found) return { ok: false, kind: 'no-such-kid', reason: `no key with kid "${kid}" in the JWKS at ${uri}` };
    if (!found.ok) return { ok: false, kind: 'bad-key', reason: `the key "${kid}" in the JWKS at ${uri} cannot verify tokens: ${found.reason}` };
    return found.alg === undefined ? { ok: true, key: found.key } : { ok: true, key: found.key, alg: found.alg };
  }

  /**
   * Whether the JWKS can be used at all (cached within its duration, or fetched now). OCI answers
   * 500 to every request of a deployment whose JWKS cannot be retrieved, tokenless ones included.
   */
  async available(uri: string, maxCacheDurationInHours: number): Promise<{ ok: true } | { ok: false; reason: string }> {
    const entry = this.entry(uri);
    const maxAgeMs = (Number.isFinite(maxCacheDurationInHours) && maxCacheDurationInHours > 0 ? maxCacheDurationInHours : 1) * 3_600_000;
    if (entry.set && within(this.clock.nowMs(), entry.set.fetchedAtMs, maxAgeMs)) return { ok: true };
    const outcome = await this.refresh(uri, entry);
    return outcome.ok ? { ok: true } : { ok: false, reason: `the JWKS at ${uri} cannot be used: ${outcome.reason}` };
  }

  stats(): { fetches: number; entries: number } {
    return { fetches: this.fetches, entries: this.entries.size };
  }

  private entry(uri: string): Entry {
    let entry = this.entries.get(uri);
    // Already the most recently used (the usual case: one JWKS per gateway): nothing to reorder.
    if (entry && uri === this.newest) return entry;
    this.newest = uri;
    if (entry) {
      this.entries.delete(uri);
    } else {
      entry = {};
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(uri, entry);
    return entry;
  }

  /** Fetches the JWKS, or joins the fetch already in flight. A successful result replaces the cached set. */
  private refresh(uri: string, entry: Entry): Promise<FetchOutcome> {
    if (entry.inFlight) return entry.inFlight;
    this.fetches++;
    const inFlight = (async (): Promise<FetchOutcome> => {
      let document: unknown;
      try {
        document = await this.fetchJwks(uri);
      } catch (err) {
        return { ok: false, reason: (err as Error).message || String(err) };
      }
      const outcome = parseJwks(document, this.clock.nowMs());
      if (outcome.ok) entry.set = outcome.set;
      return outcome;
    })().finally(() => {
      entry.inFlight = undefined;
    });
    entry.inFlight = inFlight;
    return inFlight;
  }
}
