/**
 * Building hostile tokens byte by byte: JSON given as text (so a member can appear twice), raw
 * payload bytes (invalid UTF-8), any signature (HMAC, ECDSA, zeros, the RSA modulus), and the
 * signing key chosen per token. Nothing here validates anything: that is the gateway's job.
 */
import { createHmac, sign, type KeyObject } from 'node:crypto';

/** base64url of text (UTF-8), bytes, or a value's JSON. */
export function b64u(value: string | Uint8Array | object): string {
  if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('base64url');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64url');
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** JSON text of a header or payload, or the exact text/bytes given. */
export type JsonPart = object | string | Uint8Array;

const partB64 = (part: JsonPart) => b64u(part);

/** `header.payload` as it is signed. */
export function signingInput(header: JsonPart, payload: JsonPart): string {
  return `${partB64(header)}.${partB64(payload)}`;
}

/** An RSASSA-PKCS1-v1_5 JWS (RS256/384/512 by `digest`) over the given parts. */
export function rsJws(header: JsonPart, payload: JsonPart, key: KeyObject, digest: 'sha256' | 'sha384' | 'sha512' = 'sha256'): string {
  const input = signingInput(header, payload);
  return `${input}.${sign(digest, Buffer.from(input), key).toString('base64url')}`;
}

/** An RSASSA-PSS (PS256) JWS: a valid RSA signature under an algorithm OCI does not accept. */
export function psJws(header: JsonPart, payload: JsonPart, key: KeyObject): string {
  const input = signingInput(header, payload);
  const signature = sign('sha256', Buffer.from(input), { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 });
  return `${input}.${signature.toString('base64url')}`;
}

/** An HMAC-SHA256 JWS keyed with `secret` (the algorithm-confusion attack keys it with a public key). */
export function hsJws(header: JsonPart, payload: JsonPart, secret: string | Buffer): string {
  const input = signingInput(header, payload);
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** A JWS with the given signature bytes, or none (`header.payload.`). */
export function withSignature(header: JsonPart, payload: JsonPart, signature: Uint8Array | ''): string {
  return `${signingInput(header, payload)}.${signature === '' ? '' : Buffer.from(signature).toString('base64url')}`;
}

/** An ECDSA (ES256) JWS signed by `key`, its signature in the DER form JOSE forbids (RFC 7518 §3.4 wants raw r‖s). */
export function es256DerJws(header: JsonPart, payload: JsonPart, key: KeyObject): string {
  const input = signingInput(header, payload);
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'der' }).toString('base64url')}`;
}

/** The order n of P-256, the bound r and s must stay below (CVE-2022-21449 is r = s = 0). */
export const P256_ORDER = Buffer.from('FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551', 'hex');

/** The three parts of a compact JWS as text. */
export function parts(token: string): [string, string, string] {
  const [h = '', p = '', s = ''] = token.split('.');
  return [h, p, s];
}

/** A token's payload decoded (for tokens we minted and want to change). */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(parts(token)[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * JSON text of `claims` with `"@@RAW@@"` (a string member value, quotes included) replaced by
 * `raw`: how a test writes `1e400` or a number JSON.stringify cannot produce.
 */
export function jsonWithRaw(claims: Record<string, unknown>, raw: string): string {
  const text = JSON.stringify(claims);
  if (!text.includes('"@@RAW@@"')) throw new Error('jsonWithRaw: no "@@RAW@@" marker in the claims');
  return text.replace('"@@RAW@@"', raw);
}

/** UTF-8 bytes of `claims` with the marker `@@BYTES@@` (inside a string) replaced by `bytes`. */
export function jsonWithBytes(claims: Record<string, unknown>, bytes: number[]): Buffer {
  const text = JSON.stringify(claims);
  const at = text.indexOf('@@BYTES@@');
  if (at < 0) throw new Error('jsonWithBytes: no @@BYTES@@ marker in the claims');
  return Buffer.concat([Buffer.from(text.slice(0, at), 'utf8'), Buffer.from(bytes), Buffer.from(text.slice(at + '@@BYTES@@'.length), 'utf8')]);
}

/** JSON text of an object with one more member appended after the others: `{"a":1,"dup":2}` → a duplicate when `name` is already there. */
export function appendMember(value: Record<string, unknown>, rawName: string, rawValue: string): string {
  const text = JSON.stringify(value);
  return `${text.slice(0, -1)},${rawName}:${rawValue}}`;
}
