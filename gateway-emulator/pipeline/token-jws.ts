/**
 * Reading a token as a JWS in compact serialization (RFC 7515 §7.1), the only form OCI API
 * Gateway validates: `base64url(header).base64url(payload).base64url(signature)`.
 *
 * Refused here, before any key is looked up:
 * - 5 parts: a JWE (encrypted token); OCI validates signed tokens only.
 * - an empty signature: an unsecured JWT (`alg: none`).
 * - anything that is not strict base64url (padding, `+`, `/`), so the signed bytes are exactly
 *   the bytes the issuer produced.
 * - a header or payload that is not one JSON object, or that names a member twice.
 * - a `crit` header: it lists extensions the verifier must understand, and we understand none
 *   (RFC 7515 §4.1.11).
 * - `b64` other than `true`, with or without `crit`: an unencoded payload (RFC 7797) is never a
 *   JWT, and RFC 7797 §6 requires `crit` with it, so a bare `b64: false` is not a conforming JWS
 *   either. Ignoring it would be allowed; refusing it leaves no verifier to read the payload
 *   differently [I].
 * - `zip` (a JWE member; RFC 8725 §3.6): the gateway never inflates a token [I].
 * - more than {@link MAX_TOKEN_BYTES}: OCI's whole header block is limited to 8 KB (reference §6),
 *   so a longer token cannot reach a real gateway [I].
 *
 * Header members that point at keys (`jku`, `x5u`, `jwk`, `x5c`) are never followed: the keys
 * come from the deployment's policy only.
 */
import { parseJsonObjectBytes } from './token-json.js';

export const MAX_TOKEN_BYTES = 8192;

export interface CompactJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `header.payload` exactly as received: the bytes the signature covers. */
  signingInput: Buffer;
  signature: Buffer;
}

export type JwsParse = { ok: true; jws: CompactJws } | { ok: false; reason: string };

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function isBase64url(part: string): boolean {
  // A length of 4k+1 cannot come from any byte string; Buffer would silently drop the extra character.
  return BASE64URL.test(part) && part.length % 4 !== 1;
}

/**
 * Where the header and payload are decoded before they become text: one buffer for the process,
 * used synchronously only (decoded, then read into a string at once), so no request sees
 * another's bytes. Three fresh Buffers per new token fed the collector for nothing (bench/).
 */
const scratch = Buffer.allocUnsafe(MAX_TOKEN_BYTES);

/** The JSON object a part already checked by {@link isBase64url} holds, decoded through {@link scratch}. */
function decodeJsonPart(part: string, name: string): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  // A part longer than any token the gateway reads (a direct caller's) gets a buffer of its own.
  const bytes = part.length <= MAX_TOKEN_BYTES ? scratch.subarray(0, scratch.write(part, 0, 'base64url')) : Buffer.from(part, 'base64url');
  const parsed = parseJsonObjectBytes(bytes);
  return parsed.ok ? parsed : { ok: false, reason: `the ${name} is ${parsed.reason}` };
}

export function parseCompactJws(token: string): JwsParse {
  const parts = token.split('.');
  // Five base64url parts are a JWE; five parts with other characters (an RFC 7797 unencoded payload holding dots) are not.
  if (parts.length === 5 && parts.every((part) => BASE64URL.test(part))) {
    return { ok: false, reason: 'the token has 5 parts: a JWE (encrypted token), which the gateway does not accept' };
  }
  if (parts.length !== 3) return { ok: false, reason: `the token has ${parts.length} part${parts.length === 1 ? '' : 's'}; a signed JWT has 3` };
  const [h, p, s] = parts as [string, string, string];
  if (h === '' || p === '') return { ok: false, reason: `the ${h === '' ? 'header' : 'payload'} is empty` };
  if (s === '') return { ok: false, reason: 'the signature is empty (an unsecured JWT)' };

  if (!isBase64url(h)) return { ok: false, reason: 'the header is not base64url' };
  if (!isBase64url(p)) return { ok: false, reason: 'the payload is not base64url' };
  if (!isBase64url(s)) return { ok: false, reason: 'the signature is not base64url' };

  const header = decodeJsonPart(h, 'header');
  if (!header.ok) return header;
  if ('crit' in header.value) return { ok: false, reason: 'the header has "crit": critical extensions are not supported' };
  if ('b64' in header.value && header.value.b64 !== true) {
    return { ok: false, reason: `the header has "b64": ${JSON.stringify(header.value.b64)}: a JWT's payload is base64url JSON, never unencoded (RFC 7797)` };
  }
  if ('zip' in header.value) return { ok: false, reason: 'the header has "zip": compressed tokens are not accepted (RFC 8725 §3.6)' };
  const payload = decodeJsonPart(p, 'payload');
  if (!payload.ok) return payload;

  return {
    ok: true,
    jws: { header: header.value, payload: payload.value, signingInput: Buffer.from(`${h}.${p}`, 'ascii'), signature: Buffer.from(s, 'base64url') },
  };
}
