/**
 * Which public keys OCI API Gateway can verify a token with (reference §1.4, §3.1 [C D-keys,
 * D-prereq]), turned into node:crypto KeyObjects once so that each request only runs `verify`.
 *
 * A JSON Web Key must be `kty: RSA`; `use`, if present, `sig`; `key_ops`, if present, must
 * include `verify` (IDCS publishes `["verify","encrypt"]`, which is accepted); `alg`, if present,
 * RS256, RS384 or RS512. A PEM key must be an SPKI `-----BEGIN PUBLIC KEY-----` block. Either way
 * the RSA modulus must be 2048 to 4096 bits.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';

/** The only signature algorithms OCI accepts (RSASSA-PKCS1-v1_5). */
export const RS_ALGORITHMS = Object.freeze(['RS256', 'RS384', 'RS512'] as const);
export type RsAlgorithm = (typeof RS_ALGORITHMS)[number];

/** The node:crypto digest of each accepted algorithm. */
export const RS_DIGEST: Readonly<Record<RsAlgorithm, string>> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

export const MIN_RSA_BITS = 2048;
export const MAX_RSA_BITS = 4096;

export type PublicKeyEntry = { ok: true; key: KeyObject; alg?: string } | { ok: false; reason: string };

export function isRsAlgorithm(alg: unknown): alg is RsAlgorithm {
  return typeof alg === 'string' && (RS_ALGORITHMS as ReadonlyArray<string>).includes(alg);
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function rsaSizeProblem(key: KeyObject): string | undefined {
  if (key.asymmetricKeyType !== 'rsa') return `it is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; only RSA keys are accepted`;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) return `the RSA key has ${bits} bits; ${MIN_RSA_BITS} to ${MAX_RSA_BITS} are accepted`;
  return undefined;
}

/**
 * A JWK from a JWKS document or from a `STATIC_KEYS` entry with `format: JSON_WEB_KEY`. The
 * latter may come through the TypeScript SDK model, which names `key_ops` `keyOps`: both are read.
 */
export function keyFromJwk(jwk: unknown): PublicKeyEntry {
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return { ok: false, reason: 'the key is not a JSON object' };
  const k = jwk as Record<string, unknown>;
  if (k.kty !== 'RSA') return { ok: false, reason: `kty is ${JSON.stringify(k.kty ?? null)}; only "RSA" is accepted` };
  if (k.use !== undefined && k.use !== 'sig') return { ok: false, reason: `use is ${JSON.stringify(k.use)}; only "sig" is accepted` };
  const keyOps = k.key_ops ?? k.keyOps;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify'))) {
    return { ok: false, reason: `key_ops ${JSON.stringify(keyOps)} does not include "verify"` };
  }
  if (k.alg !== undefined && !isRsAlgorithm(k.alg)) return { ok: false, reason: `alg is ${JSON.stringify(k.alg)}; only RS256, RS384 and RS512 are accepted` };
  if (typeof k.n !== 'string' || !BASE64URL.test(k.n) || typeof k.e !== 'string' || !BASE64URL.test(k.e)) {
    return { ok: false, reason: 'n and e must be base64url strings' };
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'RSA', n: k.n, e: k.e }, format: 'jwk' });
  } catch (err) {
    return { ok: false, reason: `not a usable RSA key (${(err as Error).message})` };
  }
  const problem = rsaSizeProblem(key);
  if (problem) return { ok: false, reason: problem };
  return k.alg === undefined ? { ok: true, key } : { ok: true, key, alg: k.alg as string };
}

/** A `STATIC_KEYS` entry with `format: PEM`: the BEGIN/END PUBLIC KEY lines are required [C D-jwtpol]. */
export function keyFromPem(pem: unknown): PublicKeyEntry {
  if (typeof pem !== 'string' || !/^\s*-----BEGIN PUBLIC KEY-----\r?\n[\s\S]+\r?\n-----END PUBLIC KEY-----\s*$/.test(pem)) {
    return { ok: false, reason: 'the PEM key must be one block between "-----BEGIN PUBLIC KEY-----" and "-----END PUBLIC KEY-----" lines' };
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (err) {
    return { ok: false, reason: `not a usable public key (${(err as Error).message})` };
  }
  const problem = rsaSizeProblem(key);
  return problem ? { ok: false, reason: problem } : { ok: true, key };
}
