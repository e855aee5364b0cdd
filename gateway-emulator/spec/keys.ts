/**
 * Static public keys of a STATIC_KEYS set: the gateway verifies RS256/384/512 with RSA keys of
 * 2048 to 4096 bits [C D-prereq], given as a JWK (`kty: RSA`, `n`, `e`) or as PEM text whose
 * `-----BEGIN PUBLIC KEY-----` / `-----END PUBLIC KEY-----` lines are required [C D-jwtpol].
 * A key that cannot verify anything is refused when the deployment is written, not at the first call.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { LIMITS } from './limits.js';

const BEGIN = '-----BEGIN PUBLIC KEY-----';
const END = '-----END PUBLIC KEY-----';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function rsaSizeProblem(key: KeyObject): string | undefined {
  if (key.asymmetricKeyType !== 'rsa') return `must be an RSA public key; got ${key.asymmetricKeyType ?? 'another key type'}`;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < LIMITS.minRsaBits || bits > LIMITS.maxRsaBits) {
    return `the RSA key has ${bits} bits; OCI accepts ${LIMITS.minRsaBits} to ${LIMITS.maxRsaBits}`;
  }
  return undefined;
}

/** The reason a PEM `key` is unusable, or undefined. */
export function pemPublicKeyProblem(pem: string): string | undefined {
  const text = pem.trim();
  if (!text.startsWith(BEGIN) || !text.endsWith(END)) return `must be PEM text between the lines "${BEGIN}" and "${END}"`;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch {
    return 'is not a readable PEM public key';
  }
  return rsaSizeProblem(key);
}

/**
 * The reason a JWK's modulus and exponent are unusable, or undefined. Only `n` and `e` are read
 * (both base64url); `kty`, `use`, `key_ops` and `alg` are the schema's.
 */
export function jwkRsaProblem(n: string, e: string): string | undefined {
  if (!BASE64URL.test(n)) return 'n must be base64url (A-Z a-z 0-9 - _, no padding)';
  if (!BASE64URL.test(e)) return 'e must be base64url (A-Z a-z 0-9 - _, no padding)';
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'RSA', n, e }, format: 'jwk' });
  } catch {
    return 'n and e do not form an RSA public key';
  }
  return rsaSizeProblem(key);
}
