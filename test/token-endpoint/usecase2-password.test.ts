/**
 * Blog use case 2: the end user's token from the password grant with `urn:opc:idm:__myscopes__`,
 * carrying the custom claim copied from a schema-extension attribute (reference §2.2, §6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, decodeJwtParts, SEEDED, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';
import { DOMAIN_URL, ISSUER, LBAAS_AUDIENCE, SECURE_DOMAIN_URL, TENANT, withApps, withUsers } from './helpers.js';

const uc2 = { authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) };
const passwordForm = (extra: Record<string, string> = {}) => ({
  grant_type: 'password',
  username: SEEDED.user.userName,
  password: SEEDED.user.password,
  scope: 'urn:opc:idm:__myscopes__',
  ...extra,
});

describe('use case 2: password grant with urn:opc:idm:__myscopes__', () => {
  let iam: TestIam;
  beforeAll(async () => {
    iam = await startTestIam({
      // A resource-scope client for the "client token never carries the expression claim" check
      // with the custom claim bound to a resource FQS too, and a user without the attribute.
      ...withApps({
        name: 'uc2_cc_client',
        displayName: 'UC2 CC',
        isOAuthClient: true,
        clientSecret: 'uc2-cc-secret',
        allowedGrants: ['client_credentials', 'password'],
        allowedScopes: [{ fqs: 'anwendung1AnwendungReadA' }],
      }),
      ...withUsers({ userName: 'no.attribute.user', password: 'NoAttr-Passw0rd', displayName: 'No Attribute' }),
    });
  });
  afterAll(() => iam?.stop());

  it('issues a user token with the blog claims', async () => {
    const res = await tokenRequest(iam, passwordForm(), uc2);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(res.body.expires_in).toBe(3600);
    const { claims } = decodeJwtParts(res.body.access_token);
    expect(claims.iss).toBe(ISSUER);
    expect(claims.tok_type).toBe('AT');
    expect(claims.sub).toBe('usecase2.user');
    expect(claims.sub_type).toBe('user');
    expect(claims.user_displayname).toBe('Michael Fischer7');
    expect(claims.APIGWMichael4).toBe('Api1Access');
    expect(claims.onBehalfOfUser).toBe(true);
    expect(claims.aud).toEqual([SECURE_DOMAIN_URL, DOMAIN_URL, LBAAS_AUDIENCE]);
    expect(claims.aud[2]).toMatch(/^urn:opc:lbaas:logicalguid=idcs-[0-9a-f]{32}$/);
    expect(claims.client_id).toBe('usecase2_client');
    expect(claims.client_name).toBe('EndUserLoginClient');
    expect(claims.gtp).toBe('ro');
    expect(claims.scope).toBe('urn:opc:idm:t.user.me');
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('carries the user claims of §2.2', async () => {
    const { claims } = decodeJwtParts((await tokenRequest(iam, passwordForm(), uc2)).body.access_token);
    expect(claims.user_id).toMatch(/^[0-9a-f]{32}$/);
    expect(claims.user_ocid).toMatch(/^ocid1\.user\./);
    expect(claims.user_tenantname).toBe(TENANT);
    expect(claims).toMatchObject({ user_tz: 'America/Chicago', user_lang: 'en', user_locale: 'en', sidle: 480, amr: ['USERNAME_PASSWORD'], idp_type: 'LOCAL' });
    expect(typeof claims.sid).toBe('string');
    expect(claims.clientAppRoles).toEqual(['Me']);
    // Only admin roles make user_isAdmin appear, and it appears only when true.
    expect(claims).not.toHaveProperty('user_isAdmin');
  });

  it('treats the user name case-insensitively but puts the stored userName in sub', async () => {
    const res = await tokenRequest(iam, passwordForm({ username: 'USECASE2.User' }), uc2);
    expect(res.status).toBe(200);
    expect(decodeJwtParts(res.body.access_token).claims.sub).toBe('usecase2.user');
  });

  it('leaves the expression claim out for a user without the attribute', async () => {
    const res = await tokenRequest(iam, passwordForm({ username: 'no.attribute.user', password: 'NoAttr-Passw0rd' }), uc2);
    expect(res.status).toBe(200);
    const { claims } = decodeJwtParts(res.body.access_token);
    expect(claims.sub).toBe('no.attribute.user');
    expect(claims).not.toHaveProperty('APIGWMichael4');
  });

  it('never puts the $user expression claim in a client_credentials token', async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' }, { authorization: basic('uc2_cc_client', 'uc2-cc-secret') });
    expect(res.status).toBe(200);
    const { claims } = decodeJwtParts(res.body.access_token);
    expect(claims.sub_type).toBe('client');
    expect(claims).not.toHaveProperty('APIGWMichael4');
    // ... while a user token of the same client and scope does carry it (allScopes: true).
    const user = await tokenRequest(iam, passwordForm({ scope: 'anwendung1AnwendungReadA' }), { authorization: basic('uc2_cc_client', 'uc2-cc-secret') });
    expect(user.status).toBe(200);
    const userClaims = decodeJwtParts(user.body.access_token).claims;
    expect(userClaims.APIGWMichael4).toBe('Api1Access');
    expect(userClaims.aud).toBe('anwendung1');
    // Without allowedOperations: [onBehalfOfUser] the claim is absent.
    expect(userClaims).not.toHaveProperty('onBehalfOfUser');
  });

  it('does not give a seeded client token the claim either (usecase1_client)', async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
    expect(res.status).toBe(200);
    expect(decodeJwtParts(res.body.access_token).claims).not.toHaveProperty('APIGWMichael4');
  });
});
