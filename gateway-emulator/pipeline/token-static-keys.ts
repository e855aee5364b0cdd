/**
 * `STATIC_KEYS` (reference §1.4): up to 10 keys written into the specification, each with the
 * `kid` a token's header must name [C D-keys], as a JSON Web Key or a PEM block.
 *
 * The KeyObjects are built once per key list (the specification object is immutable once
 * deployed) and remembered in a WeakMap, so a request only looks a kid up.
 */
import type { models } from 'oci-apigateway';
import { keyFromJwk, keyFromPem, type PublicKeyEntry } from './jwks-key.js';

const built = new WeakMap<ReadonlyArray<models.StaticPublicKey>, ReadonlyMap<string, PublicKeyEntry>>();

export function staticKeySet(keys: ReadonlyArray<models.StaticPublicKey>): ReadonlyMap<string, PublicKeyEntry> {
  let set = built.get(keys);
  if (!set) {
    const byKid = new Map<string, PublicKeyEntry>();
    for (const key of keys) {
      const entry =
        key.format === 'JSON_WEB_KEY'
          ? keyFromJwk(key)
          : key.format === 'PEM'
            ? keyFromPem((key as models.PemEncodedPublicKey).key)
            : { ok: false as const, reason: `format ${JSON.stringify(key.format)} is neither JSON_WEB_KEY nor PEM` };
      // Two keys with one kid: which one the client meant is unknowable, so neither is used.
      byKid.set(key.kid, byKid.has(key.kid) ? { ok: false, reason: `more than one static key has kid "${key.kid}"` } : entry);
    }
    set = byKid;
    built.set(keys, set);
  }
  return set;
}
