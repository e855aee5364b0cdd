/**
 * Verifies OCI's HTTP request signatures (draft-cavage HTTP signatures as OCI profiles them), so
 * the real OCI SDK clients can call the mock IAM's admin API and the gateway's control plane with
 * an API key listed in the stack config.
 *
 * What the SDK sends (oci-common 2.139.1, `DefaultRequestSigner` over `http-signature` 1.3.1):
 *
 *   Authorization: Signature version="1",keyId="<tenancy>/<user>/<fingerprint>",algorithm="rsa-sha256",
 *     headers="x-date (request-target) host",signature="<base64>"
 *
 * and for POST, PUT and PATCH `headers="x-date (request-target) host Content-Type Content-Length
 * x-content-sha256"` (names as the SDK spells them; they are lower-cased for the signing string).
 * It also sends an unsigned `date`. The body headers are signed even for an empty body
 * (`content-length: 0`, the SHA-256 of nothing); only object-storage uploads leave them out
 * (`forceExcludeBody`), which no API of this harness has, so they are always required here.
 *
 * Everything is decided in one pure function: no clock, no I/O, and never a throw on hostile input.
 */
import { constants, createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

/** OCI refuses a request whose `date` / `x-date` is more than 5 minutes off its clock. */
export const OCI_MAX_SKEW_SECONDS = 300;

/** The SHA-256 of an empty body, as the SDK hard-codes it. */
export const EMPTY_BODY_SHA256 = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

/** `<tenancy OCID>/<user OCID>/<fingerprint>`, the fingerprint as OCI prints it (lowercase hex pairs). */
export const OCI_API_KEY_ID = /^[^/]+\/[^/]+\/[0-9a-f]{2}(:[0-9a-f]{2}){15}$/;

export interface OciApiKey {
  /** `<tenancy OCID>/<user OCID>/<fingerprint>`. */
  keyId: string;
  publicKey: KeyObject;
}

export interface SignedRequestParts {
  method: string;
  /** Path and query exactly as received (node's `req.url`, Koa's `ctx.originalUrl`). */
  target: string;
  /** Lower-case names, as node gives them (`req.headers`, or `req.headersDistinct`). */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body; `undefined` means the request had none. */
  body: Buffer | undefined;
}

export type OciSignatureCheck =
  | { ok: true; keyId: string; tenancyId: string; userId: string }
  | { ok: false; reason: string; status: 401 };

export type OciKeyLookup = ReadonlyMap<string, OciApiKey> | ((keyId: string) => OciApiKey | undefined);

/** Headers whose meaning breaks when sent twice; node keeps only the first of most of them. */
const SINGLE_VALUED = new Set(['host', 'date', 'x-date', 'content-type', 'content-length', 'x-content-sha256', 'authorization']);
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const BODY_HEADERS = ['x-content-sha256', 'content-type', 'content-length'] as const;
/** No real Authorization header comes near this; longer ones are refused before any parsing. */
const MAX_AUTHORIZATION_LENGTH = 8192;
const MAX_SIGNED_HEADERS = 64;
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
/** IMF-fixdate (RFC 7231 §7.1.1.1), what every OCI SDK writes. */
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when an Authorization header uses the Signature scheme (as opposed to Bearer or Basic). */
export function isOciSignature(authorization: string | undefined): boolean {
  return typeof authorization === 'string' && /^\s*signature\s/i.test(authorization);
}

/** OCI's key fingerprint: MD5 of the DER SubjectPublicKeyInfo, as colon-separated lowercase hex. */
export function ociKeyFingerprint(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('md5').update(der).digest('hex').replace(/(..)(?!$)/g, '$1:');
}

/**
 * Why a PEM string cannot serve as an OCI API public key, or undefined when it can. OCI takes
 * RSA keys of at least 2048 bits; a private key is refused so it never sits in a config by mistake.
 */
export function ociPublicKeyProblem(pem: string): string | undefined {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) return 'this is a private key; give its public half (openssl rsa -pubout)';
  if (!/-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem)) return 'not a PEM public key (-----BEGIN PUBLIC KEY-----)';
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    return `the PEM does not parse: ${(err as Error).message}`;
  }
  if (key.asymmetricKeyType !== 'rsa') return `OCI API keys are RSA keys, this one is ${key.asymmetricKeyType ?? 'unknown'}`;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) return `OCI API keys have at least 2048 bits, this one has ${bits}`;
  return undefined;
}

/** Parses a PEM that `ociPublicKeyProblem` accepted. */
export function ociPublicKey(pem: string): KeyObject {
  return createPublicKey(pem);
}

/**
 * Checks an OCI-signed request against the known API keys at `nowMs`. Every refusal is a 401 with
 * a reason naming what is wrong; the first problem found is the one reported, structural ones first.
 */
export function verifyOciSignature(
  req: SignedRequestParts,
  keys: OciKeyLookup,
  nowMs: number,
  options: { maxSkewSeconds?: number } = {},
): OciSignatureCheck {
  try {
    return check(req, keys, nowMs, options.maxSkewSeconds ?? OCI_MAX_SKEW_SECONDS);
  } catch (err) {
    // A lookup callback or a malformed KeyObject may throw; the caller still gets a plain refusal.
    return refuse(`the signature could not be checked: ${(err as Error)?.message ?? String(err)}`);
  }
}

function check(req: SignedRequestParts, keys: OciKeyLookup, nowMs: number, maxSkewSeconds: number): OciSignatureCheck {
  const authorization = headerValue(req.headers, 'authorization');
  if (authorization === undefined) return refuse('no Authorization header');
  if (typeof authorization !== 'string') return refuse(authorization.problem);
  if (authorization.length > MAX_AUTHORIZATION_LENGTH) return refuse(`the Authorization header is over ${MAX_AUTHORIZATION_LENGTH} characters`);
  const parsed = parseSignatureHeader(authorization);
  if (typeof parsed === 'string') return refuse(parsed);
  const params = parsed;

  for (const name of ['version', 'keyId', 'algorithm', 'headers', 'signature']) {
    if (!params.has(name)) return refuse(`the Signature has no ${name}="…" parameter`);
  }
  const version = params.get('version')!;
  if (version !== '1') return refuse(`version ${show(version)} is not supported; OCI signatures are version="1"`);
  const algorithm = params.get('algorithm')!;
  if (algorithm.toLowerCase() !== 'rsa-sha256') return refuse(`algorithm ${show(algorithm)} is not supported; OCI signs with "rsa-sha256"`);

  const keyId = params.get('keyId')!;
  if (keyId.startsWith('ST$')) return refuse('keyId is a security token (ST$…); only API-key signatures are verified here');
  const parts = keyId.split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) return refuse(`keyId ${show(keyId)} is not <tenancy OCID>/<user OCID>/<fingerprint>`);
  const key = typeof keys === 'function' ? keys(keyId) : keys.get(keyId);
  if (!key) return refuse(`unknown keyId ${show(keyId)}`);

  const listed = params.get('headers')!.trim().toLowerCase();
  const signed = listed === '' ? [] : listed.split(/ +/);
  if (signed.length > MAX_SIGNED_HEADERS) return refuse(`headers lists more than ${MAX_SIGNED_HEADERS} names`);
  const seen = new Set<string>();
  for (const name of signed) {
    if (seen.has(name)) return refuse(`headers lists ${show(name)} twice`);
    seen.add(name);
    if (name.startsWith('(') && name !== '(request-target)') return refuse(`headers lists ${show(name)}; the only pseudo-header OCI signs is (request-target)`);
    if (name !== '(request-target)' && !TOKEN.test(name)) return refuse(`headers lists ${show(name)}, which is not a header name`);
  }
  const method = req.method.toUpperCase();
  const required = ['(request-target)', 'host', ...(BODY_METHODS.has(method) ? BODY_HEADERS : [])];
  for (const name of required) {
    if (!seen.has(name)) return refuse(`header ${show(name)} is not signed (${method} requests must sign ${required.join(', ')} and date or x-date)`);
  }
  // OCI lets x-date stand in for date (browsers cannot set date); when both are signed x-date counts.
  const dateName = seen.has('x-date') ? 'x-date' : seen.has('date') ? 'date' : undefined;
  if (!dateName) return refuse('neither date nor x-date is signed');

  const lines: string[] = [];
  const requestTarget = (target: string) => `(request-target): ${req.method.toLowerCase()} ${target}`;
  for (const name of signed) {
    if (name === '(request-target)') {
      lines.push(requestTarget(req.target));
      continue;
    }
    const value = headerValue(req.headers, name);
    if (value === undefined) return refuse(`header ${show(name)} is signed but not in the request`);
    if (typeof value !== 'string') return refuse(value.problem);
    lines.push(`${name}: ${value}`);
  }

  const dateValue = headerValue(req.headers, dateName) as string;
  if (!HTTP_DATE.test(dateValue) || Number.isNaN(Date.parse(dateValue))) {
    return refuse(`${dateName} ${show(dateValue)} is not an HTTP date like "Tue, 15 Nov 1994 08:12:31 GMT"`);
  }
  const skewSeconds = Math.round((Date.parse(dateValue) - nowMs) / 1000);
  if (Math.abs(skewSeconds) > maxSkewSeconds) {
    return refuse(`${dateName} is ${Math.abs(skewSeconds)} s away from now (${skewSeconds < 0 ? 'in the past' : 'in the future'}; OCI allows ${maxSkewSeconds} s)`);
  }

  const body = req.body ?? Buffer.alloc(0);
  if (seen.has('x-content-sha256')) {
    const digest = createHash('sha256').update(body).digest('base64');
    if (headerValue(req.headers, 'x-content-sha256') !== digest) return refuse(`x-content-sha256 does not match the body (${body.length} bytes, SHA-256 ${digest})`);
  }
  if (seen.has('content-length')) {
    const declared = headerValue(req.headers, 'content-length') as string;
    if (declared !== String(body.length)) return refuse(`content-length ${show(declared)} does not match the body (${body.length} bytes)`);
  }

  const signature = params.get('signature')!;
  if (!BASE64.test(signature) || signature === '') return refuse('signature is not base64');
  const signatureBytes = Buffer.from(signature, 'base64');
  if (key.publicKey.asymmetricKeyType !== 'rsa') return refuse(`key ${show(keyId)} is not an RSA key`);
  const modulusBytes = Math.ceil((key.publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (signatureBytes.length !== modulusBytes) {
    return refuse(`the signature is ${signatureBytes.length} bytes, an RSA-SHA256 signature with key ${show(keyId)} is ${modulusBytes}`);
  }
  const targetLine = signed.indexOf('(request-target)');
  const verifies = (target: string) => {
    const text = lines.map((line, i) => (i === targetLine ? requestTarget(target) : line)).join('\n');
    return verify('sha256', Buffer.from(text, 'utf8'), { key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, signatureBytes);
  };
  if (!verifies(req.target)) {
    // The SDK signs the target in another writing than fetch sends (see sdkSignedTarget).
    const legacy = sdkSignedTarget(req.target);
    if (legacy === req.target || !verifies(legacy)) {
      return refuse(`the signature does not verify with key ${show(keyId)} (signing string: ${show(lines.join('\n'), 500)})`);
    }
  }
  return { ok: true, keyId, tenancyId: parts[0]!, userId: parts[1]! };
}

/**
 * Parses `Signature name="value",…` into its parameters, or says what is wrong. Values are quoted
 * strings without escapes (as http-signature writes and reads them), so a comma inside quotes is
 * part of the value; whitespace around `=` and `,` is tolerated, unknown names are kept and
 * ignored (draft-cavage §2.2), a name given twice is refused.
 */
export function parseSignatureHeader(authorization: string): Map<string, string> | string {
  const scheme = /^\s*signature\s+/i.exec(authorization);
  if (!scheme) return 'the Authorization scheme is not Signature';
  const params = new Map<string, string>();
  const text = authorization;
  let i = scheme[0].length;
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  while (true) {
    skipSpace();
    const nameStart = i;
    while (i < text.length && /[A-Za-z0-9_-]/.test(text[i]!)) i++;
    const name = text.slice(nameStart, i);
    if (name === '') return `Signature parameters are malformed at character ${i + 1}: expected a parameter name`;
    skipSpace();
    if (text[i] !== '=') return `Signature parameter ${show(name)} has no ="value"`;
    i++;
    skipSpace();
    if (text[i] !== '"') return `Signature parameter ${show(name)} is not a quoted string`;
    const close = text.indexOf('"', i + 1);
    if (close < 0) return `Signature parameter ${show(name)} has no closing quote`;
    if (params.has(name)) return `Signature parameter ${show(name)} is given twice`;
    params.set(name, text.slice(i + 1, close));
    i = close + 1;
    skipSpace();
    if (i >= text.length) return params;
    if (text[i] !== ',') return `Signature parameters are malformed at character ${i + 1}: expected a comma`;
    i++;
  }
}

/**
 * The target as oci-common signs it, from the target fetch sent. The SDK signs `url.parse(uri).path`
 * while fetch writes the URI as WHATWG URL does, and it puts query values in the URI unencoded (a
 * SCIM filter goes in raw). The two writings differ in two ways: `url.parse` percent-encodes
 * { } | \ ^ ` ' where WHATWG leaves some of them alone, and it leaves non-ASCII characters in the
 * query raw where WHATWG percent-encodes their UTF-8. Both are the same characters, so a signature
 * over this form covers the same request.
 */
function sdkSignedTarget(target: string): string {
  const escaped = target.replace(/[{}|\\^`']/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const q = escaped.indexOf('?');
  if (q < 0) return escaped;
  const query = escaped.slice(q).replace(/(?:%[C-Fc-f][0-9A-Fa-f](?:%[89ABab][0-9A-Fa-f]){1,3})+/g, (utf8) => {
    try {
      return decodeURIComponent(utf8);
    } catch {
      return utf8;
    }
  });
  return escaped.slice(0, q) + query;
}

/** A header's value for the signing string: several values join with ", " (draft-cavage §2.3). */
function headerValue(headers: SignedRequestParts['headers'], name: string): string | { problem: string } | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (value.length > 1 && SINGLE_VALUED.has(name)) return { problem: `header ${show(name)} is sent ${value.length} times` };
  return value.join(', ');
}

/** Quotes request-supplied text for a reason, bounded so a hostile value cannot bloat logs. */
function show(text: string, max = 300): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

function refuse(reason: string): { ok: false; reason: string; status: 401 } {
  return { ok: false, reason, status: 401 };
}
