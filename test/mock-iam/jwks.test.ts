/**
 * `GET /admin/v1/SigningCert/jwk`: the JWKS in IDCS's shape (reference §3.1) and who may read it
 * (the "Configure client access" setting, SCIM errors otherwise).
 */
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwtParts, startTestIam, type TestIam } from '../support/iam.js';
import { adminToken, http, IDCS_ERROR_EXT, JWKS_PATH, postJson, SCIM_ERROR, tamperPayload, useCase1Token } from './helpers.js';

describe('JWKS shape', () => {
  let iam: TestIam;
  let jwks: any;
  let raw: string;
  beforeAll(async () => {
    iam = await startTestIam({ settings: { signingCertPublicAccess: true } });
    const res = await http(`${iam.url}${JWKS_PATH}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    raw = res.text;
    jwks = res.body;
  });
  afterAll(() => iam.stop());

  it('has one key with exactly the IDCS members, in the IDCS order, and no `use`', () => {
    expect(Object.keys(jwks)).toEqual(['keys']);
    expect(jwks.keys).toHaveLength(1);
    const [key] = jwks.keys;
    // member order of a real IDCS response (spring-security#8988)
    expect(Object.keys(key)).toEqual(['x5t#S256', 'x5t', 'key_ops', 'e', 'kty', 'x5c', 'alg', 'kid', 'n']);
    expect(key).toMatchObject({ kty: 'RSA', kid: 'SIGNING_KEY', alg: 'RS256', e: 'AQAB' });
    // the operations a real identity domain lists (spring-security#8988: ["verify","encrypt"])
    expect(key.key_ops).toEqual(['verify', 'encrypt']);
    expect(key).not.toHaveProperty('use');
    expect(raw).not.toContain('"use"');
    // 2048-bit modulus, base64url without padding
    expect(key.n).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(key.n, 'base64url')).toHaveLength(256);
  });

  it('x5c is standard base64 DER; x5t / x5t#S256 are its SHA-1 / SHA-256 thumbprints', () => {
    const [key] = jwks.keys;
    expect(key.x5c).toHaveLength(1);
    expect(key.x5c[0]).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const der = Buffer.from(key.x5c[0], 'base64');
    expect(key.x5t).toBe(createHash('sha1').update(der).digest('base64url'));
    expect(key['x5t#S256']).toBe(createHash('sha256').update(der).digest('base64url'));
    expect(Buffer.from(key.x5t, 'base64url')).toHaveLength(20);
    expect(Buffer.from(key['x5t#S256'], 'base64url')).toHaveLength(32);
  });

  it("the certificate's public key is the JWK's n/e, and the certificate is self-signed for the issuer host", () => {
    const [key] = jwks.keys;
    const cert = new X509Certificate(Buffer.from(key.x5c[0], 'base64'));
    const fromJwk = createPublicKey({ key: { kty: 'RSA', n: key.n, e: key.e }, format: 'jwk' });
    expect(cert.publicKey.equals(fromJwk)).toBe(true);
    const certJwk = cert.publicKey.export({ format: 'jwk' });
    expect(certJwk.n).toBe(key.n);
    expect(certJwk.e).toBe(key.e);
    expect(cert.subject).toContain('CN=identity.oraclecloud.com');
    expect(cert.subject).toContain('OU=SIGNING_KEY');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(new Date(cert.validFrom).getTime()).toBeLessThan(Date.now());
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 24 * 3600 * 1000);
  });

  it("the token header's kid, x5t and x5t#S256 equal the JWK's", async () => {
    const { header } = decodeJwtParts(await useCase1Token(iam));
    const [key] = jwks.keys;
    expect(header).toEqual({ 'x5t#S256': key['x5t#S256'], x5t: key.x5t, kid: key.kid, alg: 'RS256' });
  });

  it('is served the same, byte for byte, on every read', async () => {
    const again = await http(`${iam.url}${JWKS_PATH}`);
    expect(again.text).toBe(raw);
  });
});

describe('JWKS access with signingCertPublicAccess: false', () => {
  let iam: TestIam;
  beforeAll(async () => {
    iam = await startTestIam({ settings: { signingCertPublicAccess: false } });
  });
  afterAll(() => iam.stop());

  const expectScimError = (res: { status: number; body: any }, status: number, messageId: string, detail: string) => {
    expect(res.status).toBe(status);
    expect(res.body).toEqual({
      schemas: [SCIM_ERROR, IDCS_ERROR_EXT],
      detail,
      status: String(status),
      [IDCS_ERROR_EXT]: { messageId },
    });
  };

  it('without a token: 401 with the SCIM unauthorizedAccess body', async () => {
    const res = await http(`${iam.url}${JWKS_PATH}`, { headers: { accept: 'application/scim+json,application/json' } });
    expectScimError(res, 401, 'error.common.exception.unauthorizedAccess', 'Operation failed due to unauthorized access.');
    expect(res.headers.get('x-harness-reason')).toContain('signingCertPublicAccess');
  });

  it('with a harness-admin __myscopes__ token: 200 with the JWKS', async () => {
    const res = await http(`${iam.url}${JWKS_PATH}`, { headers: { authorization: `Bearer ${await adminToken(iam)}` } });
    expect(res.status).toBe(200);
    expect(res.body.keys.map((k: any) => k.kid)).toEqual(['SIGNING_KEY']);
  });

  it('with a use case 1 token (no urn:opc:idm:t.security.client): 403 forbidden', async () => {
    const res = await http(`${iam.url}${JWKS_PATH}`, { headers: { authorization: `Bearer ${await useCase1Token(iam)}` } });
    expectScimError(res, 403, 'error.common.exception.forbidden', 'Operation failed due to insufficient privileges.');
    expect(res.headers.get('x-harness-reason')).toContain('urn:opc:idm:t.security.client');
  });

  it('with a forged admin token: 401', async () => {
    const forged = tamperPayload(await useCase1Token(iam), { scope: 'urn:opc:idm:t.security.client' });
    const res = await http(`${iam.url}${JWKS_PATH}`, { headers: { authorization: `Bearer ${forged}` } });
    expectScimError(res, 401, 'error.common.exception.unauthorizedAccess', 'Operation failed due to unauthorized access.');
  });

  it('with an admin token after it expired: 401', async () => {
    const token = await adminToken(iam);
    expect((await postJson(`${iam.url}/_harness/clock`, { advanceSeconds: 3601 })).status).toBe(200);
    try {
      const res = await http(`${iam.url}${JWKS_PATH}`, { headers: { authorization: `Bearer ${token}` } });
      expectScimError(res, 401, 'error.common.exception.unauthorizedAccess', 'Operation failed due to unauthorized access.');
      expect(res.headers.get('x-harness-reason')).toContain('expired');
    } finally {
      await postJson(`${iam.url}/_harness/clock`, { reset: true });
    }
  });

  it('with a Basic header instead of a bearer token: 401', async () => {
    const res = await http(`${iam.url}${JWKS_PATH}`, { headers: { authorization: 'Basic aGFybmVzcy1hZG1pbjpoYXJuZXNzLWFkbWluLXNlY3JldA==' } });
    expect(res.status).toBe(401);
    expect(res.body.status).toBe('401');
  });
});
