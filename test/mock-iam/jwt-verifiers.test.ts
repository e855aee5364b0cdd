/**
 * Our access tokens checked by the verifiers resource servers really use: jwks-rsa +
 * jsonwebtoken (Express/Passport style) and jose's remote JWKS, both against
 * `/admin/v1/SigningCert/jwk`, with issuer and audience checks.
 *
 * IDCS's JWKS carries `key_ops: ["verify","encrypt"]`, which WebCrypto will not import for an
 * RS256 key; our JWKS reproduces that, so both libraries fail out of the box exactly as they do
 * against a real identity domain. The working paths drop `key_ops` (jwks-rsa `fetcher`, jose
 * `customFetch`) or use the x5c certificate, as IDCS users do.
 */
import { createRemoteJWKSet, customFetch, errors as joseErrors, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, SEEDED, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';
import { adminToken, ADMIN_AUDIENCES, fetchJwksWithoutKeyOps, http, IDCS_ISSUER, JWKS_PATH, tamperPayload, useCase1Token, withoutKeyOps } from './helpers.js';

describe('third-party JWT verifiers against our JWKS', () => {
  let iam: TestIam;
  let token: string;
  beforeAll(async () => {
    iam = await startTestIam();
    token = await useCase1Token(iam);
  });
  afterAll(() => iam.stop());

  describe('out of the box, as against a real identity domain (key_ops includes "encrypt")', () => {
    it('jwks-rsa 4 finds no usable signing key', async () => {
      const client = jwksRsa({ jwksUri: `${iam.url}${JWKS_PATH}`, cache: false });
      await expect(client.getSigningKey('SIGNING_KEY')).rejects.toThrow('The JWKS endpoint did not contain any signing keys');
    });

    it("jose's createRemoteJWKSet fails importing the key (WebCrypto refuses the usages)", async () => {
      const err = await jwtVerify(token, createRemoteJWKSet(new URL(`${iam.url}${JWKS_PATH}`))).catch((e: unknown) => e);
      expect((err as Error).name).toBe('SyntaxError');
      expect((err as Error).message).toBe('Unsupported key usage for an RSASSA-PKCS1-v1_5 key');
    });
  });

  describe('jwks-rsa (fetcher dropping key_ops) + jsonwebtoken', () => {
    const jwksClient = () =>
      jwksRsa({
        jwksUri: `${iam.url}${JWKS_PATH}`,
        cache: false,
        fetcher: async (uri) => withoutKeyOps((await http(uri)).body),
      });
    const verify = async (jwtText: string, options: jwt.VerifyOptions): Promise<jwt.JwtPayload> => {
      const header = jwt.decode(jwtText, { complete: true })?.header;
      const key = await jwksClient().getSigningKey(header?.kid);
      return jwt.verify(jwtText, key.getPublicKey(), { algorithms: ['RS256'], ...options }) as jwt.JwtPayload;
    };

    it('finds SIGNING_KEY (no `use`, alg RS256)', async () => {
      const keys = await jwksClient().getSigningKeys();
      expect(keys.map((k) => [k.kid, k.alg])).toEqual([['SIGNING_KEY', 'RS256']]);
      expect(keys[0]!.getPublicKey()).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    });

    it('verifies a use case 1 token with issuer and audience checks', async () => {
      const claims = await verify(token, { issuer: IDCS_ISSUER, audience: 'anwendung1' });
      expect(claims).toMatchObject({ iss: IDCS_ISSUER, aud: 'anwendung1', sub: 'usecase1_client', scope: 'AnwendungReadA' });
    });

    it('verifies an admin token whose aud is an array, matching any member', async () => {
      const admin = await adminToken(iam);
      const claims = await verify(admin, { issuer: IDCS_ISSUER, audience: ADMIN_AUDIENCES[1] });
      expect(claims.aud).toEqual(ADMIN_AUDIENCES);
      expect(claims.sub).toBe('harness-admin');
      expect(claims.user_isAdmin).toBe(true);
    });

    it('refuses a tampered token (payload changed, signature kept)', async () => {
      const forged = tamperPayload(token, { scope: 'AnwendungReadA AnwendungWriteA' });
      await expect(verify(forged, { issuer: IDCS_ISSUER, audience: 'anwendung1' })).rejects.toThrow('invalid signature');
    });

    it('refuses a token for another audience', async () => {
      await expect(verify(token, { issuer: IDCS_ISSUER, audience: 'anwendung2' })).rejects.toThrow('jwt audience invalid');
    });

    it('refuses the token when the no-slash identity-domain issuer is expected', async () => {
      await expect(verify(token, { issuer: 'https://identity.oraclecloud.com', audience: 'anwendung1' })).rejects.toThrow('jwt issuer invalid');
    });

    it('refuses an expired token (as judged by the verifier clock)', async () => {
      const claims = jwt.decode(token) as jwt.JwtPayload;
      await expect(verify(token, { issuer: IDCS_ISSUER, audience: 'anwendung1', clockTimestamp: claims.exp! + 1 })).rejects.toThrow('jwt expired');
    });
  });

  describe('jsonwebtoken with the x5c certificate (the classic IDCS recipe)', () => {
    it('verifies with the PEM built from x5c[0], and refuses a forgery', async () => {
      const jwks = (await http(`${iam.url}${JWKS_PATH}`)).body;
      const der: string = jwks.keys[0].x5c[0];
      const pem = `-----BEGIN CERTIFICATE-----\n${der.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
      const claims = jwt.verify(token, pem, { algorithms: ['RS256'], issuer: IDCS_ISSUER, audience: 'anwendung1' }) as jwt.JwtPayload;
      expect(claims.sub).toBe('usecase1_client');
      expect(() => jwt.verify(tamperPayload(token, { aud: 'anwendung2' }), pem, { algorithms: ['RS256'] })).toThrow('invalid signature');
    });
  });

  describe("jose's createRemoteJWKSet (customFetch dropping key_ops) + jwtVerify", () => {
    const jwks = () => createRemoteJWKSet(new URL(`${iam.url}${JWKS_PATH}`), { [customFetch]: fetchJwksWithoutKeyOps });

    it('verifies a use case 1 token and reports the IDCS header', async () => {
      const { payload, protectedHeader } = await jwtVerify(token, jwks(), { issuer: IDCS_ISSUER, audience: 'anwendung1', algorithms: ['RS256'] });
      expect(payload).toMatchObject({ sub: 'usecase1_client', client_id: 'usecase1_client', tok_type: 'AT' });
      expect(Object.keys(protectedHeader)).toEqual(['x5t#S256', 'x5t', 'kid', 'alg']);
      expect(protectedHeader.kid).toBe('SIGNING_KEY');
      expect(protectedHeader.typ).toBeUndefined();
    });

    it('verifies a password-grant user token', async () => {
      const res = await tokenRequest(
        iam,
        { grant_type: 'password', username: SEEDED.user.userName, password: SEEDED.user.password, scope: 'urn:opc:idm:__myscopes__' },
        { authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) },
      );
      expect(res.status).toBe(200);
      const { payload } = await jwtVerify(res.body.access_token, jwks(), { issuer: IDCS_ISSUER, audience: ADMIN_AUDIENCES[0] });
      expect(payload).toMatchObject({ sub: 'usecase2.user', sub_type: 'user', APIGWMichael4: 'Api1Access' });
    });

    it('refuses a tampered token', async () => {
      const forged = tamperPayload(token, { sub: 'harness-admin' });
      await expect(jwtVerify(forged, jwks(), { issuer: IDCS_ISSUER, audience: 'anwendung1' })).rejects.toBeInstanceOf(joseErrors.JWSSignatureVerificationFailed);
    });

    it('refuses a wrong audience and a wrong issuer with the claim named', async () => {
      const aud = await jwtVerify(token, jwks(), { issuer: IDCS_ISSUER, audience: 'other' }).catch((e: unknown) => e);
      expect(aud).toBeInstanceOf(joseErrors.JWTClaimValidationFailed);
      expect((aud as joseErrors.JWTClaimValidationFailed).claim).toBe('aud');
      const iss = await jwtVerify(token, jwks(), { issuer: 'https://evil.example/', audience: 'anwendung1' }).catch((e: unknown) => e);
      expect(iss).toBeInstanceOf(joseErrors.JWTClaimValidationFailed);
      expect((iss as joseErrors.JWTClaimValidationFailed).claim).toBe('iss');
    });

    it('refuses a token whose kid is not in the JWKS', async () => {
      const [, p, s] = token.split('.');
      const header = Buffer.from(JSON.stringify({ kid: 'UNKNOWN_KEY', alg: 'RS256' })).toString('base64url');
      await expect(jwtVerify(`${header}.${p}.${s}`, jwks())).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
    });
  });
});
