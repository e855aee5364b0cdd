/**
 * Blog use case 1: a technical user (confidential client) gets a client_credentials token for the
 * resource server `anwendung1` (reference §1.3, §1.4, §2.2, §2.4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, decodeJwtParts, SEEDED, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';
import { ISSUER, seededAppsWith, TENANT } from './helpers.js';

const auth = { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) };

describe('use case 1: client_credentials for a resource server scope', () => {
  let iam: TestIam;
  beforeAll(async () => {
    iam = await startTestIam();
  });
  afterAll(() => iam?.stop());

  it('answers {access_token, token_type: Bearer, expires_in: 3600} without a scope member', async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' }, auth);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(res.body.token_type).toBe('Bearer');
    expect(res.body.expires_in).toBe(3600);
    expect(res.body).not.toHaveProperty('scope');
    expect(res.body).not.toHaveProperty('refresh_token');
    expect(res.body).not.toHaveProperty('id_token');
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.access_token.split('.')).toHaveLength(3);
  });

  it('signs the claims the blog shows, and the rest of an IDCS client token', async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' }, auth);
    expect(res.status).toBe(200);
    const { header, claims } = decodeJwtParts(res.body.access_token);
    expect(header).toMatchObject({ alg: 'RS256', kid: 'SIGNING_KEY' });
    expect(header).not.toHaveProperty('typ');
    expect(claims.iss).toBe(ISSUER);
    expect(claims.aud).toBe('anwendung1');
    expect(typeof claims.aud).toBe('string');
    expect(claims.scope).toBe('AnwendungReadA');
    expect(claims.sub_type).toBe('client');
    expect(claims.sub).toBe('usecase1_client');
    expect(claims.client_id).toBe('usecase1_client');
    expect(claims.sub_mappingattr).toBe('userName');
    expect(claims.client_name).toBe('ResourceServerUse');
    expect(claims.tok_type).toBe('AT');
    expect(claims.gtp).toBe('cc');
    expect(claims.exp - claims.iat).toBe(3600);
    expect(Math.abs(claims.iat - Math.floor(Date.now() / 1000))).toBeLessThanOrEqual(5);
    expect(claims.jti).toMatch(/^[0-9a-f]{16,}$/);
    expect(typeof claims.client_guid).toBe('string');
    expect(claims.client_guid.length).toBeGreaterThan(0);
    expect(claims.client_guid).not.toBe(claims.client_id);
    expect(claims.client_ocid).toMatch(/^ocid1\.app\./);
    expect(claims).toMatchObject({
      client_tenantname: TENANT,
      tenant: TENANT,
      'user.tenant.name': TENANT,
      tenant_iss: `https://${TENANT}.identity.oraclecloud.com:443`,
      domain_home: 'eu-frankfurt-1',
      region_name: 'eu-frankfurt-idcs-1',
    });
    expect(typeof claims.resource_app_id).toBe('string');
    expect(claims).not.toHaveProperty('nbf');
    // A client token carries no user claims.
    for (const userClaim of ['user_id', 'user_displayname', 'sid', 'onBehalfOfUser', 'user_isAdmin']) expect(claims).not.toHaveProperty(userClaim);
  });

  it('gives every token its own jti', async () => {
    const form = { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' };
    const [a, b] = await Promise.all([tokenRequest(iam, form, auth), tokenRequest(iam, form, auth)]);
    expect(decodeJwtParts(a.body.access_token).claims.jti).not.toBe(decodeJwtParts(b.body.access_token).claims.jti);
  });

  it('puts two requested scopes of one resource in one space-separated scope claim, aud still a string', async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA anwendung1AnwendungWriteA' }, auth);
    expect(res.status).toBe(200);
    const { claims } = decodeJwtParts(res.body.access_token);
    expect(claims.scope).toBe('AnwendungReadA AnwendungWriteA');
    expect(claims.aud).toBe('anwendung1');
  });

  it('keeps the scope order of the request', async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungWriteA anwendung1AnwendungReadA' }, auth);
    expect(decodeJwtParts(res.body.access_token).claims.scope).toBe('AnwendungWriteA AnwendungReadA');
  });

  it('caps the lifetime with urn:opc:resource:expiry=600 (exp - iat and expires_in)', async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA urn:opc:resource:expiry=600' }, auth);
    expect(res.status).toBe(200);
    expect(res.body.expires_in).toBe(600);
    const { claims } = decodeJwtParts(res.body.access_token);
    expect(claims.exp - claims.iat).toBe(600);
    // The expiry scope is a request modifier, not a granted scope.
    expect(claims.scope).toBe('AnwendungReadA');
  });

  it('never extends the lifetime with a larger urn:opc:resource:expiry', async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA urn:opc:resource:expiry=99999' }, auth);
    expect(res.status).toBe(200);
    expect(res.body.expires_in).toBe(3600);
  });

  it('refuses a non-numeric expiry with invalid_scope naming it', async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA urn:opc:resource:expiry=soon' }, auth);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_scope', error_description: 'Invalid scope.' });
    expect(res.headers.get('x-harness-reason')).toContain('urn:opc:resource:expiry=soon');
  });
});

describe('use case 1: the resource app accessTokenExpiry', () => {
  let iam: TestIam;
  beforeAll(async () => {
    const apps = seededAppsWith('anwendung1_resource_server', { accessTokenExpiry: 7200, secondaryAudiences: ['anwendung1-alt'] });
    iam = await startTestIam({ apps });
  });
  afterAll(() => iam?.stop());

  it('sets exp from the resource app accessTokenExpiry', async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' }, auth);
    expect(res.status).toBe(200);
    expect(res.body.expires_in).toBe(7200);
    const { claims } = decodeJwtParts(res.body.access_token);
    expect(claims.exp - claims.iat).toBe(7200);
  });

  it('still lets urn:opc:resource:expiry=600 cap it', async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'urn:opc:resource:expiry=600 anwendung1AnwendungReadA' }, auth);
    expect(res.body.expires_in).toBe(600);
    const { claims } = decodeJwtParts(res.body.access_token);
    expect(claims.exp - claims.iat).toBe(600);
  });

  it('makes aud an array when the resource has secondary audiences', async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' }, auth);
    expect(decodeJwtParts(res.body.access_token).claims.aud).toEqual(['anwendung1', 'anwendung1-alt']);
  });
});
