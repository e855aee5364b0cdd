/**
 * Keeping secrets (client secrets, passwords, tokens) out of everything a reporter prints or writes.
 *
 * Two mechanisms, used together by every reporter:
 * - by value ({@link maskSecrets}): every occurrence of a known secret in any text is replaced;
 * - by key ({@link maskValue}): whatever sits under a secret-named key (`client_secret`,
 *   `authorization`, ...) is replaced even when nobody listed it as a secret.
 * {@link secretsIn} finds further values worth treating as secrets (tokens in a response, a
 * password in a request), so a token that a step received and a later failure message quotes is
 * masked there too. {@link maskStep} applies all of it to one step result.
 */
import type { Difference, StepResult } from './types.js';

/** Secrets shorter than this are not masked by value: masking "a" would destroy the output. */
const MIN_SECRET_LENGTH = 4;

const SECRET_KEYS: ReadonlySet<string> = new Set([
  'client_secret',
  'clientsecret',
  'password',
  'access_token',
  'refresh_token',
  'id_token',
  'assertion',
  'client_assertion',
  'authorization',
]);

/** Whether a value under this key is a secret (case-insensitive: `Authorization`, `clientSecret`). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

/** A compact JWS (3 segments) or JWE (5 segments) whose JOSE header is base64url JSON (`eyJ` = `{"`). */
const JWT_WHOLE = /^eyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){2}(?:(?:\.[A-Za-z0-9_-]*){2})?$/;
const JWT_ANYWHERE = /eyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){2}(?:(?:\.[A-Za-z0-9_-]*){2})?/g;
/** `Bearer <token>`, `Basic <base64>`: the credential alone is a secret too. */
const SCHEME_CREDENTIAL = /^([A-Za-z][A-Za-z0-9_-]*)\s+(\S+)$/;

function looksLikeJwt(text: string): boolean {
  return JWT_WHOLE.test(text);
}

function jwtMask(length: number): string {
  return `eyJ…(${length} chars)`;
}

/** The mask for one whole secret value: the JWT mask for a token (also after `Bearer `), else `***`. */
function maskWhole(secret: string): string {
  if (looksLikeJwt(secret)) return jwtMask(secret.length);
  const m = SCHEME_CREDENTIAL.exec(secret);
  if (m && looksLikeJwt(m[2]!)) return `${m[1]} ${jwtMask(m[2]!.length)}`;
  return '***';
}

/** Text to search for, and whether it stands for a JWT (masked as one). */
type Forms = readonly { form: string; jwt: boolean }[];

/**
 * The forms in which a secret may turn up in text: as given, percent-encoded (a form body, a
 * query), form-encoded and JSON-escaped (a quoted body). Sorted longest first.
 */
function searchForms(secrets: readonly string[]): Forms {
  const forms = new Map<string, boolean>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    const jwt = looksLikeJwt(secret);
    const variants = [secret, encodeURIComponent(secret), new URLSearchParams({ v: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)];
    for (const variant of variants) forms.set(variant, (forms.get(variant) ?? false) || jwt);
  }
  return [...forms].map(([form, jwt]) => ({ form, jwt })).sort((a, b) => b.form.length - a.form.length);
}

/**
 * Replaces every occurrence of each secret in text with a mask. Secrets shorter than 4 chars are
 * ignored (masking "a" would destroy output). JWT-looking secrets are masked as `eyJ…(1234 chars)`
 * so a reader still sees a token was there; others as `***`. Longest secrets first.
 *
 * Occurrences that overlap (a secret inside a longer one, or two sharing a stretch) are masked as
 * one span, so no part of any of them is left readable; masks are never masked again.
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  if (text.length === 0 || secrets.length === 0) return text;
  return maskForms(text, searchForms(secrets));
}

function maskForms(text: string, forms: Forms): string {
  if (text.length === 0 || forms.length === 0) return text;
  const hits: { start: number; end: number; jwt: boolean }[] = [];
  for (const { form, jwt } of forms) {
    for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) {
      hits.push({ start: at, end: at + form.length, jwt });
    }
  }
  if (hits.length === 0) return text;
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < hits.length) {
    const span = { ...hits[i]! };
    for (i++; i < hits.length && hits[i]!.start < span.end; i++) {
      span.end = Math.max(span.end, hits[i]!.end);
      span.jwt ||= hits[i]!.jwt;
    }
    out += text.slice(copied, span.start) + (span.jwt ? jwtMask(span.end - span.start) : '***');
    copied = span.end;
  }
  return out + text.slice(copied);
}

function maskSecretKeyed(value: unknown, forms: Forms): unknown {
  if (typeof value === 'string') return maskWhole(value);
  if (typeof value === 'number' || typeof value === 'bigint') return '***';
  if (Array.isArray(value)) return value.map((item) => maskSecretKeyed(item, forms));
  return maskAny(value, forms);
}

/**
 * Deep copy of a JSON-like value with every string masked, and the values under secret-named keys
 * (client_secret, clientSecret, password, access_token, refresh_token, id_token, assertion,
 * client_assertion, authorization (case-insensitive key match)) replaced by `***` or the JWT mask.
 *
 * Under a secret-named key, strings and numbers are replaced (also inside an array); an object
 * there is copied like any other (OCI's `requestPolicies.authorization: { type: ... }` is not a
 * secret), its own secret-named keys masked in turn. Keys are masked by value as well.
 */
export function maskValue<T>(value: T, secrets: readonly string[]): T {
  return maskAny(value, searchForms(secrets)) as T;
}

function maskAny(value: unknown, forms: Forms): unknown {
  if (typeof value === 'string') return maskForms(value, forms);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => maskAny(item, forms));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[maskForms(key, forms)] = isSecretKey(key) ? maskSecretKeyed(item, forms) : maskAny(item, forms);
  }
  return copy;
}

/**
 * Values worth treating as secrets found in a JSON-like value: strings under the secret-named keys
 * above (any depth), and strings that look like JWTs.
 *
 * Also: the credential of an `authorization`-style value (`Bearer <token>` gives the token too,
 * `Basic <base64>` the secret after the colon), and JWTs inside longer strings
 * (`"invalid token eyJ..."`). Distinct, in the order found.
 */
export function secretsIn(value: unknown): string[] {
  const found = new Set<string>();
  collect(value, false, found, 0);
  return [...found];
}

function collect(value: unknown, underSecretKey: boolean, found: Set<string>, depth: number): void {
  if (depth > 100) return;
  if (typeof value === 'string') {
    if (underSecretKey && value.length > 0) addSecretKeyed(value, found);
    for (const jwt of value.match(JWT_ANYWHERE) ?? []) found.add(jwt);
    return;
  }
  if ((typeof value === 'number' || typeof value === 'bigint') && underSecretKey) {
    found.add(String(value));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, underSecretKey, found, depth + 1);
    return;
  }
  for (const [key, item] of Object.entries(value)) collect(item, isSecretKey(key), found, depth + 1);
}

function addSecretKeyed(value: string, found: Set<string>): void {
  found.add(value);
  const m = SCHEME_CREDENTIAL.exec(value.trim());
  if (!m) return;
  const [, scheme, credential] = m;
  found.add(credential!);
  if (scheme!.toLowerCase() === 'basic') {
    const decoded = Buffer.from(credential!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon !== -1 && colon < decoded.length - 1) found.add(decoded.slice(colon + 1));
  }
}

/** The name a difference's path ends with, skipping array indexes: `$.body.access_token` → `access_token`. */
function lastPathName(path: string): string | undefined {
  const names: string[] = [];
  const segment = /\.([^.[\]]+)|\[\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|\d+)\s*\]/g;
  for (let m = segment.exec(path); m; m = segment.exec(path)) {
    const name = m[1] ?? m[2] ?? m[3];
    names.push(name ?? '');
  }
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  return names[names.length - 1];
}

function maskDifference(difference: Difference, forms: Forms): Difference {
  const name = lastPathName(difference.path);
  const keyed = name !== undefined && isSecretKey(name);
  const mask = (v: unknown): unknown => (keyed ? maskSecretKeyed(v, forms) : maskAny(v, forms));
  const out: Difference = { path: maskForms(difference.path, forms), kind: difference.kind };
  if ('recorded' in difference) out.recorded = mask(difference.recorded);
  if ('actual' in difference) out.actual = mask(difference.actual);
  return out;
}

/**
 * A copy of a step result with nothing secret left in it: every string masked with `secrets` and
 * with whatever {@link secretsIn} finds in the step itself, values under secret-named keys replaced,
 * and parity differences at a secret-named path (`$.body.access_token`) replaced whole.
 */
export function maskStep(step: StepResult, secrets: readonly string[]): StepResult {
  const forms = searchForms([...secrets, ...secretsIn(step)]);
  const masked = maskAny(step, forms) as StepResult;
  if (step.parity) {
    masked.parity = {
      differences: step.parity.differences.map((d) => maskDifference(d, forms)),
      ignored: step.parity.ignored.map((p) => maskForms(p, forms)),
    };
  }
  return masked;
}
