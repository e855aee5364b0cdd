/**
 * The JWT attack catalogue (security-and-performance.md A.1) against the running stack: the
 * gateway's data plane with deployments pushed through the control plane REST API, and the mock
 * IAM's introspection and userinfo endpoints.
 *
 * Every case is one row of a table: a request built from a token builder, the status the gateway
 * must answer, and the check the decision log must name as the reason. Rows answered 200 are the
 * positive controls (the genuine token, boundary values on the accepting side): a gateway that
 * refused everything would fail them.
 *
 * Tokens are signed with the IAM's real signing key (read from its key ring) whenever the attack
 * is not about the key, so that the one defect the row names is the only reason to refuse it.
 * The harness clock is frozen on a whole second, so `exp == now` is exactly now.
 *
 * `JWT_ATTACK_TABLE=1 npx vitest run test/security/jwt-attacks.test.ts` prints the table of
 * verdicts and reasons as Markdown.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { CompactEncrypt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionLogEntry } from '../../gateway-emulator/decision-log.js';
import { generateSigningKey } from '../../mock-iam/keys/signing-key.js';
import { startHarness, type Harness } from '../../stack/index.js';
import { basic, http, SEEDED, tokenRequest } from '../support/iam.js';
import {
  appendMember,
  es256DerJws,
  hsJws,
  jsonWithBytes,
  jsonWithRaw,
  P256_ORDER,
  parts,
  payloadOf,
  psJws,
  rsJws,
  signingInput,
  withSignature,
  type JsonPart,
} from './jwt-forge.js';
import { rawGet, startCountingServer, type CountingServer } from './raw-http.js';

const ISSUER = 'https://identity.oraclecloud.com/';
const AUDIENCE = 'anwendung1';
/** The `maxClockSkewInSeconds` of the `/skew` deployment: OCI's maximum. `/jwt` uses 0. */
const SKEW = 120;
const UNAUTHORIZED = { message: 'Unauthorized', code: 401 };
const NOT_FOUND = { code: 404, message: 'Not Found' };

/** What a token builder may use. */
interface Forge {
  /** The frozen harness time, in seconds. */
  readonly now: number;
  /** The IAM's active signing key: its kid, private key, published JWK and SPKI PEM. */
  kid: string;
  iamKey: KeyObject;
  iamPublicKey(): KeyObject;
  iamJwk: Record<string, unknown>;
  iamPem: string;
  /** The attacker's RSA key with a self-signed certificate, and the server hosting its JWKS and certificate. */
  attacker: { key: KeyObject; kid: string; jwk: Record<string, unknown>; certDer: string; url: string };
  /** An EC P-256 key (ES256 signatures in DER form). */
  ecKey: KeyObject;
  /** Two client-credentials access tokens minted by the IAM (scope AnwendungReadA, audience anwendung1). */
  genuine: string;
  genuine2: string;
  /** An IDCS-like access-token claim set for use case 1, valid now. */
  claims(extra?: Record<string, unknown>): Record<string, unknown>;
  /** The IAM's JWS header (`alg` RS256, its kid) plus `extra`. */
  header(extra?: Record<string, unknown>): Record<string, unknown>;
  /** Signed with the IAM's key (RS256 unless `digest` says otherwise); header default `header()`. */
  iam(payload: JsonPart, header?: JsonPart, digest?: 'sha256' | 'sha384' | 'sha512'): string;
  /** Signed with the attacker's key. */
  evil(payload: JsonPart, header: JsonPart): string;
}

interface Req {
  path: string;
  headers?: Record<string, string | string[]>;
}

interface AttackCase {
  /** Where the row belongs in the A.1 catalogue. */
  group: string;
  name: string;
  send: (f: Forge) => Req | Promise<Req>;
  status: 200 | 401 | 404 | 431;
  /** The decision's refusing check; `accepted` for 200; `http-parser` when node refuses before the pipeline (431). */
  check: string;
  /** Matched against the refusing check's message and `found`, so the reason is the specific one. */
  detail?: RegExp;
}

const bearer = (token: string, path = '/jwt/1'): Req => ({ path, headers: { authorization: `Bearer ${token}` } });
const ok = (group: string, name: string, send: AttackCase['send']): AttackCase => ({ group, name, send, status: 200, check: 'accepted' });
const refused = (group: string, name: string, send: AttackCase['send'], check: string, detail?: RegExp, status: 401 | 404 = 401): AttackCase => ({
  group,
  name,
  send,
  status,
  check,
  ...(detail ? { detail } : {}),
});

const MALFORMED = 'authentication.token';
const ALG = 'authentication.algorithm';
const KID = 'authentication.kid';
const KEY = 'authentication.publicKey';
const SIG = 'authentication.signature';

/** Every casing of `none` the catalogue names. */
const NONE_CASINGS = ['none', 'None', 'NONE', 'nOnE'];

const CASES: AttackCase[] = [
  // Positive controls: the suite cannot pass by refusing everything.
  ok('control', 'genuine IAM token (client credentials) is accepted', (f) => bearer(f.genuine)),
  ok('control', 'hand-signed baseline with the IAM key is accepted', (f) => bearer(f.iam(f.claims()))),
  ok('control', 'genuine token through STATIC_KEYS (JWK) is accepted', (f) => bearer(f.genuine, '/static/1')),
  ok('control', 'genuine token in the query parameter is accepted', (f) => ({ path: `/query/1?token=${f.genuine}` })),
  ok('control', 'valid UTF-8 beyond ASCII in a claim is accepted', (f) => bearer(f.iam(f.claims({ name: 'Müller ✓ 𝄞' })))),
  ok('control', 'a 7 KiB token (under every cap) is accepted', (f) => bearer(f.iam(f.claims({ pad: 'p'.repeat(5000) })))),

  // #1 alg none, every casing, with and without a signature.
  ...NONE_CASINGS.map((alg) => refused('1 alg none', `alg "${alg}", empty signature`, (f) => bearer(withSignature({ alg, kid: f.kid }, f.claims(), '')), MALFORMED, /signature is empty/)),
  ...NONE_CASINGS.map((alg) =>
    refused('1 alg none', `alg "${alg}" with an RS256 signature by the IAM key`, (f) => bearer(f.iam(f.claims(), { alg, kid: f.kid })), ALG, new RegExp(`found: ${alg}$`)),
  ),
  refused('1 alg none', 'alg none without kid, empty signature', (f) => bearer(withSignature({ alg: 'none' }, f.claims(), '')), MALFORMED, /signature is empty/),

  // #2 algorithm confusion: HS256 keyed with the RSA public key.
  refused('2 alg confusion', 'HS256 keyed with the IAM public key as PEM (REMOTE_JWKS)', (f) => bearer(hsJws({ alg: 'HS256', kid: f.kid }, f.claims(), f.iamPem)), ALG, /found: HS256$/),
  refused('2 alg confusion', 'HS256 keyed with the IAM public key as JWK JSON (REMOTE_JWKS)', (f) => bearer(hsJws({ alg: 'HS256', kid: f.kid }, f.claims(), JSON.stringify(f.iamJwk))), ALG, /found: HS256$/),
  refused('2 alg confusion', 'HS256 keyed with the static PEM key (STATIC_KEYS, kid PEM-KEY)', (f) => bearer(hsJws({ alg: 'HS256', kid: 'PEM-KEY' }, f.claims(), f.iamPem), '/static/1'), ALG, /found: HS256$/),
  refused('2 alg confusion', 'HS256 keyed with the static JWK (STATIC_KEYS)', (f) => bearer(hsJws({ alg: 'HS256', kid: f.kid }, f.claims(), JSON.stringify(f.iamJwk)), '/static/1'), ALG, /found: HS256$/),
  refused('2 alg confusion', 'HS256 keyed with the raw modulus bytes', (f) => bearer(hsJws({ alg: 'HS256', kid: f.kid }, f.claims(), Buffer.from(f.iamJwk.n as string, 'base64url'))), ALG, /found: HS256$/),

  // #3 kid injection, #4 unknown kid. Signed with the IAM key unless said otherwise: a verifier that
  // fell back to "try every key" would accept them.
  refused('3 kid injection', 'kid path traversal ../../../../dev/null, HS256 with an empty key', (f) => bearer(hsJws({ alg: 'HS256', kid: '../../../../../../dev/null' }, f.claims(), '')), ALG, /HS256/),
  refused('3 kid injection', 'kid path traversal ../../../../dev/null, RS256 by the attacker', (f) => bearer(f.evil(f.claims(), { alg: 'RS256', kid: '../../../../../../dev/null' })), KID, /unknown key.*dev\/null/),
  refused('3 kid injection', 'kid path traversal to the key file, signed by the IAM key', (f) => bearer(f.iam(f.claims(), f.header({ kid: `../.harness/signing-keys.json#${f.kid}` }))), KID, /signing-keys/),
  refused('3 kid injection', "kid SQL: ' OR '1'='1", (f) => bearer(f.iam(f.claims(), f.header({ kid: `${f.kid}' OR '1'='1` }))), KID, /OR '1'='1/),
  refused('3 kid injection', "kid SQL: x' UNION SELECT 'secret' --", (f) => bearer(f.evil(f.claims(), { alg: 'RS256', kid: "x' UNION SELECT 'attacker-secret' -- " })), KID, /UNION SELECT/),
  refused('3 kid injection', 'kid with a NUL byte after the real kid', (f) => bearer(f.iam(f.claims(), f.header({ kid: `${f.kid}\u0000` }))), KID),
  refused('3 kid injection', 'kid with a trailing space', (f) => bearer(f.iam(f.claims(), f.header({ kid: `${f.kid} ` }))), KID),
  refused('3 kid injection', 'kid in another case', (f) => bearer(f.iam(f.claims(), f.header({ kid: f.kid.toLowerCase() }))), KID),
  refused('3 kid injection', 'kid "__proto__"', (f) => bearer(f.iam(f.claims(), f.header({ kid: '__proto__' }))), KID, /__proto__/),
  refused('3 kid injection', 'kid "hasOwnProperty"', (f) => bearer(f.iam(f.claims(), f.header({ kid: 'hasOwnProperty' }))), KID, /hasOwnProperty/),
  refused('3 kid injection', 'kid as a number', (f) => bearer(f.iam(f.claims(), f.header({ kid: 1 }))), KID, /has no 'kid'/),
  refused('3 kid injection', 'kid as an array holding the real kid', (f) => bearer(f.iam(f.claims(), f.header({ kid: [f.kid] }))), KID, /has no 'kid'/),
  refused('3 kid injection', 'kid as an object', (f) => bearer(f.iam(f.claims(), f.header({ kid: { $ne: null } }))), KID, /has no 'kid'/),
  refused('3 kid injection', 'kid empty', (f) => bearer(f.iam(f.claims(), f.header({ kid: '' }))), KID, /has no 'kid'/),
  refused('3 kid injection', 'kid absent', (f) => bearer(f.iam(f.claims(), { alg: 'RS256' })), KID, /has no 'kid'/),
  refused('4 unknown kid', 'unknown kid, signed by the IAM key', (f) => bearer(f.iam(f.claims(), f.header({ kid: `rotated-${randomUUID()}` }))), KID, /unknown key/),

  // #5, #6 key material named or carried by the token: never fetched, never used.
  refused('5 jku/x5u', 'jku at the attacker JWKS, attacker kid, attacker signature', (f) => bearer(f.evil(f.claims(), { alg: 'RS256', kid: f.attacker.kid, jku: `${f.attacker.url}/jwks.json` })), KID, /unknown key/),
  refused('5 jku/x5u', 'jku at the attacker JWKS, the IAM kid, attacker signature', (f) => bearer(f.evil(f.claims(), { alg: 'RS256', kid: f.kid, jku: `${f.attacker.url}/jwks.json` })), SIG),
  refused('5 jku/x5u', 'x5u at the attacker certificate, the IAM kid, attacker signature', (f) => bearer(f.evil(f.claims(), { alg: 'RS256', kid: f.kid, x5u: `${f.attacker.url}/cert.pem` })), SIG),
  refused('5 jku/x5u', 'x5u at the attacker certificate, no kid', (f) => bearer(f.evil(f.claims(), { alg: 'RS256', x5u: `${f.attacker.url}/cert.pem` })), KID, /has no 'kid'/),
  refused('6 embedded key', 'embedded jwk (attacker key), the IAM kid', (f) => bearer(f.evil(f.claims(), { alg: 'RS256', kid: f.kid, jwk: f.attacker.jwk })), SIG),
  refused('6 embedded key', 'embedded jwk (attacker key), no kid', (f) => bearer(f.evil(f.claims(), { alg: 'RS256', jwk: f.attacker.jwk })), KID, /has no 'kid'/),
  refused('6 embedded key', 'x5c (attacker certificate), the IAM kid', (f) => bearer(f.evil(f.claims(), { alg: 'RS256', kid: f.kid, x5c: [f.attacker.certDer] })), SIG),
  refused('6 embedded key', 'x5c (attacker certificate), attacker kid', (f) => bearer(f.evil(f.claims(), { alg: 'RS256', kid: f.attacker.kid, x5c: [f.attacker.certDer] })), KID, /unknown key/),

  // #7 crit (signed with the IAM key, otherwise valid).
  refused('7 crit', 'crit naming an unknown extension (present)', (f) => bearer(f.iam(f.claims(), f.header({ crit: ['urn:attacker:ext'], 'urn:attacker:ext': true }))), MALFORMED, /crit/),
  refused('7 crit', 'crit empty', (f) => bearer(f.iam(f.claims(), f.header({ crit: [] }))), MALFORMED, /crit/),
  refused('7 crit', 'crit naming a standard header (alg)', (f) => bearer(f.iam(f.claims(), f.header({ crit: ['alg'] }))), MALFORMED, /crit/),
  refused('7 crit', 'crit naming exp', (f) => bearer(f.iam(f.claims(), f.header({ crit: ['exp'] }))), MALFORMED, /crit/),
  refused('7 crit', 'crit as a string, not an array', (f) => bearer(f.iam(f.claims(), f.header({ crit: 'b64' }))), MALFORMED, /crit/),

  // #8 b64.
  refused('8 b64', 'b64 false with crit ["b64"], unencoded payload', (f) => bearer(rawUnencoded(f, f.header({ b64: false, crit: ['b64'] }), DOTLESS)), MALFORMED, /payload is not base64url/),
  refused('8 b64', 'b64 false with crit ["b64"], payload still base64url (IAM signature)', (f) => bearer(f.iam(f.claims(), f.header({ b64: false, crit: ['b64'] }))), MALFORMED, /crit/),
  refused('8 b64', 'b64 false without crit, payload still base64url (IAM signature)', (f) => bearer(f.iam(f.claims(), f.header({ b64: false }))), MALFORMED, /b64/),
  refused('8 b64', 'b64 false without crit, unencoded payload', (f) => bearer(rawUnencoded(f, f.header({ b64: false }), DOTLESS)), MALFORMED, /payload is not base64url/),
  refused('8 b64', 'b64 false without crit, unencoded payload holding dots (the issuer URL)', (f) => bearer(rawUnencoded(f, f.header({ b64: false }), {})), MALFORMED, /parts; a signed JWT has 3/),
  refused('8 b64', 'b64 "false" as a string', (f) => bearer(f.iam(f.claims(), f.header({ b64: 'false' }))), MALFORMED, /b64/),

  // #9, #12 exp with skew 0 (/jwt) and 120 (/skew): RFC 7519 says now must be before exp.
  refused('9 exp', 'exp == now (skew 0)', (f) => bearer(f.iam(f.claims({ exp: f.now }))), 'authentication.exp', /Validation failed for 'exp'/),
  ok('9 exp', 'exp == now + 1 (skew 0)', (f) => bearer(f.iam(f.claims({ exp: f.now + 1 })))),
  refused('9 exp', 'exp == now - 1 (skew 0)', (f) => bearer(f.iam(f.claims({ exp: f.now - 1 }))), 'authentication.exp'),
  refused('9 exp', `exp == now - skew - 1 (skew ${SKEW})`, (f) => bearer(f.iam(f.claims({ exp: f.now - SKEW - 1 })), '/skew/1'), 'authentication.exp'),
  refused('9 exp', `exp == now - skew (skew ${SKEW})`, (f) => bearer(f.iam(f.claims({ exp: f.now - SKEW })), '/skew/1'), 'authentication.exp'),
  ok('9 exp', `exp == now - skew + 1 (skew ${SKEW})`, (f) => bearer(f.iam(f.claims({ exp: f.now - SKEW + 1 })), '/skew/1')),
  refused('9 exp', 'exp missing', (f) => bearer(f.iam(f.claims({ exp: undefined }))), 'authentication.exp', /found: null$/),

  // #10 nbf.
  ok('10 nbf', 'nbf == now (skew 0)', (f) => bearer(f.iam(f.claims({ nbf: f.now })))),
  refused('10 nbf', 'nbf == now + 1 (skew 0)', (f) => bearer(f.iam(f.claims({ nbf: f.now + 1 }))), 'authentication.nbf', /Validation failed for 'nbf'/),
  ok('10 nbf', `nbf == now + skew (skew ${SKEW})`, (f) => bearer(f.iam(f.claims({ nbf: f.now + SKEW })), '/skew/1')),
  refused('10 nbf', `nbf == now + skew + 1 (skew ${SKEW})`, (f) => bearer(f.iam(f.claims({ nbf: f.now + SKEW + 1 })), '/skew/1'), 'authentication.nbf'),
  refused('10 nbf', 'nbf one hour ahead', (f) => bearer(f.iam(f.claims({ nbf: f.now + 3600 }))), 'authentication.nbf'),

  // #11 iat in the future: jose accepts it; the gateway refuses iat > now + skew.
  ok('11 iat', 'iat == now (skew 0)', (f) => bearer(f.iam(f.claims({ iat: f.now })))),
  refused('11 iat', 'iat == now + 1 (skew 0)', (f) => bearer(f.iam(f.claims({ iat: f.now + 1 }))), 'authentication.iat', /Validation failed for 'iat'/),
  ok('11 iat', `iat == now + skew (skew ${SKEW})`, (f) => bearer(f.iam(f.claims({ iat: f.now + SKEW })), '/skew/1')),
  refused('11 iat', `iat == now + skew + 1 (skew ${SKEW})`, (f) => bearer(f.iam(f.claims({ iat: f.now + SKEW + 1 })), '/skew/1'), 'authentication.iat'),
  refused('11 iat', 'iat one hour ahead', (f) => bearer(f.iam(f.claims({ iat: f.now + 3600 }))), 'authentication.iat'),

  // #13 aud.
  refused('13 aud', 'aud missing', (f) => bearer(f.iam(f.claims({ aud: undefined }))), 'authentication.aud', /not issued for the configured audience/),
  ok('13 aud', 'aud array holding the audience', (f) => bearer(f.iam(f.claims({ aud: ['other', AUDIENCE] })))),
  refused('13 aud', 'aud array without the audience', (f) => bearer(f.iam(f.claims({ aud: ['other', 'anwendung2'] }))), 'authentication.aud'),
  refused('13 aud', 'aud empty array', (f) => bearer(f.iam(f.claims({ aud: [] }))), 'authentication.aud'),
  refused('13 aud', 'aud a number', (f) => bearer(f.iam(f.claims({ aud: 1 }))), 'authentication.aud'),
  refused('13 aud', 'aud an object keyed by the audience', (f) => bearer(f.iam(f.claims({ aud: { [AUDIENCE]: true } }))), 'authentication.aud'),
  refused('13 aud', 'aud a nested array', (f) => bearer(f.iam(f.claims({ aud: [[AUDIENCE]] }))), 'authentication.aud'),
  refused('13 aud', 'aud in another case', (f) => bearer(f.iam(f.claims({ aud: 'Anwendung1' }))), 'authentication.aud'),
  refused('13 aud', 'aud with a trailing space', (f) => bearer(f.iam(f.claims({ aud: `${AUDIENCE} ` }))), 'authentication.aud'),

  // #14 iss: exact string equality.
  refused('14 iss', 'iss without the trailing slash', (f) => bearer(f.iam(f.claims({ iss: 'https://identity.oraclecloud.com' }))), 'authentication.iss', /not issued by the configured issuers/),
  refused('14 iss', 'iss with a double trailing slash', (f) => bearer(f.iam(f.claims({ iss: 'https://identity.oraclecloud.com//' }))), 'authentication.iss'),
  refused('14 iss', 'iss in upper case', (f) => bearer(f.iam(f.claims({ iss: ISSUER.toUpperCase() }))), 'authentication.iss'),
  refused('14 iss', 'iss as an array holding the issuer', (f) => bearer(f.iam(f.claims({ iss: [ISSUER] }))), 'authentication.iss'),
  refused('14 iss', 'iss missing', (f) => bearer(f.iam(f.claims({ iss: undefined }))), 'authentication.iss'),

  // #15 claims of the wrong type.
  refused('15 claim types', 'exp: "123" (a string)', (f) => bearer(f.iam(f.claims({ exp: '123' }))), 'authentication.exp', /found: 123$/),
  refused('15 claim types', 'exp: a far-future date as a string', (f) => bearer(f.iam(f.claims({ exp: String(f.now + 3600) }))), 'authentication.exp'),
  refused('15 claim types', 'exp: 1e400 (Infinity once parsed)', (f) => bearer(f.iam(jsonWithRaw(f.claims({ exp: '@@RAW@@' }), '1e400'))), 'authentication.exp'),
  refused('15 claim types', 'exp: true', (f) => bearer(f.iam(f.claims({ exp: true }))), 'authentication.exp'),
  refused('15 claim types', 'exp: null', (f) => bearer(f.iam(f.claims({ exp: null }))), 'authentication.exp'),
  refused('15 claim types', 'nbf: true', (f) => bearer(f.iam(f.claims({ nbf: true }))), 'authentication.nbf', /found: true$/),
  refused('15 claim types', 'nbf: "0" (a string)', (f) => bearer(f.iam(f.claims({ nbf: '0' }))), 'authentication.nbf'),
  refused('15 claim types', 'iat: null', (f) => bearer(f.iam(f.claims({ iat: null }))), 'authentication.iat', /found: null$/),
  refused('15 claim types', 'iat: "now" (a string)', (f) => bearer(f.iam(f.claims({ iat: 'now' }))), 'authentication.iat'),
  refused('15 claim types', 'scope: 123 against route ANY_OF → 404', (f) => bearer(f.iam(f.claims({ scope: 123 }))), 'authorization', /123/, 404),
  refused('15 claim types', 'scope: an object keyed by the scope against ANY_OF → 404', (f) => bearer(f.iam(f.claims({ scope: { AnwendungReadA: true } }))), 'authorization', /AnwendungReadA/, 404),

  // #16 duplicate member names (JSON.parse would keep the last).
  refused('16 duplicates', 'payload names sub twice', (f) => bearer(f.iam(appendMember(f.claims(), '"sub"', '"admin"'))), MALFORMED, /"sub" appears twice/),
  refused('16 duplicates', 'payload names scope twice, the second escaped (s\\u0063ope)', (f) => bearer(f.iam(appendMember(f.claims({ scope: 'none' }), '"s\\u0063ope"', '"AnwendungReadA"'))), MALFORMED, /"scope" appears twice/),
  refused('16 duplicates', 'payload names aud twice', (f) => bearer(f.iam(appendMember(f.claims({ aud: 'other' }), '"aud"', `"${AUDIENCE}"`))), MALFORMED, /"aud" appears twice/),
  refused('16 duplicates', 'a nested object names a member twice', (f) => bearer(f.iam(appendMember(f.claims(), '"cnf"', '{"x5t#S256":"a","x5t#S256":"b"}'))), MALFORMED, /appears twice/),
  refused('16 duplicates', 'header names kid twice', (f) => bearer(f.iam(f.claims(), appendMember(f.header(), '"kid"', '"other"'))), MALFORMED, /"kid" appears twice/),
  refused('16 duplicates', 'header names alg twice (none, then RS256)', (f) => bearer(f.iam(f.claims(), `{"alg":"none","kid":${JSON.stringify(f.kid)},"alg":"RS256"}`)), MALFORMED, /"alg" appears twice/),

  // #17 size: OCI's header block (method + URI + headers) is 8 KB, so no token over 8 KiB reaches the token check.
  { group: '17 size', name: 'token just over 8 KiB (IAM signature) → 431', send: (f) => bearer(tokenOfLength(f, 8193)), status: 431, check: 'http-parser' },
  { group: '17 size', name: 'token just over 8 KiB in the query parameter → 431', send: (f) => ({ path: `/query/1?token=${tokenOfLength(f, 8193)}` }), status: 431, check: 'http-parser' },
  { group: '17 size', name: 'header block over 8 KB with a genuine token → 431', send: (f) => ({ path: '/jwt/1', headers: { authorization: `Bearer ${f.genuine}`, 'x-padding': 'x'.repeat(8 * 1024) } }), status: 431, check: 'http-parser' },

  // #18 JWE and compressed tokens.
  refused('18 JWE/zip', 'JWE (5 parts) encrypted to the IAM public key', async (f) => bearer(await jwe(f, {})), MALFORMED, /5 parts: a JWE/),
  refused('18 JWE/zip', 'JWE with zip DEF', async (f) => bearer(await jwe(f, { zip: 'DEF' })), MALFORMED, /5 parts: a JWE/),
  refused('18 JWE/zip', 'JWS with zip DEF and a deflated payload (IAM signature)', (f) => bearer(f.iam(deflateRawSync(JSON.stringify(f.claims())), f.header({ zip: 'DEF' }))), MALFORMED, /zip/),
  refused('18 JWE/zip', 'JWS with zip DEF and a plain payload (IAM signature)', (f) => bearer(f.iam(f.claims(), f.header({ zip: 'DEF' }))), MALFORMED, /zip/),

  // #19 ECDSA psychic signatures, and their RSA cousins.
  refused('19 psychic sig', 'ES256 with r = s = 0 (64 zero bytes)', (f) => bearer(withSignature({ alg: 'ES256', kid: f.kid }, f.claims(), Buffer.alloc(64))), ALG, /found: ES256$/),
  refused('19 psychic sig', 'ES256 with r = s = n', (f) => bearer(withSignature({ alg: 'ES256', kid: f.kid }, f.claims(), Buffer.concat([P256_ORDER, P256_ORDER]))), ALG, /found: ES256$/),
  refused('19 psychic sig', 'ES256 with a DER signature by an EC key', (f) => bearer(es256DerJws({ alg: 'ES256', kid: f.kid }, f.claims(), f.ecKey)), ALG, /found: ES256$/),
  refused('19 psychic sig', 'RS256 with a signature of 256 zero bytes', (f) => bearer(withSignature(f.header(), f.claims(), Buffer.alloc(256))), SIG),
  refused('19 psychic sig', 'RS256 with the signature s = n (the modulus)', (f) => bearer(withSignature(f.header(), f.claims(), Buffer.from(f.iamJwk.n as string, 'base64url'))), SIG),
  refused('19 psychic sig', 'RS256 with a one-byte signature 0x01', (f) => bearer(withSignature(f.header(), f.claims(), Buffer.from([1]))), SIG),
  refused('19 psychic sig', 'PS256 (RSA-PSS) by the IAM key: an algorithm OCI does not take', (f) => bearer(psJws({ alg: 'PS256', kid: f.kid }, f.claims(), f.iamKey)), ALG, /found: PS256$/),
  refused('19 psychic sig', 'alg "rs256" (lower case)', (f) => bearer(f.iam(f.claims(), f.header({ alg: 'rs256' }))), ALG, /found: rs256$/),
  refused('19 psychic sig', 'alg ["RS256"] (an array)', (f) => bearer(f.iam(f.claims(), f.header({ alg: ['RS256'] }))), ALG),
  refused('19 psychic sig', 'alg missing', (f) => bearer(f.iam(f.claims(), { kid: f.kid })), ALG, /found: null$/),

  // #20 tampering.
  refused('20 tampering', 'genuine token, payload changed (sub and scope)', (f) => bearer(swapPayload(f.genuine, { ...payloadOf(f.genuine), sub: 'admin', scope: 'AnwendungReadA AnwendungWriteA' })), SIG),
  refused('20 tampering', 'genuine token, signature emptied', (f) => bearer(`${parts(f.genuine)[0]}.${parts(f.genuine)[1]}.`), MALFORMED, /signature is empty/),
  refused('20 tampering', 'genuine token, signature part removed (2 parts)', (f) => bearer(`${parts(f.genuine)[0]}.${parts(f.genuine)[1]}`), MALFORMED, /2 parts/),
  refused('20 tampering', "another genuine token's signature", (f) => bearer(`${parts(f.genuine)[0]}.${parts(f.genuine)[1]}.${parts(f.genuine2)[2]}`), SIG),
  refused('20 tampering', 'genuine token, one signature bit flipped', (f) => bearer(flipSignatureBit(f.genuine)), SIG),
  refused('20 tampering', 'genuine token, signature truncated by 4 characters', (f) => bearer(f.genuine.slice(0, -4)), SIG),
  refused('20 tampering', 'genuine token with base64 padding on the signature', (f) => bearer(`${f.genuine}==`), MALFORMED, /not base64url/),
  refused('20 tampering', 'genuine token with a fourth part', (f) => bearer(`${f.genuine}.${parts(f.genuine)[2]}`), MALFORMED, /4 parts/),
  refused('20 tampering', 'genuine token re-headed RS384 (kid alg is RS256)', (f) => bearer(`${signingInput({ alg: 'RS384', kid: f.kid }, payloadOf(f.genuine))}.${parts(f.genuine)[2]}`), ALG, /does not match/),

  // #21/#22 (OCI does not check typ): the key's own use and alg.
  refused('key use/alg', 'kid of a JWK with use "enc"', (f) => bearer(f.iam(f.claims(), f.header({ kid: 'ENC' })), '/odd/1'), KEY, /use is "enc"/),
  refused('key use/alg', 'kid of a JWK with key_ops ["encrypt"] only', (f) => bearer(f.iam(f.claims(), f.header({ kid: 'OPS' })), '/odd/1'), KEY, /key_ops/),
  refused('key use/alg', 'kid of a JWK with alg RS384, token RS256', (f) => bearer(f.iam(f.claims(), f.header({ kid: 'ALG384' })), '/odd/1'), ALG, /does not match/),
  ok('key use/alg', 'kid of a JWK with alg RS384, token RS384 (control)', (f) => bearer(f.iam(f.claims(), f.header({ kid: 'ALG384', alg: 'RS384' }), 'sha384'), '/odd/1')),
  refused('key use/alg', 'the IAM kid (JWK alg RS256), token RS384 by the IAM key', (f) => bearer(f.iam(f.claims(), f.header({ alg: 'RS384' }), 'sha384')), ALG, /does not match/),
  refused('key use/alg', 'the IAM kid, token RS512 by the IAM key, on STATIC_KEYS (JWK alg RS256)', (f) => bearer(f.iam(f.claims(), f.header({ alg: 'RS512' }), 'sha512'), '/static/1'), ALG, /does not match/),

  // #23 several tokens in one request.
  refused('23 two tokens', 'Authorization sent twice (two genuine tokens)', (f) => ({ path: '/jwt/1', headers: { authorization: [`Bearer ${f.genuine}`, `Bearer ${f.genuine2}`] } }), MALFORMED, /sent 2 times/),
  refused('23 two tokens', 'Authorization sent twice (genuine, then forged)', (f) => ({ path: '/jwt/1', headers: { authorization: [`Bearer ${f.genuine}`, `Bearer ${f.evil(f.claims({ sub: 'admin' }), f.header())}`] } }), MALFORMED, /sent 2 times/),
  refused('23 two tokens', 'two tokens comma-joined in one Authorization', (f) => ({ path: '/jwt/1', headers: { authorization: `Bearer ${f.genuine}, Bearer ${f.genuine2}` } }), MALFORMED, /words after the scheme/),
  refused('23 two tokens', 'query parameter sent twice', (f) => ({ path: `/query/1?token=${f.genuine}&token=${f.genuine2}` }), MALFORMED, /sent 2 times/),
  refused('23 two tokens', 'query parameter sent twice, the second name percent-encoded', (f) => ({ path: `/query/1?token=${f.genuine}&%74oken=${f.genuine2}` }), MALFORMED, /sent 2 times/),

  // Scheme games (RFC 9110 §11: the scheme is case-insensitive; one or more SP separate it from the token).
  ok('scheme games', 'scheme "bearer" (lower case)', (f) => ({ path: '/jwt/1', headers: { authorization: `bearer ${f.genuine}` } })),
  ok('scheme games', 'scheme "BEARER" (upper case)', (f) => ({ path: '/jwt/1', headers: { authorization: `BEARER ${f.genuine}` } })),
  ok('scheme games', '"Bearer  x" (two spaces)', (f) => ({ path: '/jwt/1', headers: { authorization: `Bearer  ${f.genuine}` } })),
  refused('scheme games', '"Bearer<TAB>x"', (f) => ({ path: '/jwt/1', headers: { authorization: `Bearer\t${f.genuine}` } }), MALFORMED, /white space other than spaces/),
  refused('scheme games', '"Bearer<NBSP>x" (U+00A0)', (f) => ({ path: '/jwt/1', headers: { authorization: `Bearer\u00a0${f.genuine}` } }), MALFORMED, /white space other than spaces/),
  refused('scheme games', '"Bearer x<NBSP>" (a trailing U+00A0)', (f) => ({ path: '/jwt/1', headers: { authorization: `Bearer ${f.genuine}\u00a0` } }), MALFORMED, /white space other than spaces/),
  refused('scheme games', '"Bearer x<TAB>y"', (f) => ({ path: '/jwt/1', headers: { authorization: `Bearer ${f.genuine}\t${f.genuine2}` } }), MALFORMED, /white space other than spaces/),
  refused('scheme games', '"Bearer x y"', (f) => ({ path: '/jwt/1', headers: { authorization: `Bearer ${f.genuine} y` } }), MALFORMED, /2 words after the scheme/),
  refused('scheme games', '"Bearer" alone', () => ({ path: '/jwt/1', headers: { authorization: 'Bearer' } }), MALFORMED, /no token/),
  refused('scheme games', '"Bearer,x" (no space)', (f) => ({ path: '/jwt/1', headers: { authorization: `Bearer,${f.genuine}` } }), MALFORMED, /no 'Bearer' scheme/),
  refused('scheme games', '"Basic x"', (f) => ({ path: '/jwt/1', headers: { authorization: `Basic ${f.genuine}` } }), MALFORMED, /scheme 'Basic'/),
  refused('scheme games', 'the token without a scheme', (f) => ({ path: '/jwt/1', headers: { authorization: f.genuine } }), MALFORMED, /no 'Bearer' scheme/),

  // Query parameter encodings: `+` is a space in a query, `%2B` is `+`, neither is base64url.
  ok('query encoding', 'genuine token with its dots sent as %2E', (f) => ({ path: `/query/1?token=${f.genuine.replaceAll('.', '%2E')}` })),
  refused('query encoding', 'signature in standard base64, "+" sent raw', (f) => ({ path: `/query/1?token=${standardBase64Token(f)}` }), MALFORMED, /white space/),
  refused('query encoding', 'signature in standard base64, "+" sent as %2B', (f) => ({ path: `/query/1?token=${standardBase64Token(f).replaceAll('+', '%2B').replaceAll('/', '%2F')}` }), MALFORMED, /not base64url/),

  // UTF-8 games (RFC 8725 §3.7), inside claims signed by the IAM key.
  ...(
    [
      ['overlong "/" (C0 AF)', [0xc0, 0xaf]],
      ['overlong NUL (C0 80)', [0xc0, 0x80]],
      ['overlong 3-byte "/" (E0 80 AF)', [0xe0, 0x80, 0xaf]],
      ['invalid byte FF', [0xff]],
      ['lone continuation byte 80', [0x80]],
      ['CESU-8 surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
      ['truncated sequence (E2 82)', [0xe2, 0x82]],
    ] as Array<[string, number[]]>
  ).map(([what, bytes]) =>
    refused('UTF-8', `sub holding ${what}`, (f) => bearer(f.iam(jsonWithBytes(f.claims({ sub: 'admin@@BYTES@@' }), bytes))), MALFORMED, /payload is not valid UTF-8/),
  ),
  refused('UTF-8', 'header kid holding the invalid byte FF', (f) => bearer(f.iam(f.claims(), jsonWithBytes(f.header({ kid: `${f.kid}@@BYTES@@` }), [0xff]))), MALFORMED, /header is not valid UTF-8/),
];

/** Claims without a dot anywhere: an unencoded payload (RFC 7797 §5.2) may not hold one in compact form. */
const DOTLESS = { iss: 'https://identity-oraclecloud-com/', jti: 'no-dots' };

/** A JWS by the IAM key whose payload travels unencoded (RFC 7797): `header.{json}.signature`, signed over exactly that. */
function rawUnencoded(f: Forge, header: Record<string, unknown>, extraClaims: Record<string, unknown>): string {
  const h = Buffer.from(JSON.stringify(header)).toString('base64url');
  const payload = JSON.stringify(f.claims(extraClaims));
  const signature = sign('sha256', Buffer.from(`${h}.${payload}`), f.iamKey).toString('base64url');
  return `${h}.${payload}.${signature}`;
}

/** A token of exactly `length` characters signed by the IAM key (a padding claim fills it). */
function tokenOfLength(f: Forge, length: number): string {
  const probe = f.iam(f.claims({ pad: '' }));
  // Each 3 bytes of padding add 4 base64url characters.
  let padBytes = Math.floor(((length - probe.length) * 3) / 4);
  for (;;) {
    const token = f.iam(f.claims({ pad: 'p'.repeat(padBytes) }));
    if (token.length >= length) return token;
    padBytes++;
  }
}

async function jwe(f: Forge, extraHeader: Record<string, unknown>): Promise<string> {
  return new CompactEncrypt(Buffer.from(JSON.stringify(f.claims())))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: f.kid, ...extraHeader })
    .encrypt(f.iamPublicKey());
}

function swapPayload(token: string, payload: Record<string, unknown>): string {
  const [h, , s] = parts(token);
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
}

function flipSignatureBit(token: string): string {
  const [h, p, s] = parts(token);
  const signature = Buffer.from(s, 'base64url');
  signature[signature.length >> 1]! ^= 0x01;
  return `${h}.${p}.${signature.toString('base64url')}`;
}

/** A token signed by the IAM key whose signature, written in standard base64, holds both `+` and `/`. */
function standardBase64Token(f: Forge): string {
  for (let i = 0; ; i++) {
    const token = f.iam(f.claims({ jti: `std-${i}` }));
    const [h, p, s] = parts(token);
    const standard = Buffer.from(s, 'base64url').toString('base64').replace(/=+$/, '');
    if (standard.includes('+') && standard.includes('/')) return `${h}.${p}.${standard}`;
  }
}

describe('JWT attack catalogue against the running gateway and IAM', () => {
  let harness: Harness;
  let f: Forge;
  let attacker: CountingServer;
  let oddKeys: CountingServer;
  const verdicts: Array<{ group: string; name: string; status: number; reason: string }> = [];
  let requestCounter = 0;

  const deploy = async (pathPrefix: string, authentication: Record<string, unknown>) => {
    const specification = {
      requestPolicies: { authentication },
      routes: [
        {
          path: '/1',
          methods: ['GET'],
          backend: { type: 'HTTP_BACKEND', url: `${harness.urls.backend}/echo` },
          requestPolicies: { authorization: { type: 'ANY_OF', allowedScope: ['AnwendungReadA'] } },
        },
      ],
    };
    return http(`${harness.urls.controlPlane}/20190501/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pathPrefix, specification, compartmentId: 'ocid1.compartment.oc1..test', gatewayId: 'ocid1.apigateway.oc1..test' }),
    });
  };
  const jwtPolicy = (over: Record<string, unknown> = {}) => ({
    type: 'JWT_AUTHENTICATION',
    tokenHeader: 'Authorization',
    tokenAuthScheme: 'Bearer',
    issuers: [ISSUER],
    audiences: [AUDIENCE],
    maxClockSkewInSeconds: 0,
    publicKeys: { type: 'REMOTE_JWKS', uri: harness.urls.jwks },
    ...over,
  });

  /** Sends a request with its own opc-request-id and returns the answer with the decision logged for it. */
  const send = async (req: Req) => {
    const requestId = `jwt-attack-${++requestCounter}-${randomUUID()}`;
    const res = await rawGet(harness.urls.gateway, req.path, { ...req.headers, 'opc-request-id': requestId });
    const decision: DecisionLogEntry | undefined = harness.decisions(50).find((d) => d.requestId === requestId);
    return { res, decision };
  };

  beforeAll(async () => {
    harness = await startHarness();
    // A whole second, frozen: exp == now is exactly the instant the gateway compares with.
    harness.clock.set(Math.floor(Date.now() / 1000) * 1000, true);
    const iamKey = harness.stack.iam.context.keys.active;
    const published = (await http(harness.urls.jwks)).body as { keys: Array<Record<string, unknown>> };
    const iamJwk = published.keys.find((k) => k.kid === iamKey.kid)!;
    expect(iamJwk, 'the IAM publishes its active key').toBeDefined();

    const evilKey = await generateSigningKey('ATTACKER', 'attacker.example', new Date());
    const evilJwk = { ...(evilKey.publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'ATTACKER', alg: 'RS256', use: 'sig' };
    attacker = await startCountingServer({
      '/jwks.json': { body: { keys: [evilJwk] } },
      '/cert.pem': { body: evilKey.stored.certificatePem, contentType: 'application/x-pem-file' },
    });
    // A JWKS the deployment /odd trusts: the IAM's public key under kids whose JWK forbids its use for RS256.
    const { n, e } = iamKey.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    oddKeys = await startCountingServer({
      '/jwks.json': {
        body: {
          keys: [
            { kty: 'RSA', kid: 'ENC', use: 'enc', n, e },
            { kty: 'RSA', kid: 'OPS', key_ops: ['encrypt'], n, e },
            { kty: 'RSA', kid: 'ALG384', alg: 'RS384', use: 'sig', n, e },
          ],
        },
      },
    });

    const mint = async () => {
      const res = await tokenRequest({ url: harness.urls.iam }, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
      expect(res.status, res.text).toBe(200);
      return res.body.access_token as string;
    };
    const header = (extra: Record<string, unknown> = {}) => ({ alg: 'RS256', kid: iamKey.kid, ...extra });
    const clock = harness.clock;
    f = {
      get now() {
        return clock.nowSeconds();
      },
      kid: iamKey.kid,
      iamKey: iamKey.privateKey,
      iamPublicKey: () => iamKey.publicKey,
      iamJwk,
      iamPem: iamKey.publicKey.export({ type: 'spki', format: 'pem' }) as string,
      attacker: { key: evilKey.privateKey, kid: 'ATTACKER', jwk: evilJwk, certDer: evilKey.certificateDer, url: attacker.url },
      ecKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
      genuine: await mint(),
      genuine2: await mint(),
      claims(extra = {}) {
        const now = clock.nowSeconds();
        const claims: Record<string, unknown> = {
          iss: ISSUER,
          aud: AUDIENCE,
          sub: 'usecase1_client',
          client_id: 'usecase1_client',
          scope: 'AnwendungReadA',
          tok_type: 'AT',
          iat: now,
          exp: now + 3600,
          jti: randomUUID(),
          ...extra,
        };
        for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
        return claims;
      },
      header,
      iam: (payload, h = header(), digest = 'sha256') => rsJws(h, payload, iamKey.privateKey, digest),
      evil: (payload, h) => rsJws(h, payload, evilKey.privateKey),
    };

    const deployments: Array<[string, Record<string, unknown>]> = [
      ['/jwt', jwtPolicy()],
      ['/skew', jwtPolicy({ maxClockSkewInSeconds: SKEW })],
      [
        '/static',
        jwtPolicy({
          publicKeys: {
            type: 'STATIC_KEYS',
            keys: [
              { format: 'JSON_WEB_KEY', kid: iamKey.kid, kty: 'RSA', alg: 'RS256', use: 'sig', n, e },
              { format: 'PEM', kid: 'PEM-KEY', key: f.iamPem },
            ],
          },
        }),
      ],
      ['/query', { ...jwtPolicy(), tokenHeader: undefined, tokenAuthScheme: undefined, tokenQueryParam: 'token' }],
      ['/odd', jwtPolicy({ publicKeys: { type: 'REMOTE_JWKS', uri: `${oddKeys.url}/jwks.json` } })],
    ];
    for (const [prefix, policy] of deployments) {
      const res = await deploy(prefix, JSON.parse(JSON.stringify(policy)) as Record<string, unknown>);
      expect(res.status, `${prefix}: ${res.text}`).toBe(200);
    }
  });

  afterAll(async () => {
    if (process.env.JWT_ATTACK_TABLE && verdicts.length) {
      const rows = verdicts.map((v) => `| ${v.group} | ${v.name.replaceAll('|', '\\|')} | ${v.status} | ${v.reason.replaceAll('|', '\\|')} |`);
      console.log(['| # | Case | Status | Reason in the decision log |', '|---|---|---|---|', ...rows].join('\n'));
    }
    await harness?.stop();
    await attacker?.stop();
    await oddKeys?.stop();
  });

  it.each(CASES)('[$group] $name → $status $check', async (c) => {
    const { res, decision } = await send(await c.send(f));
    expect(res.status, `${c.name}: ${res.text.slice(0, 200)} ${JSON.stringify(decision?.reason ?? decision?.outcome)}`).toBe(c.status);

    if (c.status === 431) {
      // node:http answers before the pipeline runs: nothing to log, nothing reached the backend.
      expect(decision).toBeUndefined();
      verdicts.push({ group: c.group, name: c.name, status: res.status, reason: 'refused by the HTTP parser: header block over 8 KB (no decision logged)' });
    } else if (c.status === 200) {
      expect(decision?.outcome).toBe('accepted');
      expect(decision?.checks.find((k) => k.check === SIG)).toMatchObject({ passed: true });
      expect(res.json).toMatchObject({ method: 'GET', path: '/echo' });
      verdicts.push({ group: c.group, name: c.name, status: res.status, reason: 'accepted (positive control)' });
    } else {
      expect(res.json).toEqual(c.status === 401 ? UNAUTHORIZED : NOT_FOUND);
      if (c.status === 401) expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(decision, 'the refusal is in the decision log').toBeDefined();
      expect(decision!.outcome).toBe('refused');
      expect(decision!.reason?.check).toBe(c.check);
      const found = decision!.reason?.found;
      const reason = `${decision!.reason?.message} | found: ${typeof found === 'string' ? found : JSON.stringify(found ?? null)}`;
      if (c.detail) expect(reason).toMatch(c.detail);
      // The refusing check is the only failed one: nothing after it ran, nothing before it failed.
      expect(decision!.checks.filter((k) => !k.passed)).toEqual([decision!.reason]);
      verdicts.push({ group: c.group, name: c.name, status: res.status, reason: `${decision!.reason!.check}: ${decision!.reason!.message}${describeFound(decision!.reason!.found)}` });
    }
    // Key material named by a token is never fetched.
    expect(attacker.hits).toEqual([]);
  });

  it('unknown kids cost one JWKS refetch per 30 s cooldown, not one per request', async () => {
    const jwks = harness.stack.gateway.jwks;
    // Past the cooldown of any refetch the table caused.
    harness.clock.advance(31_000);
    const unknownKid = () => bearer(f.iam(f.claims(), f.header({ kid: `unknown-${randomUUID()}` })));
    const before = jwks.stats().fetches;

    const burst = await Promise.all(Array.from({ length: 20 }, () => send(unknownKid())));
    for (let i = 0; i < 10; i++) burst.push(await send(unknownKid()));
    for (const { res, decision } of burst) {
      expect(res.status).toBe(401);
      expect(decision?.reason?.check).toBe(KID);
    }
    expect(jwks.stats().fetches - before).toBe(1);

    // After the cooldown, one more refetch; a genuine token needs none.
    harness.clock.advance(31_000);
    expect((await send(unknownKid())).res.status).toBe(401);
    expect(jwks.stats().fetches - before).toBe(2);
    expect((await send(bearer(f.genuine))).res.status).toBe(200);
    expect(jwks.stats().fetches - before).toBe(2);
    expect(attacker.hits).toEqual([]);
  });

  it('a policy naming both a token header and a query parameter is refused at deploy time (no ambiguous deployment)', async () => {
    const res = await deploy('/both', jwtPolicy({ tokenQueryParam: 'token' }));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/either tokenHeader or tokenQueryParam/);
  });

  describe('the IAM: POST /oauth2/v1/introspect and GET /oauth2/v1/userinfo', () => {
    let user: string;
    const introspect = (token: string) =>
      http(`${harness.urls.iam}/oauth2/v1/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(SEEDED.admin.id, SEEDED.admin.secret) },
        body: new URLSearchParams({ token }).toString(),
      });
    const userinfo = (token: string) => rawGet(harness.urls.iam, '/oauth2/v1/userinfo', { authorization: `Bearer ${token}` });

    beforeAll(async () => {
      const res = await tokenRequest(
        { url: harness.urls.iam },
        { grant_type: 'password', username: SEEDED.user.userName, password: SEEDED.user.password, scope: 'urn:opc:idm:__myscopes__ openid' },
        { authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) },
      );
      expect(res.status, res.text).toBe(200);
      user = res.body.access_token as string;
    });

    /** Builders over the genuine user token `u` (openid scope): each forgery keeps its claims. */
    const IAM_CASES: Array<{ name: string; token: (f: Forge, u: string) => string | Promise<string>; accepted: boolean; reason?: RegExp }> = [
      { name: 'genuine user token (control)', token: (_f, u) => u, accepted: true },
      { name: 'IAM-signed copy with exp == now + 1 (control)', token: (f, u) => f.iam({ ...payloadOf(u), exp: f.now + 1 }), accepted: true },
      { name: 'IAM-signed copy with exp == now', token: (f, u) => f.iam({ ...payloadOf(u), exp: f.now }), accepted: false, reason: /expired/ },
      ...NONE_CASINGS.map((alg) => ({ name: `alg "${alg}", empty signature`, token: (f: Forge, u: string) => withSignature({ alg, kid: f.kid }, payloadOf(u), ''), accepted: false, reason: /is not RS256/ })),
      { name: 'alg none with the IAM signature', token: (f, u) => f.iam(payloadOf(u), { alg: 'none', kid: f.kid }), accepted: false, reason: /is not RS256/ },
      { name: 'HS256 keyed with the public key PEM', token: (f, u) => hsJws({ alg: 'HS256', kid: f.kid }, payloadOf(u), f.iamPem), accepted: false, reason: /is not RS256/ },
      { name: 'HS256 keyed with the published JWK', token: (f, u) => hsJws({ alg: 'HS256', kid: f.kid }, payloadOf(u), JSON.stringify(f.iamJwk)), accepted: false, reason: /is not RS256/ },
      { name: 'kid path traversal, attacker signature', token: (f, u) => f.evil(payloadOf(u), { alg: 'RS256', kid: '../../../../dev/null' }), accepted: false, reason: /is not a key of this identity domain/ },
      { name: "kid SQL ' OR '1'='1, IAM signature", token: (f, u) => f.iam(payloadOf(u), f.header({ kid: `${f.kid}' OR '1'='1` })), accepted: false, reason: /is not a key of this identity domain/ },
      { name: 'kid "__proto__", IAM signature', token: (f, u) => f.iam(payloadOf(u), f.header({ kid: '__proto__' })), accepted: false, reason: /is not a key of this identity domain/ },
      { name: 'jku at the attacker JWKS, attacker signature', token: (f, u) => f.evil(payloadOf(u), { alg: 'RS256', kid: f.kid, jku: `${f.attacker.url}/jwks.json` }), accepted: false, reason: /signature does not verify/ },
      { name: 'embedded jwk (attacker), attacker signature', token: (f, u) => f.evil(payloadOf(u), { alg: 'RS256', kid: f.kid, jwk: f.attacker.jwk }), accepted: false, reason: /signature does not verify/ },
      { name: 'x5c (attacker certificate), attacker signature', token: (f, u) => f.evil(payloadOf(u), { alg: 'RS256', kid: f.kid, x5c: [f.attacker.certDer] }), accepted: false, reason: /signature does not verify/ },
      { name: 'payload changed (another user)', token: (_f, u) => swapPayload(u, { ...payloadOf(u), sub: 'harness-admin', user_id: 'someone-else' }), accepted: false, reason: /signature does not verify/ },
      { name: 'signature emptied', token: (_f, u) => `${parts(u)[0]}.${parts(u)[1]}.`, accepted: false, reason: /signature does not verify/ },
      { name: 'signature part removed (2 parts)', token: (_f, u) => `${parts(u)[0]}.${parts(u)[1]}`, accepted: false, reason: /three dot-separated parts/ },
      { name: "another token's signature", token: (f, u) => `${parts(u)[0]}.${parts(u)[1]}.${parts(f.genuine)[2]}`, accepted: false, reason: /signature does not verify/ },
      { name: 'JWE encrypted to the IAM key', token: (f, u) => new CompactEncrypt(Buffer.from(JSON.stringify(payloadOf(u)))).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: f.kid }).encrypt(f.iamPublicKey()), accepted: false, reason: /three dot-separated parts/ },
      { name: 'ES256 with r = s = 0', token: (f, u) => withSignature({ alg: 'ES256', kid: f.kid }, payloadOf(u), Buffer.alloc(64)), accepted: false, reason: /is not RS256/ },
      { name: 'RS256 with 256 zero bytes as signature', token: (f, u) => withSignature(f.header(), payloadOf(u), Buffer.alloc(256)), accepted: false, reason: /signature does not verify/ },
      { name: 'RS384 by the IAM key', token: (f, u) => f.iam(payloadOf(u), f.header({ alg: 'RS384' }), 'sha384'), accepted: false, reason: /is not RS256/ },
    ];

    it.each(IAM_CASES)('$name → active: $accepted', async (c) => {
      const token = await c.token(f, user);
      const intro = await introspect(token);
      expect(intro.status, intro.text).toBe(200);
      if (c.accepted) expect(intro.body).toMatchObject({ active: true, sub: SEEDED.user.userName });
      else expect(intro.body).toEqual({ active: false });

      const info = await userinfo(token);
      if (c.accepted) {
        expect(info.status, info.text).toBe(200);
        expect(info.json).toEqual({ sub: SEEDED.user.userName });
      } else {
        expect(info.status, info.text).toBe(401);
        expect(info.json).toMatchObject({ error: 'invalid_token' });
        expect(info.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
        expect(info.headers['x-harness-reason']).toMatch(c.reason!);
      }
      expect(attacker.hits).toEqual([]);
    });
  });
});

function describeFound(found: unknown): string {
  if (found === undefined) return '';
  const text = typeof found === 'string' ? found : JSON.stringify(found);
  return ` (found: ${text.length > 90 ? `${text.slice(0, 87)}...` : text})`;
}
