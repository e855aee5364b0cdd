/**
 * Small HTTP helpers for the mock-iam integration tests: everything goes over the wire, so the
 * tests see what a real client sees (status, headers, raw body text).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify, type JWTVerifyOptions, type JWTVerifyResult } from 'jose';
import { basic, http, SEEDED, startTestIam, tokenRequest, type HttpResult } from '../support/iam.js';

export { http, type HttpResult };

export const IDCS_ISSUER = 'https://identity.oraclecloud.com/';
export const TENANT = 'idcs-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const DOMAIN_URL = `https://${TENANT}.identity.oraclecloud.com`;
export const SECURE_DOMAIN_URL = `https://${TENANT}.eu-frankfurt-idcs-1.secure.identity.oraclecloud.com`;
export const ADMIN_AUDIENCES = [SECURE_DOMAIN_URL, DOMAIN_URL, `urn:opc:lbaas:logicalguid=${TENANT}`];
export const MY_SCOPES = 'urn:opc:idm:__myscopes__';
export const JWKS_PATH = '/admin/v1/SigningCert/jwk';
export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const IDCS_ERROR_EXT = 'urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error';

export function postJson(url: string, body: unknown, init: RequestInit = {}): Promise<HttpResult> {
  return http(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init });
}

/** A token that must succeed; the assertion message carries the server's answer otherwise. */
async function mustToken(iam: { url: string }, form: Record<string, string>, id: string, secret: string): Promise<string> {
  const res = await tokenRequest(iam, form, { authorization: basic(id, secret) });
  if (res.status !== 200 || typeof res.body?.access_token !== 'string') {
    throw new Error(`token request failed: ${res.status} ${JSON.stringify(res.body)} (${res.headers.get('x-harness-reason')})`);
  }
  return res.body.access_token as string;
}

/** Use case 1: client_credentials for `anwendung1AnwendungReadA` (aud `anwendung1`). */
export function useCase1Token(iam: { url: string }): Promise<string> {
  return mustToken(iam, { grant_type: 'client_credentials', scope: SEEDED.useCase1.scope }, SEEDED.useCase1.id, SEEDED.useCase1.secret);
}

/** The bootstrap admin client with `urn:opc:idm:__myscopes__`. */
export function adminToken(iam: { url: string }): Promise<string> {
  return mustToken(iam, { grant_type: 'client_credentials', scope: MY_SCOPES }, SEEDED.admin.id, SEEDED.admin.secret);
}

/** `POST /oauth2/v1/introspect` authenticated as usecase1_client (allowedOperations: introspect). */
export function introspect(iam: { url: string }, token: string): Promise<HttpResult> {
  return http(`${iam.url}/oauth2/v1/introspect`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) },
    body: new URLSearchParams({ token }).toString(),
  });
}

/** A fresh temporary folder and its clean-up. */
export function tempDir(prefix = 'mock-iam-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Rewrites claims in the payload but keeps the original signature: a forged token. */
export function tamperPayload(jwt: string, changes: Record<string, unknown>): string {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const claims = { ...JSON.parse(Buffer.from(p, 'base64url').toString('utf8')), ...changes };
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
}

/**
 * IDCS publishes `key_ops: ["verify","encrypt"]` (our JWKS: `["encrypt","verify"]`), and
 * WebCrypto refuses to import an RSASSA-PKCS1-v1_5 key with an `encrypt` usage, so jose 6 and
 * jwks-rsa 4 (which imports through jose) cannot use the JWKS as served. Verifiers of IDCS tokens
 * drop `key_ops` before importing; these helpers do that.
 */
export function withoutKeyOps<T extends { keys: Array<Record<string, unknown>> }>(jwks: T): T {
  return { ...jwks, keys: jwks.keys.map(({ key_ops: _ignored, ...rest }) => rest) };
}

/** A fetch for jose's `customFetch` that strips `key_ops` from the JWKS it fetches. */
export async function fetchJwksWithoutKeyOps(url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  if (res.status !== 200) return res;
  const body = withoutKeyOps((await res.json()) as { keys: Array<Record<string, unknown>> });
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

/** Verifies an IDCS token with jose against the server's current JWKS (key_ops dropped). */
export async function joseVerify(iam: { url: string }, token: string, options: JWTVerifyOptions = {}): Promise<JWTVerifyResult> {
  const res = await http(`${iam.url}${JWKS_PATH}`);
  if (res.status !== 200) throw new Error(`JWKS: ${res.status} ${res.text}`);
  return jwtVerify(token, createLocalJWKSet(withoutKeyOps(res.body)), { algorithms: ['RS256'], ...options });
}

/**
 * A key file made once (by a server start), for tests that restart servers often: starting on an
 * existing file skips RSA key generation, the slow part of a start.
 */
export async function makeKeyFile(dir: string, activeKid = 'SIGNING_KEY'): Promise<string> {
  const file = join(dir, `${activeKid}.json`);
  const iam = await startTestIam({ signingKeys: { file, activeKid, retiredKids: [] } });
  await iam.stop();
  return file;
}

/** A private copy of a key file, so a test may rotate and retire without touching the original. */
export function copyKeyFile(file: string, dir: string): string {
  const copy = join(mkdtempSync(join(dir, 'copy-')), 'keys.json');
  copyFileSync(file, copy);
  return copy;
}
