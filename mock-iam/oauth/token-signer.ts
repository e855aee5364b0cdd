/**
 * Signs JWTs as IDCS does: RS256, header `{x5t#S256, x5t, kid, alg}` in that order and no `typ`.
 *
 * Hand-rolled compact serialisation over node:crypto instead of jose's SignJWT: the header is
 * encoded once per key, the KeyObject is never re-imported, and the asynchronous `crypto.sign`
 * runs in libuv's thread pool, so signing does not block the event loop (bench/ measures it).
 */
import { sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { SigningKey } from '../keys/signing-key.js';
import type { KeyRing } from '../keys/key-ring.js';

const encodedHeaders = new WeakMap<SigningKey, string>();

function encodedHeader(key: SigningKey): string {
  let header = encodedHeaders.get(key);
  if (!header) {
    header = Buffer.from(JSON.stringify({ 'x5t#S256': key.x5tS256, x5t: key.x5t, kid: key.kid, alg: 'RS256' })).toString('base64url');
    encodedHeaders.set(key, header);
  }
  return header;
}

export function signJwt(key: SigningKey, claims: Record<string, unknown>): Promise<string> {
  const signingInput = `${encodedHeader(key)}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return new Promise((resolve, reject) => {
    cryptoSign('sha256', Buffer.from(signingInput), key.privateKey, (err, signature) => {
      if (err) reject(err);
      else resolve(`${signingInput}.${signature.toString('base64url')}`);
    });
  });
}

export type OwnTokenCheck =
  | { ok: true; header: Record<string, unknown>; claims: Record<string, unknown> }
  | { ok: false; reason: string };

/**
 * Checks a token this IAM issued: shape, RS256, a `kid` still in the JWKS, signature. Expiry,
 * issuer and revocation are the caller's (see own-token.ts), which knows the clock and store.
 */
export function verifyOwnSignature(keys: KeyRing, token: string): OwnTokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a signed JWT (expected three dot-separated parts)' };
  const [h, p, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'the JWT header or payload is not base64url JSON' };
  }
  if (typeof header !== 'object' || header === null || typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    return { ok: false, reason: 'the JWT header or payload is not a JSON object' };
  }
  if (header.alg !== 'RS256') return { ok: false, reason: `alg "${String(header.alg)}" is not RS256` };
  const key = typeof header.kid === 'string' ? keys.find(header.kid) : undefined;
  if (!key) return { ok: false, reason: `kid "${String(header.kid)}" is not a key of this identity domain` };
  const valid = cryptoVerify('sha256', Buffer.from(`${h}.${p}`), key.publicKey, Buffer.from(s, 'base64url'));
  if (!valid) return { ok: false, reason: 'the signature does not verify' };
  return { ok: true, header, claims };
}
