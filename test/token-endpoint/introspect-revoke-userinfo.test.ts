/**
 * The other OAuth runtime endpoints (reference §7): `POST /oauth2/v1/introspect` (RFC 7662),
 * `POST /oauth2/v1/revoke` (RFC 7009) and `GET|POST /oauth2/v1/userinfo` (OIDC Core §5.3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, decodeJwtParts, SEEDED, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';
import { expectOAuthError, get, ISSUER, post, withApps } from './helpers.js';

const uc1 = { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) };
const uc2 = { authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) };
const admin = { authorization: basic(SEEDED.admin.id, SEEDED.admin.secret) };
const noIntrospect = { authorization: basic('plain_client', 'plain-secret') };

describe('introspect, revoke, userinfo', () => {
  let iam: TestIam;
  const clientToken = async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' }, uc1);
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  };
  const userTokens = async (scope: string) => {
    const res = await tokenRequest(iam, { grant_type: 'password', username: SEEDED.user.userName, password: SEEDED.user.password, scope }, uc2);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { access_token: string; refresh_token?: string; id_token?: string };
  };
  const introspect = (token: string, auth = admin, extra: Record<string, string> = {}) => post(iam, '/oauth2/v1/introspect', { token, ...extra }, auth);
  const revoke = (token: string, auth: Record<string, string>, extra: Record<string, string> = {}) => post(iam, '/oauth2/v1/revoke', { token, ...extra }, auth);

  beforeAll(async () => {
    iam = await startTestIam(
      withApps({
        name: 'plain_client',
        displayName: 'No Introspect',
        isOAuthClient: true,
        clientSecret: 'plain-secret',
        allowedGrants: ['client_credentials'],
        allowedScopes: [{ fqs: 'anwendung1AnwendungReadA' }],
      }),
    );
  });
  afterAll(() => iam?.stop());

  describe('POST /oauth2/v1/introspect', () => {
    it('answers active: true with the token claims for a live access token', async () => {
      const token = await clientToken();
      const res = await introspect(token);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const claims = decodeJwtParts(token).claims;
      expect(res.body).toMatchObject({
        active: true,
        token_type: 'Bearer',
        iss: ISSUER,
        sub: 'usecase1_client',
        client_id: 'usecase1_client',
        aud: 'anwendung1',
        scope: 'AnwendungReadA',
        exp: claims.exp,
        iat: claims.iat,
        jti: claims.jti,
      });
    });

    it('introspects a user token with its user and custom claims', async () => {
      const { access_token } = await userTokens('urn:opc:idm:__myscopes__');
      const res = await introspect(access_token, uc1);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ active: true, sub: 'usecase2.user', sub_type: 'user', APIGWMichael4: 'Api1Access' });
    });

    it('answers exactly {active: false} for garbage, for a foreign JWT, and for an ID token', async () => {
      const { id_token } = await userTokens('urn:opc:idm:__myscopes__ openid');
      const forged = (await clientToken()).split('.');
      const tampered = `${forged[0]}.${Buffer.from(JSON.stringify({ ...decodeJwtParts(forged.join('.')).claims, sub: 'evil' })).toString('base64url')}.${forged[2]}`;
      for (const token of ['garbage', 'a.b.c', tampered, id_token!]) {
        const res = await introspect(token);
        expect(res.status, token).toBe(200);
        expect(res.body, token).toEqual({ active: false });
      }
    });

    it('answers active: false once the token has expired', async () => {
      const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA urn:opc:resource:expiry=60' }, uc1);
      try {
        iam.clock.advance(59_000);
        expect((await introspect(res.body.access_token)).body.active).toBe(true);
        iam.clock.advance(2_000);
        expect((await introspect(res.body.access_token)).body).toEqual({ active: false });
      } finally {
        iam.clock.reset();
      }
    });

    it('introspects a refresh token', async () => {
      const { refresh_token } = await userTokens('urn:opc:idm:__myscopes__ offline_access');
      const res = await introspect(refresh_token!);
      expect(res.body).toMatchObject({ active: true, token_type: 'refresh_token', client_id: 'usecase2_client', scope: 'urn:opc:idm:__myscopes__ offline_access' });
    });

    it('refuses a client without allowedOperations: [introspect] with 401 invalid_client', async () => {
      const res = await introspect(await clientToken(), noIntrospect);
      expectOAuthError(res, 401, 'invalid_client', 'introspect');
      expect(res.headers.get('x-harness-reason')).toContain('plain_client');
    });

    it('refuses a bad client secret with 401 and WWW-Authenticate Basic', async () => {
      const res = await introspect(await clientToken(), { authorization: basic(SEEDED.admin.id, 'wrong') });
      expectOAuthError(res, 401, 'invalid_client', 'wrong client secret');
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic\b/);
    });

    it('refuses a missing token parameter with invalid_request', async () => {
      const res = await post(iam, '/oauth2/v1/introspect', {}, admin);
      expectOAuthError(res, 400, 'invalid_request', 'token is required');
    });
  });

  describe('POST /oauth2/v1/revoke', () => {
    it('revokes an access token: 200 with an empty body, then it introspects inactive', async () => {
      const token = await clientToken();
      expect((await introspect(token)).body.active).toBe(true);
      const res = await revoke(token, uc1);
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect((await introspect(token)).body).toEqual({ active: false });
    });

    it('a revoked user access token no longer reaches userinfo', async () => {
      const { access_token } = await userTokens('urn:opc:idm:__myscopes__ openid');
      expect((await get(iam, '/oauth2/v1/userinfo', { authorization: `Bearer ${access_token}` })).status).toBe(200);
      expect((await revoke(access_token, uc2)).status).toBe(200);
      const res = await get(iam, '/oauth2/v1/userinfo', { authorization: `Bearer ${access_token}` });
      expectOAuthError(res, 401, 'invalid_token', 'revoked');
    });

    it('revokes a refresh token: it can no longer refresh', async () => {
      const { refresh_token } = await userTokens('urn:opc:idm:__myscopes__ offline_access');
      expect((await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: refresh_token! }, uc2)).status).toBe(200);
      const res = await revoke(refresh_token!, uc2, { token_type_hint: 'refresh_token' });
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      const after = await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: refresh_token! }, uc2);
      expectOAuthError(after, 400, 'invalid_grant');
      expect((await introspect(refresh_token!)).body).toEqual({ active: false });
    });

    it("does not let a client revoke another client's tokens (still 200)", async () => {
      const token = await clientToken();
      const { refresh_token } = await userTokens('urn:opc:idm:__myscopes__ offline_access');
      expect((await revoke(token, admin)).status).toBe(200);
      expect((await revoke(refresh_token!, admin)).status).toBe(200);
      expect((await introspect(token)).body.active).toBe(true);
      expect((await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: refresh_token! }, uc2)).status).toBe(200);
    });

    it('answers 200 for an unknown token', async () => {
      const res = await revoke('no-such-token', uc1);
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
    });

    it('needs client authentication', async () => {
      const res = await post(iam, '/oauth2/v1/revoke', { token: await clientToken() });
      expectOAuthError(res, 401, 'invalid_client', 'no client authentication');
    });
  });

  describe('GET /oauth2/v1/userinfo', () => {
    it('answers sub, name and email for a user token with openid profile email', async () => {
      const { access_token } = await userTokens('urn:opc:idm:__myscopes__ openid profile email');
      const res = await get(iam, '/oauth2/v1/userinfo', { authorization: `Bearer ${access_token}` });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      expect(res.body).toMatchObject({
        sub: 'usecase2.user',
        name: 'Michael Fischer7',
        given_name: 'Michael',
        family_name: 'Fischer7',
        preferred_username: 'usecase2.user',
        email: 'usecase2.user@example.com',
      });
      expect(typeof res.body.updated_at).toBe('number');
    });

    it('answers only sub for openid alone, and POST works too', async () => {
      const { access_token } = await userTokens('urn:opc:idm:__myscopes__ openid');
      const res = await post(iam, '/oauth2/v1/userinfo', '', { authorization: `Bearer ${access_token}` });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ sub: 'usecase2.user' });
    });

    it('refuses a client token with 401 invalid_token', async () => {
      const res = await get(iam, '/oauth2/v1/userinfo', { authorization: `Bearer ${await clientToken()}` });
      expectOAuthError(res, 401, 'invalid_token', 'client token');
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });

    it('refuses a user token without openid with 403 insufficient_scope', async () => {
      const { access_token } = await userTokens('urn:opc:idm:__myscopes__');
      const res = await get(iam, '/oauth2/v1/userinfo', { authorization: `Bearer ${access_token}` });
      expectOAuthError(res, 403, 'insufficient_scope', 'openid');
      expect(res.headers.get('www-authenticate')).toContain('insufficient_scope');
    });

    it('refuses a request without a token with 401 and WWW-Authenticate: Bearer', async () => {
      const res = await get(iam, '/oauth2/v1/userinfo');
      expectOAuthError(res, 401, 'invalid_token', 'no Authorization: Bearer');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('refuses an ID token and garbage as bearer tokens', async () => {
      const { id_token } = await userTokens('urn:opc:idm:__myscopes__ openid');
      expectOAuthError(await get(iam, '/oauth2/v1/userinfo', { authorization: `Bearer ${id_token}` }), 401, 'invalid_token', 'tok_type');
      expectOAuthError(await get(iam, '/oauth2/v1/userinfo', { authorization: 'Bearer garbage' }), 401, 'invalid_token', 'not a signed JWT');
    });
  });
});
