/** Every response of the IAM, success or error, on every surface, carries an `opc-request-id`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, SEEDED, startTestIam, type TestIam } from '../support/iam.js';
import { adminToken, JWKS_PATH, useCase1Token } from './helpers.js';

const FORM = 'application/x-www-form-urlencoded;charset=UTF-8';

describe('opc-request-id on every response', () => {
  let iam: TestIam;
  let userToken: string;
  beforeAll(async () => {
    iam = await startTestIam({ settings: { signingCertPublicAccess: false } });
    userToken = await useCase1Token(iam);
  });
  afterAll(() => iam.stop());

  type Call = [name: string, expectedStatus: number, path: string, init: () => Promise<RequestInit> | RequestInit];
  const calls: Call[] = [
    ['token 200', 200, '/oauth2/v1/token', () => ({ method: 'POST', headers: { 'content-type': FORM, authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) }, body: `grant_type=client_credentials&scope=${SEEDED.useCase1.scope}` })],
    ['token 400 invalid_scope', 400, '/oauth2/v1/token', () => ({ method: 'POST', headers: { 'content-type': FORM, authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) }, body: 'grant_type=client_credentials&scope=nope' })],
    ['token 401 invalid_client', 401, '/oauth2/v1/token', () => ({ method: 'POST', headers: { 'content-type': FORM, authorization: basic(SEEDED.useCase1.id, 'wrong') }, body: 'grant_type=client_credentials' })],
    ['token 400 wrong content type', 400, '/oauth2/v1/token', () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })],
    ['token 413 body over 1 MiB', 413, '/oauth2/v1/token', () => ({ method: 'POST', headers: { 'content-type': FORM }, body: `grant_type=client_credentials&pad=${'x'.repeat(1024 * 1024)}` })],
    ['introspect 200', 200, '/oauth2/v1/introspect', () => ({ method: 'POST', headers: { 'content-type': FORM, authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) }, body: `token=${userToken}` })],
    ['revoke 200', 200, '/oauth2/v1/revoke', () => ({ method: 'POST', headers: { 'content-type': FORM, authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) }, body: 'token=unknown' })],
    ['userinfo 401', 401, '/oauth2/v1/userinfo', () => ({})],
    ['JWKS 401', 401, JWKS_PATH, () => ({})],
    ['JWKS 403', 403, JWKS_PATH, () => ({ headers: { authorization: `Bearer ${userToken}` } })],
    ['JWKS 200', 200, JWKS_PATH, async () => ({ headers: { authorization: `Bearer ${await adminToken(iam)}` } })],
    ['openid-configuration', 200, '/.well-known/openid-configuration', () => ({})],
    ['idcs-configuration', 200, '/.well-known/idcs-configuration', () => ({})],
    ['health', 200, '/_harness/health', () => ({})],
    ['clock 400', 400, '/_harness/clock', () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })],
    ['signing-keys 409', 409, '/_harness/signing-keys/SIGNING_KEY', () => ({ method: 'DELETE' })],
    ['unknown path 404', 404, '/no/such/path', () => ({})],
    ['wrong method 405', 405, '/oauth2/v1/token', () => ({ method: 'GET' })],
  ];

  it.each(calls)('%s', async (_name, status, path, init) => {
    const res = await fetch(`${iam.url}${path}`, await init());
    await res.arrayBuffer();
    expect(res.status).toBe(status);
    expect(res.headers.get('opc-request-id')).toMatch(/^[0-9A-F]{32}$/);
  });

  it('every request gets its own id', async () => {
    const ids = new Set<string | null>();
    for (let i = 0; i < 5; i++) ids.add((await fetch(`${iam.url}/_harness/health`)).headers.get('opc-request-id'));
    expect(ids.size).toBe(5);
  });

  it("a caller's own opc-request-id is echoed back, on success and on error", async () => {
    const ok = await fetch(`${iam.url}/.well-known/openid-configuration`, { headers: { 'opc-request-id': 'my-trace/42:abc' } });
    expect(ok.headers.get('opc-request-id')).toBe('my-trace/42:abc');
    const denied = await fetch(`${iam.url}${JWKS_PATH}`, { headers: { 'opc-request-id': 'CALLER-ID-1' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('opc-request-id')).toBe('CALLER-ID-1');
  });

  it('an id that is not a safe token is replaced by a generated one', async () => {
    const res = await fetch(`${iam.url}/_harness/health`, { headers: { 'opc-request-id': 'has spaces and "quotes"' } });
    expect(res.headers.get('opc-request-id')).toMatch(/^[0-9A-F]{32}$/);
  });
});
