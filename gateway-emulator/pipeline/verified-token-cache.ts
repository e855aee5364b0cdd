/**
 * The gateway's memory of tokens whose RS* signature it has already verified: the largest
 * throughput lever of JWT authentication (reference security-and-performance.md B.1; Envoy's
 * `jwt_cache_config`, fast-jwt's cache). A client usually sends the same access token for its
 * whole lifetime, so verifying it once and remembering the result saves the RSA work, the
 * base64url decoding and the strict JSON parse on every later request.
 *
 * What is remembered, and why only that:
 * - the parsed header and claims and the key (kid, KeyObject) that verified the signature. That
 *   is a fact about the token's bytes and one key, true for as long as that key is the one the
 *   policy's key source serves for the kid.
 * - never a verdict on the claims. `exp`/`nbf` depend on the clock and the policy's skew, `iss`,
 *   `aud` and `verifyClaims` on the policy of the deployment being called; they are cheap, so the
 *   caller runs them on every request, cached or not.
 *
 * Keyed by the key source's identity and the token: a token verified with one deployment's keys
 * does not count for another deployment whose keys merely reuse the kid. The map key holds only
 * the token's last {@link TOKEN_TAIL} characters (signature bytes, random for every token): V8
 * hashes a whole 1.4 KB token string in about 2 µs, close to what the rest of authenticating a
 * cached token costs (bench/, `--cpu-prof`). The entry keeps the whole token and a hit requires it
 * to be equal, so a token crafted to share a tail is a miss, never another token's claims. The
 * caller also looks the kid up again on every hit and uses the entry only if the same KeyObject
 * comes back — a JWKS refresh that drops (or replaces) the key ends the entry's use.
 *
 * Bounded: least recently used entries go first (default 10 000), so a client minting a new
 * token per request costs memory up to the bound and no further. Only tokens whose signature
 * verified are stored: nobody without a signing key can put an entry in.
 *
 * Admission once full ({@link VerifiedTokenCache.offer}): while there is room every verified
 * token is stored. Once the cache is full, a token the cache has not been offered within its last
 * `maxEntries` offers is not stored on first sight: an LRU of that size would evict it before its
 * next use anyway, so storing it would only push out an entry that may still hit (TinyLFU's
 * "doorkeeper", Caffeine). Its next request within that window stores it, so a token in use is
 * verified at most twice. A client minting a new token per request then costs the cache nothing:
 * no entry, no eviction, no retained token for the garbage collector (bench/, case (e)).
 */
import type { KeyObject } from 'node:crypto';
import type { models } from 'oci-apigateway';
import type { RsAlgorithm } from './jwks-key.js';
import { deepFreeze } from '../../common/freeze.js';

/** Entries kept at most unless the caller says otherwise. */
export const DEFAULT_MAX_VERIFIED_TOKENS = 10_000;

/** Characters of the token's end in the map key: 384 bits of an RS* signature (2048-bit keys give 342 characters). */
export const TOKEN_TAIL = 64;

/** A token whose signature verified: what the claim checks and `request.auth` need, and which key vouched for it. */
export interface VerifiedToken {
  readonly header: Readonly<Record<string, unknown>>;
  /** Deep-frozen: one object serves every request that presents the token. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly alg: RsAlgorithm;
  readonly kid: string;
  /** The key that verified the signature; an entry counts only while the source still serves this very key. */
  readonly key: KeyObject;
}

/** Where a policy's keys come from: the two sources the gateway emulates. */
export type KeySourceRef = { type: 'REMOTE_JWKS'; uri: string } | { type: 'STATIC_KEYS'; keys: ReadonlyArray<models.StaticPublicKey> };

const staticSourceIds = new WeakMap<ReadonlyArray<models.StaticPublicKey>, string>();
let nextStaticSourceId = 1;

/**
 * The identity of a key source, as part of the cache key.
 * - `REMOTE_JWKS`: the URI. Deployments naming the same JWKS share one copy of it in the JWKS
 *   cache, so they verify with the same keys and may share entries.
 * - `STATIC_KEYS`: the key list of one deployed specification (object identity). Two deployments
 *   with look-alike static keys do not share: a kid is only a name, chosen by whoever wrote the
 *   specification.
 */
export function keySourceId(source: KeySourceRef): string {
  if (source.type === 'REMOTE_JWKS') return `REMOTE_JWKS ${source.uri}`;
  let id = staticSourceIds.get(source.keys);
  if (id === undefined) {
    id = `STATIC_KEYS #${nextStaticSourceId++}`;
    staticSourceIds.set(source.keys, id);
  }
  return id;
}

/**
 * Whether a remembered signature still speaks for the token under this policy now: the kid lookup
 * of this request returned the very key that verified it (a refreshed JWKS builds new keys, so the
 * first request after a refresh verifies again), and the token names the same algorithm.
 */
export function cachedSignatureHolds(entry: VerifiedToken, key: KeyObject, alg: string): boolean {
  return entry.key === key && entry.alg === alg;
}

export interface VerifiedTokenCacheStats {
  entries: number;
  hits: number;
  misses: number;
  evictions: number;
  /** Verified tokens offered while the cache was full and not stored: seen for the first time (see {@link VerifiedTokenCache.offer}). */
  declined: number;
}

/** Slots of the admission filter: a power of two; 256 KB. */
const ADMISSION_SLOTS = 1 << 16;

/**
 * Which tokens were offered recently: one slot per hash of the token's tail (its signature), the
 * slot holding the whole hash. A collision can only admit a token early and an overwritten slot
 * only delays one, so a fixed array is enough; forgotten all at once every `window` offers.
 */
class RecentOffers {
  private readonly hashes = new Int32Array(ADMISSION_SLOTS);
  private offers = 0;

  constructor(private readonly window: number) {}

  /** True when `token` was offered within the window; remembers it either way. */
  seenBefore(token: string): boolean {
    if (++this.offers > this.window) {
      this.hashes.fill(0);
      this.offers = 1;
    }
    const hash = tailHash(token);
    const slot = hash & (ADMISSION_SLOTS - 1);
    if (this.hashes[slot] === hash) return true;
    this.hashes[slot] = hash;
    return false;
  }
}

/** 32-bit FNV-1a over the token's last {@link TOKEN_TAIL} characters; never 0 (the empty slot). */
function tailHash(token: string): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = Math.max(0, token.length - TOKEN_TAIL); i < token.length; i++) hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  return hash === 0 ? 1 : hash;
}

/** One cached token, a link in the recency list (most recent at the head). */
interface Node {
  key: string;
  token: string;
  value: VerifiedToken;
  newer: Node | undefined;
  older: Node | undefined;
}

/**
 * An LRU of verified tokens: a Map for lookups and a doubly linked list for recency. A hit only
 * relinks its node. The Map itself is never used as the recency order (delete + re-insert on
 * every hit, `keys().next()` for the oldest): V8's ordered hash table rehashes and skips deleted
 * slots, and with 10 000 entries that costs 6–14 µs per operation (measured) — a full cache made
 * every hit slower than verifying the token's signature.
 */
export class VerifiedTokenCache {
  readonly maxEntries: number;
  private readonly nodes = new Map<string, Node>();
  private newest: Node | undefined;
  private oldest: Node | undefined;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private declined = 0;
  private readonly recentOffers: RecentOffers;

  constructor(options: { maxEntries?: number } = {}) {
    const max = options.maxEntries ?? DEFAULT_MAX_VERIFIED_TOKENS;
    this.maxEntries = Number.isInteger(max) && max > 0 ? max : DEFAULT_MAX_VERIFIED_TOKENS;
    this.recentOffers = new RecentOffers(this.maxEntries);
  }

  /** The remembered verification of `token` under `sourceId` (see {@link keySourceId}), if any. */
  get(sourceId: string, token: string): VerifiedToken | undefined {
    const node = this.nodes.get(cacheKey(sourceId, token));
    if (node === undefined || node.token !== token) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.unlink(node);
    this.pushNewest(node);
    return node.value;
  }

  /**
   * What the gateway calls after verifying a token's signature: stores it (see {@link set}) while
   * there is room, or when it replaces the token's own entry, or when the token was offered before
   * within the last `maxEntries` offers; otherwise declines. True when the token is now cached.
   */
  offer(sourceId: string, token: string, value: VerifiedToken): boolean {
    // The filter first: a declined token (the usual case once full) costs no cache key.
    if (this.nodes.size >= this.maxEntries && !this.recentOffers.seenBefore(token) && !this.nodes.has(cacheKey(sourceId, token))) {
      this.declined++;
      return false;
    }
    this.set(sourceId, token, value);
    return true;
  }

  /** Remembers a verified signature (replacing any entry under the same key). The claims and header are frozen in place. */
  set(sourceId: string, token: string, value: VerifiedToken): void {
    deepFreeze(value.claims);
    deepFreeze(value.header);
    const key = cacheKey(sourceId, token);
    const existing = this.nodes.get(key);
    if (existing) {
      existing.token = token;
      existing.value = value;
      this.unlink(existing);
      this.pushNewest(existing);
      return;
    }
    while (this.nodes.size >= this.maxEntries && this.oldest) {
      const evicted = this.oldest;
      this.unlink(evicted);
      this.nodes.delete(evicted.key);
      this.evictions++;
    }
    const node: Node = { key, token, value, newer: undefined, older: undefined };
    this.pushNewest(node);
    this.nodes.set(key, node);
  }

  /** Forgets one token, e.g. after its kid came back with a key that no longer verifies it. */
  delete(sourceId: string, token: string): void {
    const node = this.nodes.get(cacheKey(sourceId, token));
    if (node === undefined || node.token !== token) return;
    this.unlink(node);
    this.nodes.delete(node.key);
  }

  clear(): void {
    this.nodes.clear();
    this.newest = this.oldest = undefined;
  }

  stats(): VerifiedTokenCacheStats {
    return { entries: this.nodes.size, hits: this.hits, misses: this.misses, evictions: this.evictions, declined: this.declined };
  }

  private unlink(node: Node): void {
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    node.newer = node.older = undefined;
  }

  private pushNewest(node: Node): void {
    node.older = this.newest;
    if (this.newest) this.newest.newer = node;
    this.newest = node;
    this.oldest ??= node;
  }
}

/**
 * The source id's length first, so no (source, token) pair can be spelled as another by shifting
 * text between the two; then the token's tail (see {@link TOKEN_TAIL}).
 */
function cacheKey(sourceId: string, token: string): string {
  return `${sourceId.length}:${sourceId}${token.length > TOKEN_TAIL ? token.slice(-TOKEN_TAIL) : token}`;
}
