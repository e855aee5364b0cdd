/**
 * Helpers shared by the token-endpoint integration tests: extra apps/users on top of the seeded
 * blog config, raw form posts, client certificates for private_key_jwt / jwt-bearer, and an
 * assertion that every OAuth error has the IDCS shape plus an explaining x-harness-reason.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { request as httpRequest, type Agent } from 'node:http';
import forge from 'node-forge';
import { SignJWT } from 'jose';
import { expect } from 'vitest';
import { defaultConfigObject, readResult, type HttpResult } from '../support/iam.js';

export type { HttpResult };

export const ISSUER = 'https://identity.oraclecloud.com/';
export const TENANT = 'idcs-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const DOMAIN_URL = `https://${TENANT}.identity.oraclecloud.com`;
export const SECURE_DOMAIN_URL = `https://${TENANT}.eu-frankfurt-idcs-1.secure.identity.oraclecloud.com`;
export const LBAAS_AUDIENCE = `urn:opc:lbaas:logicalguid=${TENANT}`;
export const FORM_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';

/** The seeded apps plus extra ones (the test fixture replaces `iam.apps` as a whole). */
export function withApps(...extra: Array<Record<string, unknown>>): { apps: Array<Record<string, unknown>> } {
  return { apps: [...(defaultConfigObject().iam.apps as Array<Record<string, unknown>>), ...extra] };
}

/** The seeded users plus extra ones. */
export function withUsers(...extra: Array<Record<string, unknown>>): { users: Array<Record<string, unknown>> } {
  return { users: [...(defaultConfigObject().iam.users as Array<Record<string, unknown>>), ...extra] };
}

/** The seeded apps with one of them changed. */
export function seededAppsWith(name: string, change: Record<string, unknown>): Array<Record<string, unknown>> {
  const apps = defaultConfigObject().iam.apps as Array<Record<string, unknown>>;
  const found = apps.find((a) => a.name === name);
  if (!found) throw new Error(`no seeded app ${name}`);
  Object.assign(found, change);
  return apps;
}


/** POSTs a body as given (a string keeps repeated or odd parameters exactly as written). */
export async function post(
  base: { url: string },
  path: string,
  body: string | URLSearchParams | Record<string, string> | Buffer,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : new URLSearchParams(body).toString();
  const res = await fetch(`${base.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': FORM_TYPE, ...headers },
    body: payload,
  });
  return readResult(res);
}

export async function get(base: { url: string }, path: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return readResult(await fetch(`${base.url}${path}`, { headers }));
}

/**
 * A request through node:http, for bodies and headers fetch will not send as written (raw bytes,
 * latin-1 header values, chunked uploads). Resolves with status, headers and body text.
 */
export function rawRequest(
  base: { url: string },
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string | number>;
    body?: Buffer | Buffer[];
    /** A keep-alive agent to reuse connections; by default each request gets its own connection. */
    agent?: Agent;
    timeoutMs?: number;
  },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(base.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'POST',
        path: options.path,
        headers: options.headers ?? {},
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // The server may answer (413) before the upload is done and close; that is not a test failure.
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no response within ${options.timeoutMs ?? 5_000} ms`)));
    const parts = options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body];
    for (const p of parts) req.write(p);
    req.end();
  });
}

/** Asserts the IDCS OAuth error shape, the status, and that the reason header names `reasonPart`. */
export function expectOAuthError(res: { status: number; body: any; headers: Headers }, status: number, error: string, reasonPart?: string | RegExp): string {
  expect(res.status, `expected ${status} ${error}, got ${res.status} ${JSON.stringify(res.body)}`).toBe(status);
  expect(res.body).toEqual({ error, error_description: expect.any(String) });
  expect(res.body.error_description.length).toBeGreaterThan(0);
  const reason = res.headers.get('x-harness-reason');
  expect(reason, 'every error carries x-harness-reason').toBeTruthy();
  if (reasonPart instanceof RegExp) expect(reason).toMatch(reasonPart);
  else if (reasonPart !== undefined) expect(reason).toContain(reasonPart);
  return reason!;
}

export interface ClientCertificate {
  alias: string;
  privateKey: KeyObject;
  /** Base64 DER, as IDCS stores `x509Base64Certificate`. */
  x509Base64: string;
}

/** An RSA key and a self-signed certificate for it (node-forge builds the certificate). */
export function makeClientCertificate(alias: string, commonName = alias): ClientCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string);
  cert.serialNumber = '01' + createHash('sha1').update(alias).digest('hex').slice(0, 16);
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), forge.md.sha256.create());
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
  return { alias, privateKey, x509Base64: Buffer.from(der, 'binary').toString('base64') };
}

/** A JWT an app signs with its certificate key: client assertion or user assertion. */
export async function signAssertion(
  key: KeyObject,
  kid: string,
  claims: { iss: string; sub: string; aud?: string | string[]; expSecondsFromNow?: number; iatSecondsFromNow?: number },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(claims.iss)
    .setSubject(claims.sub)
    .setAudience(claims.aud ?? ISSUER)
    .setIssuedAt(now + (claims.iatSecondsFromNow ?? 0))
    .setJti(createHash('sha1').update(String(Math.random())).digest('hex'))
    .setExpirationTime(now + (claims.expSecondsFromNow ?? 300))
    .sign(key);
}

/** OIDC Core §3.1.3.6: left half of SHA-256 of the access token, base64url. */
export function expectedAtHash(accessToken: string): string {
  const d = createHash('sha256').update(accessToken, 'ascii').digest();
  return d.subarray(0, 16).toString('base64url');
}
