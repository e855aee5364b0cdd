/**
 * The refresh_token and jwt-bearer grants, and the ID token of `openid` (reference §1.1, §1.3,
 * §2.3, §2.4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, decodeJwtParts, SEEDED, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';
import { expectedAtHash, expectOAuthError, ISSUER, makeClientCertificate, signAssertion, TENANT, withApps, withUsers, type ClientCertificate } from './helpers.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const uc2 = { authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) };
const other = { authorization: basic('other_rt_client', 'other-rt-secret') };
const passwordForm = (scope: string) => ({ grant_type: 'password', username: SEEDED.user.userName, password: SEEDED.user.password, scope });

describe('grants', () => {
  let iam: TestIam;
  let cert: ClientCertificate;
  let strangerKey: ClientCertificate;

  beforeAll(async () => {
    cert = makeClientCertificate('assertion_cert');
    strangerKey = makeClientCertificate('assertion_cert');
    iam = await startTestIam({
      ...withApps(
        {
          name: 'other_rt_client',
          displayName: 'Other Refresh Client',
          isOAuthClient: true,
          clientSecret: 'other-rt-secret',
          allowedGrants: ['password', 'refresh_token'],
          grantedAppRoles: ['Me'],
        },
        {
          name: 'assertion_client',
          displayName: 'User Assertion Client',
          isOAuthClient: true,
          clientSecret: 'assertion-secret',
          allowedGrants: [JWT_BEARER],
          allowedScopes: [{ fqs: 'anwendung1AnwendungReadA' }],
          grantedAppRoles: ['Me'],
          certificates: [{ certAlias: cert.alias, x509Base64Certificate: cert.x509Base64 }],
        },
      ),
      ...withUsers({ userName: 'sleeping.user', password: 'Sleep-Passw0rd', active: false }, { userName: 'later.retired', password: 'Later-Passw0rd' }),
    });
  });
  afterAll(() => iam?.stop());

  describe('refresh_token', () => {
    let refreshToken: string;
    let firstAccessToken: string;
    let firstClaims: any;

    beforeAll(async () => {
      const res = await tokenRequest(iam, passwordForm('urn:opc:idm:__myscopes__ offline_access'), uc2);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      refreshToken = res.body.refresh_token;
      firstAccessToken = res.body.access_token;
      firstClaims = decodeJwtParts(res.body.access_token).claims;
    });

    it('issues a refresh token only for offline_access', async () => {
      expect(typeof refreshToken).toBe('string');
      expect(refreshToken.length).toBeGreaterThan(20);
      expect(firstClaims.scope).toBe('urn:opc:idm:t.user.me offline_access');
      const without = await tokenRequest(iam, passwordForm('urn:opc:idm:__myscopes__'), uc2);
      expect(without.status).toBe(200);
      expect(without.body).not.toHaveProperty('refresh_token');
    });

    it('refreshes into a new access token for the same user and session', async () => {
      const res = await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: refreshToken }, uc2);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.token_type).toBe('Bearer');
      expect(res.body.expires_in).toBe(3600);
      expect(res.body.access_token).not.toBe(firstAccessToken);
      const { claims } = decodeJwtParts(res.body.access_token);
      expect(claims.jti).not.toBe(firstClaims.jti);
      expect(claims).toMatchObject({ sub: 'usecase2.user', sub_type: 'user', client_id: 'usecase2_client', gtp: 'rt', tok_type: 'AT', sid: firstClaims.sid });
      expect(claims.APIGWMichael4).toBe('Api1Access');
      expect(claims.scope).toBe('urn:opc:idm:t.user.me offline_access');
    });

    it('allows a narrower scope', async () => {
      const res = await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: refreshToken, scope: 'urn:opc:idm:__myscopes__' }, uc2);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(decodeJwtParts(res.body.access_token).claims.scope).toBe('urn:opc:idm:t.user.me');
      expect(res.body).not.toHaveProperty('refresh_token');
    });

    it('refuses a wider scope with invalid_scope naming the extra scope', async () => {
      const res = await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: refreshToken, scope: 'urn:opc:idm:__myscopes__ openid' }, uc2);
      expectOAuthError(res, 400, 'invalid_scope', 'openid');
      expect(res.body.error_description).toBe('Invalid scope.');
    });

    it('refuses a refresh token of another client with invalid_grant', async () => {
      const res = await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: refreshToken }, other);
      expectOAuthError(res, 400, 'invalid_grant', 'another client');
    });

    it('refuses an unknown refresh token with invalid_grant', async () => {
      const res = await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: 'AQAgnot-a-real-token' }, uc2);
      expectOAuthError(res, 400, 'invalid_grant');
    });

    it('refuses a refresh request without refresh_token with invalid_request', async () => {
      const res = await tokenRequest(iam, { grant_type: 'refresh_token' }, uc2);
      expectOAuthError(res, 400, 'invalid_request', 'refresh_token is required');
    });

    it('refuses offline_access to a client without the refresh_token grant', async () => {
      const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA offline_access' }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
      expectOAuthError(res, 400, 'invalid_scope', 'offline_access');
    });

    it('refuses a refresh token whose user has since been deactivated', async () => {
      const res = await tokenRequest(iam, { grant_type: 'password', username: 'later.retired', password: 'Later-Passw0rd', scope: 'urn:opc:idm:__myscopes__ offline_access' }, uc2);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const user = iam.context.store.userByName('later.retired')!;
      user.active = false;
      try {
        const after = await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: res.body.refresh_token }, uc2);
        expectOAuthError(after, 400, 'invalid_grant', 'deactivated');
      } finally {
        user.active = true;
      }
    });

    it('refuses an expired refresh token (default lifetime one week)', async () => {
      const res = await tokenRequest(iam, passwordForm('urn:opc:idm:__myscopes__ offline_access'), other);
      expect(res.status).toBe(200);
      const rt = res.body.refresh_token as string;
      try {
        iam.clock.advance(604_800 * 1000 - 60_000);
        expect((await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: rt }, other)).status).toBe(200);
        iam.clock.advance(120_000);
        expectOAuthError(await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: rt }, other), 400, 'invalid_grant');
      } finally {
        iam.clock.reset();
      }
    });
  });

  describe('openid: the ID token', () => {
    it('comes with the access token, aud [client_id, issuer], azp, at_hash', async () => {
      const res = await tokenRequest(iam, passwordForm('urn:opc:idm:__myscopes__ openid'), uc2);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(typeof res.body.id_token).toBe('string');
      const { header, claims } = decodeJwtParts(res.body.id_token);
      expect(header).toMatchObject({ alg: 'RS256', kid: 'SIGNING_KEY' });
      expect(claims.tok_type).toBe('IT');
      expect(claims.iss).toBe(ISSUER);
      expect(claims.sub).toBe('usecase2.user');
      expect(claims.aud).toEqual(['usecase2_client', ISSUER]);
      expect(claims.azp).toBe('usecase2_client');
      expect(claims.at_hash).toBe(expectedAtHash(res.body.access_token));
      expect(claims.user_displayname).toBe('Michael Fischer7');
      expect(claims.tenant).toBe(TENANT);
      expect(claims.exp).toBe(claims.session_exp);
      expect(claims.exp - claims.auth_time).toBe(480 * 60);
      const at = decodeJwtParts(res.body.access_token).claims;
      expect(claims.sid).toBe(at.sid);
      expect(at.scope).toBe('urn:opc:idm:t.user.me openid');
      // The AT-only expression claim (tokenType AT) stays out of the ID token.
      expect(claims).not.toHaveProperty('APIGWMichael4');
    });

    it('openid alone in a user sign-in gives a token for the domain itself', async () => {
      const res = await tokenRequest(iam, passwordForm('openid'), uc2);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const at = decodeJwtParts(res.body.access_token).claims;
      expect(at.aud).toBe(`https://${TENANT}.identity.oraclecloud.com`);
      expect(at.scope).toBe('openid');
      expect(decodeJwtParts(res.body.id_token).claims.at_hash).toBe(expectedAtHash(res.body.access_token));
    });

    it('is not issued for a client_credentials token', async () => {
      const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA openid' }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('id_token');
    });

    it('is issued again on refresh when the refresh token covers openid, with a matching at_hash', async () => {
      const first = await tokenRequest(iam, passwordForm('urn:opc:idm:__myscopes__ openid offline_access'), uc2);
      expect(first.status).toBe(200);
      const res = await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, uc2);
      expect(res.status).toBe(200);
      const { claims } = decodeJwtParts(res.body.id_token);
      expect(claims.at_hash).toBe(expectedAtHash(res.body.access_token));
      expect(claims.auth_time).toBe(decodeJwtParts(first.body.id_token).claims.auth_time);
    });

    it('a refresh after the SSO session (480 min) ended gets an access token but no ID token', async () => {
      // Reference §2.4: the ID token lives as long as the SSO session, so it must not be signed
      // already expired; the refresh itself stays valid for a week (docs/fidelity.md).
      const first = await tokenRequest(iam, passwordForm('urn:opc:idm:__myscopes__ openid offline_access'), uc2);
      expect(first.status).toBe(200);
      try {
        iam.clock.advance(479 * 60 * 1000);
        const within = await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, uc2);
        expect(within.status).toBe(200);
        const { claims } = decodeJwtParts(within.body.id_token);
        expect(claims.exp).toBeGreaterThan(iam.clock.nowSeconds());
        iam.clock.advance(2 * 60 * 1000);
        const after = await tokenRequest(iam, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, uc2);
        expect(after.status).toBe(200);
        expect(after.body.id_token).toBeUndefined();
        expect(decodeJwtParts(after.body.access_token).claims.exp - iam.clock.nowSeconds()).toBe(3600);
      } finally {
        iam.clock.reset();
      }
    });
  });

  describe('jwt-bearer user assertion', () => {
    const assertionAuth = { authorization: basic('assertion_client', 'assertion-secret') };

    it('gives a user token (gtp jwt) for the assertion sub without the password', async () => {
      const assertion = await signAssertion(cert.privateKey, cert.alias, { iss: 'assertion_client', sub: 'usecase2.user' });
      const res = await tokenRequest(iam, { grant_type: JWT_BEARER, assertion, scope: 'anwendung1AnwendungReadA' }, assertionAuth);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const { claims } = decodeJwtParts(res.body.access_token);
      expect(claims).toMatchObject({ sub: 'usecase2.user', sub_type: 'user', gtp: 'jwt', client_id: 'assertion_client', aud: 'anwendung1', scope: 'AnwendungReadA', tok_type: 'AT' });
      expect(claims.user_displayname).toBe('Michael Fischer7');
      expect(claims.APIGWMichael4).toBe('Api1Access');
    });

    it('gives an ID token for openid', async () => {
      const assertion = await signAssertion(cert.privateKey, cert.alias, { iss: 'assertion_client', sub: 'usecase2.user' });
      const res = await tokenRequest(iam, { grant_type: JWT_BEARER, assertion, scope: 'urn:opc:idm:__myscopes__ openid' }, assertionAuth);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const it = decodeJwtParts(res.body.id_token).claims;
      expect(it).toMatchObject({ tok_type: 'IT', sub: 'usecase2.user', azp: 'assertion_client', aud: ['assertion_client', ISSUER] });
      expect(it.at_hash).toBe(expectedAtHash(res.body.access_token));
    });

    it('refuses an assertion signed by a key that is not the app certificate', async () => {
      const assertion = await signAssertion(strangerKey.privateKey, cert.alias, { iss: 'assertion_client', sub: 'usecase2.user' });
      const res = await tokenRequest(iam, { grant_type: JWT_BEARER, assertion, scope: 'anwendung1AnwendungReadA' }, assertionAuth);
      expectOAuthError(res, 400, 'invalid_grant', 'signature');
    });

    it('refuses an assertion whose iss is another client', async () => {
      const assertion = await signAssertion(cert.privateKey, cert.alias, { iss: 'usecase2_client', sub: 'usecase2.user' });
      const res = await tokenRequest(iam, { grant_type: JWT_BEARER, assertion, scope: 'anwendung1AnwendungReadA' }, assertionAuth);
      expectOAuthError(res, 400, 'invalid_grant', 'usecase2_client');
    });

    it('refuses an expired assertion', async () => {
      const assertion = await signAssertion(cert.privateKey, cert.alias, { iss: 'assertion_client', sub: 'usecase2.user', expSecondsFromNow: -300, iatSecondsFromNow: -600 });
      const res = await tokenRequest(iam, { grant_type: JWT_BEARER, assertion, scope: 'anwendung1AnwendungReadA' }, assertionAuth);
      expectOAuthError(res, 400, 'invalid_grant', 'expired');
    });

    it('refuses an assertion for an unknown or deactivated user', async () => {
      for (const [sub, why] of [['nobody.here', 'no user "nobody.here"'], ['sleeping.user', 'deactivated']] as const) {
        const assertion = await signAssertion(cert.privateKey, cert.alias, { iss: 'assertion_client', sub });
        const res = await tokenRequest(iam, { grant_type: JWT_BEARER, assertion, scope: 'anwendung1AnwendungReadA' }, assertionAuth);
        expectOAuthError(res, 400, 'invalid_grant', why);
      }
    });

    it('refuses a missing assertion with invalid_request', async () => {
      const res = await tokenRequest(iam, { grant_type: JWT_BEARER, scope: 'anwendung1AnwendungReadA' }, assertionAuth);
      expectOAuthError(res, 400, 'invalid_request', 'assertion is required');
    });
  });
});
