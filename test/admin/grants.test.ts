/**
 * `/admin/v1/AppRoles` and `/admin/v1/Grants` over HTTP (reference §5.3): find the role, grant it
 * to a new client, watch `grantedAppRoles` and the client's `__myscopes__` tokens follow, take it
 * away again; grants to users; every refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, decodeJwtParts, SEEDED, startTestIam, tokenRequest, type HttpResult, type TestIam } from '../support/iam.js';
import { adminApi, clientToken, expectScimError, LIST_RESPONSE, MYSCOPES, PATCH_OP, passwordGrant, scimRequest } from './support.js';

const APP = 'urn:ietf:params:scim:schemas:oracle:idcs:App';
const APP_ROLE = 'urn:ietf:params:scim:schemas:oracle:idcs:AppRole';
const GRANT = 'urn:ietf:params:scim:schemas:oracle:idcs:Grant';
const STATUS_CHANGER = 'urn:ietf:params:scim:schemas:oracle:idcs:AppStatusChanger';
const MISSING = 'error.common.validation.missingReqAttributes';
const BAD_REFERENCE = 'error.common.validation.invalidReference';
const IDA = 'IDCSAppId_IdentityDomainAdministrator';
const AUTHENTICATED_CLIENT = 'IDCSAppId_AuthenticatedClient';
const USER_ADMIN = 'IDCSAppId_UserAdministrator';

type Api = ReturnType<typeof adminApi>;

const grantBody = (granteeType: string, granteeId: string, roleId: string, extra: Record<string, unknown> = {}) => ({
  schemas: [GRANT],
  grantee: { type: granteeType, value: granteeId },
  app: { value: 'IDCSAppId' },
  entitlement: { attributeName: 'appRoles', attributeValue: roleId },
  grantMechanism: granteeType === 'App' ? 'ADMINISTRATOR_TO_APP' : 'ADMINISTRATOR_TO_USER',
  ...extra,
});

function myScopesToken(iam: { url: string }, app: { name: string; clientSecret: string }): Promise<HttpResult> {
  return tokenRequest(iam, { grant_type: 'client_credentials', scope: MYSCOPES }, { authorization: basic(app.name, app.clientSecret) });
}

async function newActiveClient(api: Api, displayName: string): Promise<any> {
  const res = await api.post('/admin/v1/Apps', {
    schemas: [APP],
    displayName,
    basedOnTemplate: { value: 'CustomWebAppTemplateId' },
    isOAuthClient: true,
    clientType: 'confidential',
    allowedGrants: ['client_credentials'],
  });
  expect(res.status, res.text).toBe(201);
  const activated = await api.put(`/admin/v1/AppStatusChanger/${res.body.id}`, { schemas: [STATUS_CHANGER], active: true });
  expect(activated.status, activated.text).toBe(200);
  return res.body;
}

describe('/admin/v1/AppRoles', () => {
  let iam: TestIam;
  let api: Api;
  beforeAll(async () => {
    iam = await startTestIam();
    api = adminApi(iam, await clientToken(iam));
  });
  afterAll(() => iam?.stop());

  it('filter=app.value eq "IDCSAppId" lists the five seeded roles', async () => {
    const res = await api.get(`/admin/v1/AppRoles?filter=${encodeURIComponent('app.value eq "IDCSAppId"')}&sortBy=displayName`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.schemas).toEqual([LIST_RESPONSE]);
    expect(res.body.totalResults).toBe(5);
    expect(res.body.Resources.map((r: any) => r.displayName)).toEqual([
      'Application Administrator',
      'Authenticated Client',
      'Identity Domain Administrator',
      'Me',
      'User Administrator',
    ]);
  });

  it('displayName eq "Identity Domain Administrator" finds one role in IDCS shape', async () => {
    const res = await api.get(`/admin/v1/AppRoles?filter=${encodeURIComponent('displayName eq "Identity Domain Administrator"')}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0]).toEqual({
      schemas: [APP_ROLE],
      id: IDA,
      displayName: 'Identity Domain Administrator',
      description: expect.any(String),
      uniqueName: 'IDCSAppId_IdentityDomainAdministrator',
      adminRole: true,
      app: { value: 'IDCSAppId', display: 'IDCSApp' },
      meta: { resourceType: 'AppRole', created: '2016-01-01T00:00:00.000Z', lastModified: '2016-01-01T00:00:00.000Z', location: `${iam.url}/admin/v1/AppRoles/${IDA}`, version: 'W/"1"' },
    });
  });

  it('GET by id; app.value is caseExact; an unknown id is 404', async () => {
    const res = await api.get(`/admin/v1/AppRoles/${AUTHENTICATED_CLIENT}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: AUTHENTICATED_CLIENT, displayName: 'Authenticated Client', adminRole: false });
    expect((await api.get(`/admin/v1/AppRoles?filter=${encodeURIComponent('app.value eq "idcsappid"')}`)).body.totalResults).toBe(0);
    expectScimError(await api.get('/admin/v1/AppRoles/IDCSAppId_Nobody'), 404, { detail: 'Resource IDCSAppId_Nobody of type AppRole not found.' });
  });

  it('is read-only: POST, PUT, PATCH, DELETE answer 405', async () => {
    const role = { schemas: [APP_ROLE], displayName: 'Custom', app: { value: 'IDCSAppId' } };
    for (const res of [
      await api.post('/admin/v1/AppRoles', role),
      await api.put(`/admin/v1/AppRoles/${IDA}`, role),
      await api.patch(`/admin/v1/AppRoles/${IDA}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }),
      await api.delete(`/admin/v1/AppRoles/${IDA}`),
    ]) {
      expectScimError(res, 405, { messageId: 'error.common.exception.methodNotAllowed' });
    }
    expect((await api.get(`/admin/v1/AppRoles/${IDA}`)).body.displayName).toBe('Identity Domain Administrator');
  });

  it('401 without a token, 403 for the use case 1 client', async () => {
    expectScimError(await scimRequest(iam, 'GET', '/admin/v1/AppRoles'), 401);
    const token = await clientToken(iam, SEEDED.useCase1.id, SEEDED.useCase1.secret, SEEDED.useCase1.scope);
    const res = await scimRequest(iam, 'GET', '/admin/v1/AppRoles', { token });
    expectScimError(res, 403);
    expect(res.headers.get('x-harness-reason')).toContain('urn:opc:idm:t.app, urn:opc:idm:t.grants');
  });
});

describe('/admin/v1/Grants', () => {
  let iam: TestIam;
  let api: Api;
  beforeAll(async () => {
    iam = await startTestIam();
    api = adminApi(iam, await clientToken(iam));
  });
  afterAll(() => iam?.stop());

  describe('granting Identity Domain Administrator to a new client, and taking it away', () => {
    let client: any;
    let idaGrant: any;
    let tokenWhileAdmin: string;

    it('a new client holds no role: __myscopes__ is invalid_scope', async () => {
      client = await newActiveClient(api, 'Future Admin');
      expect(client.grantedAppRoles).toEqual([]);
      const res = await myScopesToken(iam, client);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_scope');
    });

    it('POST /Grants (ADMINISTRATOR_TO_APP): 201 with the grant', async () => {
      const res = await api.post('/admin/v1/Grants', grantBody('App', client.id, IDA));
      expect(res.status, res.text).toBe(201);
      idaGrant = res.body;
      expect(idaGrant).toEqual({
        schemas: [GRANT],
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        grantee: { type: 'App', value: client.id, $ref: `${iam.url}/admin/v1/Apps/${client.id}` },
        app: { value: 'IDCSAppId', display: 'IDCSApp' },
        entitlement: { attributeName: 'appRoles', attributeValue: IDA },
        grantMechanism: 'ADMINISTRATOR_TO_APP',
        isFulfilled: true,
        meta: { resourceType: 'Grant', created: expect.any(String), lastModified: expect.any(String), location: `${iam.url}/admin/v1/Grants/${idaGrant.id}`, version: 'W/"1"' },
      });
      expect(res.headers.get('location')).toBe(`${iam.url}/admin/v1/Grants/${idaGrant.id}`);
    });

    it('the app now shows the role in grantedAppRoles', async () => {
      const res = await api.get(`/admin/v1/Apps/${client.id}`);
      expect(res.body.grantedAppRoles).toEqual([
        { value: IDA, appId: 'IDCSAppId', display: 'Identity Domain Administrator', type: 'direct', appName: 'IDCSApp', adminRole: true },
      ]);
    });

    it("the client's __myscopes__ token carries the admin scopes and can call /admin/v1/Apps", async () => {
      const res = await myScopesToken(iam, client);
      expect(res.status, res.text).toBe(200);
      tokenWhileAdmin = res.body.access_token;
      const { claims } = decodeJwtParts(tokenWhileAdmin);
      expect(claims.scope.split(' ')).toContain('urn:opc:idm:t.app');
      expect(claims.clientAppRoles).toEqual(['Identity Domain Administrator']);
      expect(claims.user_isAdmin).toBe(true);
      const apps = await scimRequest(iam, 'GET', `/admin/v1/Apps/${client.id}`, { token: tokenWhileAdmin });
      expect(apps.status, apps.text).toBe(200);
      expect(apps.body.displayName).toBe('Future Admin');
    });

    it('a second grant (Authenticated Client); a duplicate grant is 409 uniqueness', async () => {
      const second = await api.post('/admin/v1/Grants', grantBody('App', client.id, AUTHENTICATED_CLIENT));
      expect(second.status, second.text).toBe(201);
      const duplicate = await api.post('/admin/v1/Grants', grantBody('App', client.id, IDA));
      expectScimError(duplicate, 409, { scimType: 'uniqueness', detail: `The App "${client.id}" already holds "Identity Domain Administrator" through grant ${idaGrant.id}.` });
    });

    it('GET /Grants?filter=grantee.value eq … lists this client\'s grants; GET by id', async () => {
      const res = await api.get(`/admin/v1/Grants?filter=${encodeURIComponent(`grantee.value eq "${client.id}"`)}&sortBy=entitlement.attributeValue`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.totalResults).toBe(2);
      expect(res.body.Resources.map((g: any) => g.entitlement.attributeValue)).toEqual([AUTHENTICATED_CLIENT, IDA]);
      const one = await api.get(`/admin/v1/Grants/${idaGrant.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(idaGrant);
    });

    it('grants are never changed in place: PUT and PATCH answer 405', async () => {
      expectScimError(await api.put(`/admin/v1/Grants/${idaGrant.id}`, grantBody('App', client.id, USER_ADMIN)), 405);
      expectScimError(await api.patch(`/admin/v1/Grants/${idaGrant.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'grantMechanism', value: 'ADMINISTRATOR_TO_USER' }] }), 405);
    });

    it('DELETE the grant: 204; new tokens lack the role (403 on Apps), earlier tokens keep theirs until they expire', async () => {
      const res = await api.delete(`/admin/v1/Grants/${idaGrant.id}`);
      expect(res.status).toBe(204);
      expectScimError(await api.get(`/admin/v1/Grants/${idaGrant.id}`), 404);
      expect((await api.get(`/admin/v1/Apps/${client.id}`)).body.grantedAppRoles.map((r: any) => r.value)).toEqual([AUTHENTICATED_CLIENT]);

      const fresh = await myScopesToken(iam, client);
      expect(fresh.status, fresh.text).toBe(200);
      expect(decodeJwtParts(fresh.body.access_token).claims.scope).toBe('urn:opc:idm:t.security.client');
      const refused = await scimRequest(iam, 'GET', '/admin/v1/Apps', { token: fresh.body.access_token });
      expectScimError(refused, 403, { messageId: 'error.common.exception.forbidden' });

      const earlier = await scimRequest(iam, 'GET', `/admin/v1/Apps/${client.id}`, { token: tokenWhileAdmin });
      expect(earlier.status).toBe(200);
    });

    it('deleting an app deletes its grants', async () => {
      const list = await api.get(`/admin/v1/Grants?filter=${encodeURIComponent(`grantee.value eq "${client.id}"`)}`);
      expect(list.body.totalResults).toBe(1);
      const remaining = list.body.Resources[0].id;
      expect((await api.delete(`/admin/v1/Apps/${client.id}`)).status).toBe(204);
      expectScimError(await api.get(`/admin/v1/Grants/${remaining}`), 404);
      expect((await api.get(`/admin/v1/Grants?filter=${encodeURIComponent(`grantee.value eq "${client.id}"`)}`)).body.totalResults).toBe(0);
    });
  });

  describe('grants to a user (ADMINISTRATOR_TO_USER)', () => {
    it('a user grant shows in the user token scopes where the client holds the role too; deleting it removes them', async () => {
      const users = await api.get(`/admin/v1/Users?filter=${encodeURIComponent(`userName eq "${SEEDED.user.userName}"`)}`);
      expect(users.status, users.text).toBe(200);
      const userId = users.body.Resources[0].id as string;
      const apps = await api.get(`/admin/v1/Apps?filter=${encodeURIComponent(`name eq "${SEEDED.useCase2.id}"`)}`);
      const clientId = apps.body.Resources[0].id as string;

      const toClient = await api.post('/admin/v1/Grants', grantBody('App', clientId, USER_ADMIN));
      expect(toClient.status, toClient.text).toBe(201);
      const before = await passwordGrant(iam, SEEDED.user.userName, SEEDED.user.password);
      expect(before.status, before.text).toBe(200);
      expect(decodeJwtParts(before.body.access_token).claims.scope.split(' ')).not.toContain('urn:opc:idm:t.users');

      const toUser = await api.post('/admin/v1/Grants', grantBody('User', userId, USER_ADMIN));
      expect(toUser.status, toUser.text).toBe(201);
      expect(toUser.body.grantee).toEqual({ type: 'User', value: userId, $ref: `${iam.url}/admin/v1/Users/${userId}` });
      expect(toUser.body.grantMechanism).toBe('ADMINISTRATOR_TO_USER');
      const after = await passwordGrant(iam, SEEDED.user.userName, SEEDED.user.password);
      expect(decodeJwtParts(after.body.access_token).claims.scope.split(' ')).toContain('urn:opc:idm:t.users');

      expect((await api.delete(`/admin/v1/Grants/${toUser.body.id}`)).status).toBe(204);
      const removed = await passwordGrant(iam, SEEDED.user.userName, SEEDED.user.password);
      expect(decodeJwtParts(removed.body.access_token).claims.scope.split(' ')).not.toContain('urn:opc:idm:t.users');
      expect((await api.delete(`/admin/v1/Grants/${toClient.body.id}`)).status).toBe(204);
    });
  });

  describe('refusals', () => {
    let appId: string;
    let userId: string;
    beforeAll(async () => {
      appId = (await newActiveClient(api, 'Grant Refusals')).id;
      userId = (await api.get(`/admin/v1/Users?filter=${encodeURIComponent(`userName eq "${SEEDED.user.userName}"`)}`)).body.Resources[0].id;
    });

    const cases: Array<[string, () => Record<string, unknown>, number, string, RegExp]> = [
      ['no schemas', () => ({ ...grantBody('App', appId, IDA), schemas: undefined }), 400, MISSING, /schemas must contain "urn:ietf:params:scim:schemas:oracle:idcs:Grant"/],
      ['no grantee', () => ({ ...grantBody('App', appId, IDA), grantee: undefined }), 400, MISSING, /^Missing required attribute\(s\): grantee$/],
      ['no grantee.value', () => ({ ...grantBody('App', appId, IDA), grantee: { type: 'App' } }), 400, MISSING, /^Missing required attribute\(s\): grantee\.value$/],
      ['a Group grantee', () => ({ ...grantBody('App', appId, IDA), grantee: { type: 'Group', value: appId }, grantMechanism: 'ADMINISTRATOR_TO_GROUP' }), 400, 'error.common.validation.invalidRequest', /grantee\.type "Group" is not served/],
      ['an unknown grantee type', () => ({ ...grantBody('App', appId, IDA), grantee: { type: 'Robot', value: appId } }), 400, 'error.common.validation.invalidRequest', /^grantee\.type: "Robot" is not one of App, User$/],
      ['an unknown App grantee', () => grantBody('App', '00000000000000000000000000000000', IDA), 400, BAD_REFERENCE, /^grantee\.value: there is no App with id "00000000000000000000000000000000"\.$/],
      ['an App grantee given by client_id', () => grantBody('App', SEEDED.useCase1.id, IDA), 400, BAD_REFERENCE, /"usecase1_client" is the name \(client_id\) of the App with id "[0-9a-f]{32}"; grantee\.value takes the id/],
      ['an unknown User grantee', () => grantBody('User', 'no-such-user', IDA), 400, BAD_REFERENCE, /^grantee\.value: there is no User with id "no-such-user"\.$/],
      ['a User grantee given by userName', () => grantBody('User', SEEDED.user.userName, IDA), 400, BAD_REFERENCE, /"usecase2\.user" is the userName of the User with id/],
      ['an unknown role', () => grantBody('App', appId, 'IDCSAppId_Superman'), 400, BAD_REFERENCE, /^entitlement\.attributeValue: there is no AppRole with id "IDCSAppId_Superman"; GET \/admin\/v1\/AppRoles lists them\.$/],
      ['a role given by display name', () => grantBody('App', appId, 'Identity Domain Administrator'), 400, BAD_REFERENCE, /\("Identity Domain Administrator" has the id "IDCSAppId_IdentityDomainAdministrator"\)/],
      ['no entitlement', () => ({ ...grantBody('App', appId, IDA), entitlement: undefined }), 400, MISSING, /^Missing required attribute\(s\): entitlement$/],
      ['an entitlement other than appRoles', () => ({ ...grantBody('App', appId, IDA), entitlement: { attributeName: 'groups', attributeValue: IDA } }), 400, 'error.common.validation.invalidRequest', /entitlement\.attributeName: "groups"/],
      ['another app than IDCSAppId', () => ({ ...grantBody('App', appId, IDA), app: { value: appId } }), 400, BAD_REFERENCE, new RegExp(`^app\\.value: "${'[0-9a-f]{32}'}" defines no app roles here`)],
      ['no grantMechanism', () => ({ ...grantBody('App', appId, IDA), grantMechanism: undefined }), 400, MISSING, /^Missing required attribute\(s\): grantMechanism$/],
      ['the user mechanism for an App', () => ({ ...grantBody('App', appId, IDA), grantMechanism: 'ADMINISTRATOR_TO_USER' }), 400, 'error.common.validation.invalidRequest', /grantMechanism "ADMINISTRATOR_TO_USER" does not fit grantee\.type "App"/],
      ['the app mechanism for a User', () => ({ ...grantBody('User', userId, IDA), grantMechanism: 'ADMINISTRATOR_TO_APP' }), 400, 'error.common.validation.invalidRequest', /grantMechanism "ADMINISTRATOR_TO_APP" does not fit grantee\.type "User"/],
      ['an unknown mechanism', () => ({ ...grantBody('App', appId, IDA), grantMechanism: 'BRIBERY' }), 400, 'error.common.validation.invalidRequest', /^grantMechanism: "BRIBERY" is not one of IDCS's grant mechanisms/],
    ];
    it.each(cases)('refuses %s', async (_what, body, status, messageId, detail) => {
      expectScimError(await api.post('/admin/v1/Grants', body()), status, { messageId, detail });
    });

    it('nothing refused was stored', async () => {
      const res = await api.get(`/admin/v1/Grants?filter=${encodeURIComponent(`grantee.value eq "${appId}" or grantee.value eq "${userId}"`)}`);
      expect(res.body.totalResults).toBe(0);
    });

    it('DELETE of an unknown grant is 404', async () => {
      expectScimError(await api.delete('/admin/v1/Grants/0123456789abcdef0123456789abcdef'), 404, { detail: 'Resource 0123456789abcdef0123456789abcdef of type Grant not found.' });
    });

    it('401 without a token; 403 for the use case 1 client (reads and writes)', async () => {
      expectScimError(await scimRequest(iam, 'GET', '/admin/v1/Grants'), 401);
      expectScimError(await scimRequest(iam, 'POST', '/admin/v1/Grants', { body: grantBody('App', appId, IDA) }), 401);
      const token = await clientToken(iam, SEEDED.useCase1.id, SEEDED.useCase1.secret, SEEDED.useCase1.scope);
      const read = await scimRequest(iam, 'GET', '/admin/v1/Grants', { token });
      expectScimError(read, 403);
      expect(read.headers.get('x-harness-reason')).toContain('urn:opc:idm:t.grants');
      expectScimError(await scimRequest(iam, 'POST', '/admin/v1/Grants', { token, body: grantBody('App', appId, IDA) }), 403);
      expect((await api.get(`/admin/v1/Apps/${appId}`)).body.grantedAppRoles).toEqual([]);
    });

    it('a client holding only Authenticated Client cannot grant itself more (403)', async () => {
      const self = await newActiveClient(api, 'Self Promoter');
      expect((await api.post('/admin/v1/Grants', grantBody('App', self.id, AUTHENTICATED_CLIENT))).status).toBe(201);
      const token = (await myScopesToken(iam, self)).body.access_token;
      expectScimError(await scimRequest(iam, 'POST', '/admin/v1/Grants', { token, body: grantBody('App', self.id, IDA) }), 403);
      expectScimError(await scimRequest(iam, 'GET', '/admin/v1/AppRoles', { token }), 403);
    });
  });
});
