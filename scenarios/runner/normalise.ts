/**
 * Normalisation of observations for parity recordings (the LocalStack "snapshot" model).
 *
 * A run against OCI and a run against the emulator never produce the same ids, timestamps, keys
 * or tokens, so before a recording is written or compared every volatile value is replaced by a
 * numbered placeholder. The replacement is by *reference*: one table is shared by all the steps of
 * a run, and the same value always gets the same placeholder. "The token's `sub` is the user the
 * scenario created two steps earlier" therefore survives normalisation (both become `<id:2>`),
 * while "the token's `sub` is some other user" shows up as a difference (`<id:2>` against
 * `<id:3>`).
 *
 * The rules, in the order they apply:
 * 1. Replacements ({@link NormaliseOptions.replacements}): exact substrings chosen by the caller
 *    (the emulator's URL, the scenario's random suffix), in strings and in object keys.
 * 2. The derived claim `(exp - iat)` on decoded tokens.
 * 3. Pass 1, collection: values under a {@link VOLATILE_KEYS} key, then values matching a volatile
 *    pattern (JWT, OCID, request id, UUID, 32-hex id) anywhere, in walk order.
 * 4. Pass 2, rewriting: every collected value is replaced by its placeholder wherever it occurs.
 *    Instants (times under INSTANT_KEYS, ISO timestamps in text) become `<key>` / `<time>`
 *    without a number and without a reference: whether two instants are equal is a matter of timing.
 *
 * The walk order (which fixes the numbers in placeholders) is deterministic: the steps in the
 * order given; inside a step `status`, `headers`, `body`, `accessToken`, `idToken`; object keys
 * sorted; arrays in order. Outputs have their object keys sorted too, so a recording re-recorded
 * against OCI only changes where the service did.
 */
import type { Observation } from './types.js';

export interface NormaliseOptions {
  /**
   * Exact substrings replaced everywhere (in strings and in object keys) before anything else,
   * longest first, e.g. `{value: 'http://127.0.0.1:40123', placeholder: '<iam-url>'}`,
   * `{value: '127.0.0.1:40123', placeholder: '<iam-host>'}`, `{value: 'k3f9a2', placeholder: '<suffix>'}`.
   * Empty values are ignored.
   */
  replacements?: ReadonlyArray<{ value: string; placeholder: string }>;
}

/**
 * Keys (case-sensitive, at any depth: body, headers, token headers and claims) whose string or
 * number value, or each string or number element of whose array value, differs from run to run
 * or from tenancy to emulator by nature. Each distinct value becomes `<key:N>`, numbered per key.
 *
 * Deliberately absent: `sub_mappingattr` and `tenant_iss` (configuration, the same on every run,
 * so a change there is a real difference), `client_id`, `sub`, `aud` (they name things the
 * scenario chose or created: when their value is an id collected here they get that id's
 * placeholder by reference, otherwise they are compared as they are).
 */
export const VOLATILE_KEYS = [
  // Token times: they depend on the moment of the run.
  'iat',
  'exp',
  'nbf',
  'auth_time',
  // Generated identifiers.
  'jti',
  'id',
  'ocid',
  'sid',
  'client_guid',
  'user_id',
  'tenant',
  // Resource metadata written by the service.
  'timeCreated',
  'timeUpdated',
  'created',
  'lastModified',
  'etag',
  'version',
  'location',
  // Per-request ids OCI returns.
  'opc-request-id',
  'opc-work-request-id',
  // Signing keys: rotated, and a local stack has its own.
  'x5t',
  'x5t#S256',
  'x5c',
  'n', // the RSA modulus in a JWK
  // Secrets and tokens: different on every run, and a recording must never hold them.
  'clientSecret',
  'client_secret',
  'password',
  'access_token',
  'refresh_token',
  'id_token',
  'at_hash',
] as const;

const VOLATILE = new Set<string>(VOLATILE_KEYS);

/**
 * Instants: `<key>` without a number, and no reference. Two instants are equal or not by the
 * timing of a run (a user's `created` and `lastModified` fall in the same millisecond, two tokens
 * in the same second, or not): numbering them by value would make runs differ for no reason.
 * A token's lifetime stays compared through `(exp - iat)`.
 */
const INSTANT_KEYS = new Set(['iat', 'exp', 'nbf', 'auth_time', 'timeCreated', 'timeUpdated', 'created', 'lastModified']);
const INSTANT_TEXT = new RegExp(String.raw`(?<![A-Za-z0-9])\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?(?![A-Za-z0-9])`, 'g');
/** ISO timestamps inside any text, for the same reason. */
const withoutInstants = (text: string) => (PLACEHOLDER.test(text) ? text : text.replace(INSTANT_TEXT, '<time>'));

/**
 * Outside volatile keys, a collected value replaces text only when it is at least this long.
 * Why: a key-collected value can be short (`version: "1"`, an `etag` of `"3"`), and replacing
 * every `"1"` of a run by `<version:1>` would make unrelated fields differ between runs. Every
 * pattern-collected value is longer than this, and so is every real id, time or token.
 */
const MIN_REFERENCE_LENGTH = 6;

/** The derived claim that keeps a token's lifetime compared once `exp` and `iat` are placeholders. */
const LIFETIME_CLAIM = '(exp - iat)';

/**
 * Volatile patterns, in priority order: at a given position the first one that matches wins (a
 * request id is three 32-hex ids; an OCID or a JWT may contain hex runs). Each is bounded by
 * non-alphanumerics so that it is found inside URLs and sentences but not in the middle of a
 * longer word.
 */
const PATTERNS: ReadonlyArray<{ label: string; source: string }> = [
  // A compact JWS/JWT: its header is JSON, so base64url of `{"` starts `eyJ`. The signature may be
  // empty (an unsecured JWT).
  { label: 'jwt', source: String.raw`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*` },
  // ocid1.<type>.<realm>.<region, may be empty>[.<future use>].<unique>
  { label: 'ocid', source: String.raw`ocid1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)*\.[A-Za-z0-9_-]+` },
  // OCI's opc-request-id: three 32-hex parts joined with slashes.
  { label: 'request-id', source: String.raw`[0-9A-Fa-f]{32}/[0-9A-Fa-f]{32}/[0-9A-Fa-f]{32}` },
  { label: 'uuid', source: String.raw`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}` },
  // ISO-8601 date-time, fractional seconds and zone (Z or an offset) optional.
  { label: 'time', source: String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?` },
  // IDCS resource ids: 32 hex digits, word-bounded (`\b`: an underscore also joins a word).
  { label: 'hex-id', source: String.raw`(?<![A-Za-z0-9_])[0-9A-Fa-f]{32}(?![A-Za-z0-9_])` },
];

const PATTERN_REGEX = new RegExp(
  `(?<![A-Za-z0-9])(?:${PATTERNS.map((p) => `(${p.source})`).join('|')})(?![A-Za-z0-9])`,
  'g',
);

/**
 * A string that is wholly a placeholder (`<iam-url>`, `<id:3>`) is already stable: it is neither
 * collected nor rewritten, so a caller's replacement under a volatile key stays readable and
 * normalising a normalised value does not renumber it.
 */
const PLACEHOLDER = /^<[^<>\s]+>$/;

/** The top-level fields of an observation, in walk order. */
const OBSERVATION_FIELDS = ['status', 'headers', 'body', 'accessToken', 'idToken'] as const;

/** Normalises the observations of one run, in the given order, with one shared table of references. Returns new objects (inputs untouched). */
export function normaliseObservations(
  steps: ReadonlyArray<{ id: string; observation: Observation }>,
  options: NormaliseOptions = {},
): Array<{ id: string; observation: Observation }> {
  const replace = replacer(options.replacements ?? []);
  // Rules 1 and 2 on deep copies: everything after works on these, so the inputs stay untouched.
  const prepared = steps.map((step) => ({ id: step.id, fields: prepare(step.observation, replace) }));

  // Pass 1. Key rule over the whole run first, then the pattern rule: a value found under a
  // volatile key keeps its key-based placeholder everywhere, even where it was met earlier inside
  // a URL (`<id:1>` says more than `<hex-id:1>`), and the numbering does not depend on which rule
  // met a value first.
  const table = new ReferenceTable();
  for (const step of prepared) for (const [key, value] of step.fields) collectKeyed(value, key, table);
  for (const step of prepared) for (const [, value] of step.fields) collectPatterns(value, undefined, table);

  // Pass 2.
  const rewriteText = table.textRewriter();
  return prepared.map((step) => {
    const observation: Record<string, unknown> = {};
    for (const [key, value] of step.fields) observation[key] = rewrite(value, key, table, rewriteText);
    return { id: step.id, observation: observation as Observation };
  });
}

/**
 * Placeholders by value, numbered per label in order of registration. Strings and numbers are
 * told apart (`1` under `n` is not `"1"` under `version`); inside text a number is found by its
 * decimal form.
 */
class ReferenceTable {
  private readonly byValue = new Map<string, string>();
  private readonly counts = new Map<string, number>();

  /** The first registration wins: the same value keeps one placeholder for the whole run. */
  register(value: string | number, label: string): void {
    const id = identity(value);
    if (this.byValue.has(id)) return;
    const n = (this.counts.get(label) ?? 0) + 1;
    this.counts.set(label, n);
    this.byValue.set(id, `<${label}:${n}>`);
  }

  get(value: string | number): string | undefined {
    return this.byValue.get(identity(value));
  }

  /**
   * Replaces every collected value of at least {@link MIN_REFERENCE_LENGTH} characters inside a
   * text, as a whole or a substring. One regular expression with the values longest first: the
   * text is scanned once, so a placeholder just written is never itself rewritten, and of two
   * values starting at the same place the longer wins. Values are bounded by non-alphanumerics
   * like the patterns, so an id does not eat the head of a longer id.
   */
  textRewriter(): (text: string) => string {
    // By text; a string and a number with the same text: the first registered (in walk order) wins.
    const byText = new Map<string, string>();
    for (const [id, placeholder] of this.byValue) {
      const text = id.slice(id.indexOf(':') + 1);
      if (text.length >= MIN_REFERENCE_LENGTH && !byText.has(text)) byText.set(text, placeholder);
    }
    if (byText.size === 0) return (text) => text;
    const values = [...byText.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
    const alternatives = values.map((v) => {
      const head = /^[A-Za-z0-9]/.test(v) ? '(?<![A-Za-z0-9])' : '';
      const tail = /[A-Za-z0-9]$/.test(v) ? '(?![A-Za-z0-9])' : '';
      return head + escapeRegExp(v) + tail;
    });
    const regex = new RegExp(alternatives.join('|'), 'g');
    return (text) => (PLACEHOLDER.test(text) ? text : text.replace(regex, (found) => byText.get(found) ?? found));
  }
}

function identity(value: string | number): string {
  return `${typeof value === 'number' ? 'n' : 's'}:${String(value)}`;
}

function replacer(replacements: ReadonlyArray<{ value: string; placeholder: string }>): (text: string) => string {
  // Longest first, so `http://127.0.0.1:40123` becomes `<iam-url>` rather than `http://<iam-host>`;
  // one regular expression, so a placeholder written is never matched by a shorter replacement.
  const byValue = new Map<string, string>();
  for (const { value, placeholder } of replacements) if (value !== '' && !byValue.has(value)) byValue.set(value, placeholder);
  if (byValue.size === 0) return (text) => text;
  const values = [...byValue.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  const regex = new RegExp(values.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(regex, (found) => byValue.get(found) ?? found);
}

/** Rules 1 and 2: a deep copy with replacements applied, then the derived lifetime claim on tokens. */
function prepare(observation: Observation, replace: (text: string) => string): Array<[string, unknown]> {
  const fields: Array<[string, unknown]> = [];
  const source = observation as Record<string, unknown>;
  const extra = Object.keys(source)
    .filter((k) => !(OBSERVATION_FIELDS as readonly string[]).includes(k))
    .sort();
  for (const key of [...OBSERVATION_FIELDS, ...extra]) {
    const value = source[key];
    if (value === undefined) continue;
    const copy = copyReplacing(value, replace);
    if ((key === 'accessToken' || key === 'idToken') && isObject(copy)) addLifetime(copy);
    fields.push([key, copy]);
  }
  return fields;
}

function copyReplacing(value: unknown, replace: (text: string) => string): unknown {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((item) => copyReplacing(item, replace));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[replace(key)] = copyReplacing(inner, replace);
    return out;
  }
  return value;
}

/**
 * `exp` and `iat` become placeholders, which would hide a token issued for 2 hours where OCI
 * issues it for 1; their difference is not volatile, so it is kept as a claim of its own.
 */
function addLifetime(token: Record<string, unknown>): void {
  const claims = token['claims'];
  if (!isObject(claims)) return;
  const { exp, iat } = claims;
  if (typeof exp === 'number' && typeof iat === 'number') claims[LIFETIME_CLAIM] = exp - iat;
}

/** Pass 1, key rule: scalars under a volatile key (directly or as array elements), in walk order. */
function collectKeyed(value: unknown, key: string | undefined, table: ReferenceTable): void {
  if (Array.isArray(value)) {
    for (const item of value) collectKeyed(item, key, table);
  } else if (isObject(value)) {
    for (const inner of sortedKeys(value)) collectKeyed(value[inner], inner, table);
  } else if (key !== undefined && isKeyedVolatile(value, key) && !INSTANT_KEYS.has(key)) {
    table.register(value, key);
  }
}

/**
 * Pass 1, pattern rule: every match in every string (object keys included: a map keyed by ids
 * should compare like a list of ids) except the values the key rule takes whole.
 */
function collectPatterns(value: unknown, key: string | undefined, table: ReferenceTable): void {
  if (Array.isArray(value)) {
    for (const item of value) collectPatterns(item, key, table);
  } else if (isObject(value)) {
    for (const inner of sortedKeys(value)) {
      collectMatches(inner, table);
      collectPatterns(value[inner], inner, table);
    }
  } else if (typeof value === 'string' && !(key !== undefined && isKeyedVolatile(value, key))) {
    collectMatches(value, table);
  }
}

function collectMatches(text: string, table: ReferenceTable): void {
  if (PLACEHOLDER.test(text)) return;
  for (const match of text.matchAll(PATTERN_REGEX)) {
    const index = match.slice(1).findIndex((group) => group !== undefined);
    const pattern = PATTERNS[index];
    if (pattern && pattern.label !== 'time') table.register(match[0], pattern.label);
  }
}

/** Pass 2: a rewritten deep copy. Keys are rewritten too; volatility is judged on the key as it was. */
function rewrite(value: unknown, key: string | undefined, table: ReferenceTable, rewriteText: (text: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => rewrite(item, key, table, rewriteText));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const inner of sortedKeys(value)) out[withoutInstants(rewriteText(inner))] = rewrite(value[inner], inner, table, rewriteText);
    return out;
  }
  if (key !== undefined && isKeyedVolatile(value, key)) return INSTANT_KEYS.has(key) ? `<${key}>` : (table.get(value) ?? value);
  if (typeof value === 'string') return withoutInstants(rewriteText(value));
  // A number elsewhere equal to a collected one (an `exp` repeated as `expires_at`) is the same value.
  if (typeof value === 'number') {
    const text = String(value);
    return text.length >= MIN_REFERENCE_LENGTH ? (table.get(value) ?? value) : value;
  }
  return value;
}

/** Whether the key rule takes this scalar: a non-empty string or a number under a volatile key, not already a placeholder. */
function isKeyedVolatile(value: unknown, key: string): value is string | number {
  if (!VOLATILE.has(key)) return false;
  if (typeof value === 'number') return Number.isFinite(value);
  // An empty value is not an identity: "" against a real value is a difference worth seeing.
  return typeof value === 'string' && value !== '' && !PLACEHOLDER.test(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sortedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).sort();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
