/**
 * `/admin/v1/Apps` and `PUT /admin/v1/AppStatusChanger/{id}` over HTTP (reference §5.1, §5.2):
 * the blog's use case 1 set up through the REST API alone, validation with errors naming the
 * field, PUT/PATCH (immutable name, ETags), list conventions, deletion, activation and what the
 * token endpoint makes of each change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, decodeJwtParts, SEEDED, startTestIam, tokenRequest, type HttpResult, type TestIam } from '../support/iam.js';
import { makeClientCertificate, signAssertion } from '../token-endpoint/helpers.js';
import { adminApi, clientToken, expectScimError, LIST_RESPONSE, PATCH_OP, scimRequest, SEARCH_REQUEST } from './support.js';

const APP = 'urn:ietf:params:scim:schemas:oracle:idcs:App';
const STATUS_CHANGER = 'urn:ietf:params:scim:schemas:oracle:idcs:AppStatusChanger';
const WEB = { value: 'CustomWebAppTemplateId' };
const MOBILE = { value: 'CustomBrowserMobileTemplateId' };
const MISSING = 'error.common.validation.missingReqAttributes';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Api = ReturnType<typeof adminApi>;

const resourceServer = (displayName: string, audience: string, scopes: string[], extra: Record<string, unknown> = {}) => ({
  schemas: [APP],
  displayName,
  basedOnTemplate: WEB,
  isOAuthResource: true,
  audience,
  scopes: scopes.map((value) => ({ value, description: `${value} access` })),
  ...extra,
});

const confidentialClient = (displayName: string, fqs: string[], extra: Record<string, unknown> = {}) => ({
  schemas: [APP],
  displayName,
  basedOnTemplate: WEB,
  isOAuthClient: true,
  clientType: 'confidential',
  allowedGrants: ['client_credentials'],
  allowedScopes: fqs.map((f) => ({ fqs: f })),
  ...extra,
});

const activate = (api: Api, id: string, active = true) => api.put(`/admin/v1/AppStatusChanger/${id}`, { schemas: [STATUS_CHANGER], active });

async function created(res: HttpResult): Promise<any> {
  expect(res.status, res.text).toBe(201);
  return res.body;
}

function clientCredentials(iam: { url: string }, app: { name: string; clientSecret: string }, scope: string): Promise<HttpResult> {
  return tokenRequest(iam, { grant_type: 'client_credentials', scope }, { authorization: basic(app.name, app.clientSecret) });
}

describe('/admin/v1/Apps', () => {
  let iam: TestIam;
  let api: Api;
  beforeAll(async () => {
    iam = await startTestIam();
    api = adminApi(iam, await clientToken(iam));
  });
  afterAll(() => iam?.stop());

  describe("the blog's use case 1, set up through the REST API only", () => {
    let rs: any;
    let client: any;

    it('creates the resource server: 201, inactive, fqs = audience + value, no client secret', async () => {
      const res = await api.post('/admin/v1/Apps', resourceServer('AnwendungX Resource Server', 'anwendungX', ['ReadX']));
      rs = await created(res);
      expect(rs.schemas).toEqual([APP]);
      expect(rs.id).toMatch(/^[0-9a-f]{32}$/);
      expect(rs.name).toMatch(/^[0-9a-f]{32}$/);
      expect(rs.name).not.toBe(rs.id);
      expect(rs.ocid).toMatch(/^ocid1\.app\.oc1\.\./);
      expect(rs.active).toBe(false);
      expect(rs.isOAuthResource).toBe(true);
      expect(rs.isOAuthClient).toBe(false);
      expect(rs.audience).toBe('anwendungX');
      expect(rs.scopes).toEqual([{ value: 'ReadX', description: 'ReadX access', fqs: 'anwendungXReadX' }]);
      expect(rs).not.toHaveProperty('clientSecret');
      expect(rs.basedOnTemplate).toEqual({ value: 'CustomWebAppTemplateId', wellKnownId: 'CustomWebAppTemplateId' });
      expect(rs.grantedAppRoles).toEqual([]);
      expect(rs.meta).toEqual({
        resourceType: 'App',
        created: expect.any(String),
        lastModified: rs.meta.created,
        location: `${iam.url}/admin/v1/Apps/${rs.id}`,
        version: 'W/"1"',
      });
      expect(res.headers.get('location')).toBe(rs.meta.location);
      expect(res.headers.get('etag')).toBe('W/"1"');
      expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    });

    it('activates it through AppStatusChanger: 200 {schemas, id, active, meta}', async () => {
      const res = await activate(api, rs.id);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({
        schemas: [STATUS_CHANGER],
        id: rs.id,
        active: true,
        meta: { resourceType: 'AppStatusChanger', created: rs.meta.created, lastModified: expect.any(String), location: `${iam.url}/admin/v1/AppStatusChanger/${rs.id}`, version: 'W/"2"' },
      });
      expect((await api.get(`/admin/v1/Apps/${rs.id}`)).body.active).toBe(true);
    });

    it('creates the confidential client: 201 with a generated client_id and clientSecret, allowedScopes resolved', async () => {
      client = await created(await api.post('/admin/v1/Apps', confidentialClient('AnwendungX Client', ['anwendungXReadX'])));
      expect(client.name).toMatch(/^[0-9a-f]{32}$/);
      expect(client.clientSecret).toMatch(UUID);
      expect(client.active).toBe(false);
      expect(client.clientType).toBe('confidential');
      expect(client.allowedGrants).toEqual(['client_credentials']);
      expect(client.allowedScopes).toEqual([{ fqs: 'anwendungXReadX', idOfDefiningApp: rs.id, readOnly: false }]);
    });

    it('refuses the inactive client at the token endpoint (401 invalid_client)', async () => {
      const res = await clientCredentials(iam, client, 'anwendungXReadX');
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
      expect(res.headers.get('x-harness-reason')).toContain('deactivated');
    });

    it('after activation, the returned client_id/clientSecret get a token for anwendungX', async () => {
      expect((await activate(api, client.id)).status).toBe(200);
      const res = await clientCredentials(iam, client, 'anwendungXReadX');
      expect(res.status, res.text).toBe(200);
      const { claims } = decodeJwtParts(res.body.access_token);
      expect(claims.aud).toBe('anwendungX');
      expect(claims.scope).toBe('ReadX');
      expect(claims.sub_type).toBe('client');
      expect(claims.sub).toBe(client.name);
      expect(claims.client_id).toBe(client.name);
      expect(claims.client_name).toBe('AnwendungX Client');
      expect(claims.client_guid).toBe(client.id);
      expect(claims.resource_app_id).toBe(rs.id);
    });

    it('GET returns the clientSecret (returned: default) and the current state', async () => {
      const res = await api.get(`/admin/v1/Apps/${client.id}`);
      expect(res.status).toBe(200);
      expect(res.body.clientSecret).toBe(client.clientSecret);
      expect(res.body.active).toBe(true);
      expect(res.headers.get('etag')).toBe('W/"2"');
    });

    it('PATCH add of a scope to the resource server, then replace of allowedScopes: the next token shows it', async () => {
      const added = await api.patch(`/admin/v1/Apps/${rs.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'scopes', value: [{ value: 'WriteX', requiresConsent: false }] }] });
      expect(added.status, added.text).toBe(200);
      expect(added.body.scopes).toEqual([
        { value: 'ReadX', description: 'ReadX access', fqs: 'anwendungXReadX' },
        { value: 'WriteX', requiresConsent: false, fqs: 'anwendungXWriteX' },
      ]);
      // Not yet allowed to the client.
      const before = await clientCredentials(iam, client, 'anwendungXWriteX');
      expect(before.status).toBe(400);
      expect(before.body.error).toBe('invalid_scope');

      const replaced = await api.patch(`/admin/v1/Apps/${client.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'allowedScopes', value: [{ fqs: 'anwendungXWriteX' }] }],
      });
      expect(replaced.status, replaced.text).toBe(200);
      expect(replaced.body.allowedScopes).toEqual([{ fqs: 'anwendungXWriteX', idOfDefiningApp: rs.id, readOnly: false }]);
      expect(replaced.body.clientSecret).toBe(client.clientSecret);
      expect(replaced.body.name).toBe(client.name);

      const write = await clientCredentials(iam, client, 'anwendungXWriteX');
      expect(write.status, write.text).toBe(200);
      expect(decodeJwtParts(write.body.access_token).claims.scope).toBe('WriteX');
      const read = await clientCredentials(iam, client, 'anwendungXReadX');
      expect(read.status).toBe(400);
      expect(read.body.error).toBe('invalid_scope');
    });

    it('refuses to remove a scope another client holds (409), and allows it once the client dropped it', async () => {
      const removeWrite = { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'scopes[value eq "WriteX"]' }] };
      const refused = await api.patch(`/admin/v1/Apps/${rs.id}`, removeWrite);
      expectScimError(refused, 409, { messageId: 'error.common.exception.resourceInUse' });
      expect(refused.body.detail).toContain('"AnwendungX Client"');
      expect(refused.body.detail).toContain('"anwendungXWriteX"');
      expectScimError(await api.delete(`/admin/v1/Apps/${rs.id}`), 409, { messageId: 'error.common.exception.resourceInUse' });

      const dropped = await api.patch(`/admin/v1/Apps/${client.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'allowedScopes', value: [{ fqs: 'anwendungXReadX' }] }] });
      expect(dropped.status, dropped.text).toBe(200);
      const removed = await api.patch(`/admin/v1/Apps/${rs.id}`, removeWrite);
      expect(removed.status, removed.text).toBe(200);
      expect(removed.body.scopes.map((s: any) => s.fqs)).toEqual(['anwendungXReadX']);
    });

    it('deactivating the resource server makes its scopes invalid_scope; reactivating restores them', async () => {
      expect((await activate(api, rs.id, false)).body.active).toBe(false);
      const res = await clientCredentials(iam, client, 'anwendungXReadX');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_scope', error_description: 'Invalid scope.' });
      expect(res.headers.get('x-harness-reason')).toContain('not active');
      expect((await activate(api, rs.id, true)).body.active).toBe(true);
      expect((await clientCredentials(iam, client, 'anwendungXReadX')).status).toBe(200);
    });

    it('deactivating the client makes the token endpoint answer 401 invalid_client', async () => {
      const res = await activate(api, client.id, false);
      expect(res.status).toBe(200);
      expect(res.body.active).toBe(false);
      const token = await clientCredentials(iam, client, 'anwendungXReadX');
      expect(token.status).toBe(401);
      expect(token.body.error).toBe('invalid_client');
      await activate(api, client.id, true);
    });

    it('the use case 1 client is no administrator: 403 on /admin/v1/Apps', async () => {
      const token = (await clientCredentials(iam, client, 'anwendungXReadX')).body.access_token;
      const res = await scimRequest(iam, 'GET', '/admin/v1/Apps', { token });
      expectScimError(res, 403, { messageId: 'error.common.exception.forbidden' });
      expect(res.headers.get('x-harness-reason')).toContain('urn:opc:idm:t.app');
    });

    it('deleting the client: 204, then 404, and the token endpoint no longer knows it', async () => {
      const res = await api.delete(`/admin/v1/Apps/${client.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectScimError(await api.get(`/admin/v1/Apps/${client.id}`), 404, { messageId: 'error.common.exception.resourceNotFound' });
      const token = await clientCredentials(iam, client, 'anwendungXReadX');
      expect(token.status).toBe(401);
      expect(token.body.error).toBe('invalid_client');
      // Now nobody lists its scopes: the resource server can go too.
      expect((await api.delete(`/admin/v1/Apps/${rs.id}`)).status).toBe(204);
    });
  });

  describe('create: validation', () => {
    const base = () => confidentialClient(`Validation ${Math.random().toString(36).slice(2)}`, []);
    const cases: Array<[string, (b: Record<string, unknown>) => void, number, string, RegExp]> = [
      ['no schemas', (b) => delete b.schemas, 400, MISSING, /schemas must contain "urn:ietf:params:scim:schemas:oracle:idcs:App"/],
      ['no displayName', (b) => delete b.displayName, 400, MISSING, /^Missing required attribute\(s\): displayName$/],
      ['no basedOnTemplate', (b) => delete b.basedOnTemplate, 400, MISSING, /^Missing required attribute\(s\): basedOnTemplate\.value$/],
      ['basedOnTemplate without value', (b) => (b.basedOnTemplate = {}), 400, MISSING, /basedOnTemplate\.value/],
      ['an unknown template', (b) => (b.basedOnTemplate = { value: 'CustomSAMLAppTemplateId' }), 400, 'error.common.validation.invalidRequest', /"CustomSAMLAppTemplateId" is not a template/],
      ['an OAuth client without clientType', (b) => delete b.clientType, 400, MISSING, /clientType/],
      ['an unknown clientType', (b) => (b.clientType = 'secret'), 400, 'error.common.validation.invalidRequest', /^clientType: "secret" is not one of confidential, public, trusted$/],
      ['a public client on the web template', (b) => (b.clientType = 'public'), 400, 'error.common.validation.invalidRequest', /clientType "public" does not go with basedOnTemplate "CustomWebAppTemplateId"/],
      ['a confidential client on the mobile template', (b) => (b.basedOnTemplate = MOBILE), 400, 'error.common.validation.invalidRequest', /clientType "confidential" does not go with basedOnTemplate "CustomBrowserMobileTemplateId"/],
      ['a public client with client_credentials', (b) => Object.assign(b, { basedOnTemplate: MOBILE, clientType: 'public' }), 400, 'error.common.validation.invalidRequest', /public client cannot use client_credentials/],
      ['an unknown grant', (b) => (b.allowedGrants = ['client_credentials', 'magic']), 400, 'error.common.validation.invalidRequest', /^allowedGrants\[1\]: "magic" is not one of/],
      ['an unknown allowed operation', (b) => (b.allowedOperations = ['fly']), 400, 'error.common.validation.invalidRequest', /^allowedOperations\[0\]: "fly"/],
      ['an allowedScope that is no FQS', (b) => (b.allowedScopes = [{ fqs: 'anwendung1AnwendungReadA' }, { fqs: 'AnwendungReadA' }]), 400, 'error.common.validation.invalidRequest', /^allowedScopes\[1\]\.fqs: "AnwendungReadA" is no resource server's fully qualified scope/],
      ['an allowedScope without fqs', (b) => (b.allowedScopes = [{}]), 400, MISSING, /allowedScopes\[0\]\.fqs/],
      ['a name with a dash', (b) => (b.name = 'my-client'), 400, 'error.common.validation.invalidRequest', /^name: "my-client" may hold only letters, digits and "_"/],
      ['the name of a seeded app', (b) => (b.name = 'usecase1_client'), 409, 'error.common.validation.uniqueness', /name "usecase1_client" already exists/],
      ['the name of a seeded app in another case', (b) => (b.name = 'USECASE1_CLIENT'), 409, 'error.common.validation.uniqueness', /name "USECASE1_CLIENT" already exists/],
      ['the displayName of a seeded app', (b) => (b.displayName = 'resourceserveruse'), 409, 'error.common.validation.uniqueness', /displayName "resourceserveruse" already exists/],
      ['a redirect URI that is no URI', (b) => (b.redirectUris = ['https://ok.example/cb', 'not a uri']), 400, 'error.common.validation.invalidRequest', /^redirectUris\[1\]: "not a uri"/],
      ['a certificate that is no X.509', (b) => (b.certificates = [{ certAlias: 'c1', x509Base64Certificate: Buffer.from('hello').toString('base64') }]), 400, 'error.common.validation.invalidRequest', /^certificates\[0\]\.x509Base64Certificate \(alias "c1"\) is not an X\.509 certificate/],
      ['a certificate without its base64 (an alias alone)', (b) => (b.certificates = [{ certAlias: 'SampleOAuthClient_1' }]), 400, MISSING, /certificates\[0\]\.x509Base64Certificate/],
      ['active as a string', (b) => (b.active = 'true'), 400, 'error.common.validation.invalidRequest', /^active must be true or false/],
      ['the same attribute in two letter cases', (b) => (b.DISPLAYNAME = 'Other'), 400, 'error.common.validation.invalidSyntax', /^Attribute "displayName" is given twice/],
      ['an attribute IDCS does not define', (b) => (b.allowedScope = []), 400, 'error.common.validation.invalidAttribute', /^Attribute "allowedScope" is not defined in schema urn:ietf:params:scim:schemas:oracle:idcs:App\.$/],
      ['a resource server without audience', (b) => Object.assign(b, { isOAuthResource: true, scopes: [{ value: 'x' }] }), 400, MISSING, /audience/],
      ['a scope without value', (b) => Object.assign(b, { isOAuthResource: true, audience: 'val-aud', scopes: [{ description: 'd' }] }), 400, MISSING, /scopes\[0\]\.value/],
      ['a scope value twice', (b) => Object.assign(b, { isOAuthResource: true, audience: 'val-aud', scopes: [{ value: 'a' }, { value: 'a' }] }), 400, 'error.common.validation.invalidRequest', /value "a" is defined twice/],
      ['the audience of a seeded resource server', (b) => Object.assign(b, { isOAuthResource: true, audience: 'anwendung1', scopes: [{ value: 'Other' }] }), 409, 'error.common.validation.uniqueness', /audience "anwendung1" is already the audience of resource server "Anwendung1 Resource Server"/],
      ['an FQS another app defines', (b) => Object.assign(b, { isOAuthResource: true, audience: 'anwendung1Anwendung', scopes: [{ value: 'ReadA' }] }), 409, 'error.common.validation.uniqueness', /"anwendung1AnwendungReadA", which app "Anwendung1 Resource Server"/],
      ['an accessTokenExpiry under a minute', (b) => (b.accessTokenExpiry = 59), 400, 'error.common.validation.invalidRequest', /^accessTokenExpiry must be a whole number of seconds from 60 to 31536000 \(got 59\)$/],
    ];
    it.each(cases)('refuses %s', async (_what, change, status, messageId, detail) => {
      const body = base();
      change(body);
      const res = await api.post('/admin/v1/Apps', body);
      expectScimError(res, status, { messageId, detail });
    });

    it('nothing refused was stored', async () => {
      const res = await api.get(`/admin/v1/Apps?filter=${encodeURIComponent('displayName sw "Validation "')}`);
      expect(res.status).toBe(200);
      expect(res.body.totalResults).toBe(0);
    });

    it('keeps a given name, other IDCS attributes and extensions; ignores read-only ones (clientSecret, grantedAppRoles)', async () => {
      const res = await api.post('/admin/v1/Apps', {
        ...confidentialClient('Kept Attributes', ['anwendung1AnwendungReadA'], { name: 'kept_client_1', active: true }),
        description: 'kept',
        isLoginTarget: true,
        showInMyApps: false,
        loginMechanism: 'OIDC',
        'urn:ietf:params:scim:schemas:oracle:idcs:extension:OCITags': { freeformTags: [{ key: 'team', value: 'qa' }] },
        clientSecret: 'chosen-by-caller',
        grantedAppRoles: [{ value: 'IDCSAppId_IdentityDomainAdministrator' }],
        id: 'my-own-id',
      });
      const app = await created(res);
      expect(app.name).toBe('kept_client_1');
      expect(app.active).toBe(true);
      expect(app.description).toBe('kept');
      expect(app.isLoginTarget).toBe(true);
      expect(app.showInMyApps).toBe(false);
      expect(app.loginMechanism).toBe('OIDC');
      expect(app['urn:ietf:params:scim:schemas:oracle:idcs:extension:OCITags']).toEqual({ freeformTags: [{ key: 'team', value: 'qa' }] });
      expect(app.schemas).toEqual([APP, 'urn:ietf:params:scim:schemas:oracle:idcs:extension:OCITags']);
      expect(app.clientSecret).toMatch(UUID);
      expect(app.grantedAppRoles).toEqual([]);
      expect(app.id).not.toBe('my-own-id');
      // Active from the start: the generated secret works, the caller's does not.
      expect((await clientCredentials(iam, app, 'anwendung1AnwendungReadA')).status).toBe(200);
      expect((await clientCredentials(iam, { name: app.name, clientSecret: 'chosen-by-caller' }, 'anwendung1AnwendungReadA')).status).toBe(401);
      // GET shows the same.
      const read = await api.get(`/admin/v1/Apps/${app.id}`);
      expect(read.body).toEqual({ ...app, meta: { ...app.meta } });
    });

    it('a public client on the mobile template gets no secret and authenticates with its client_id alone', async () => {
      const app = await created(
        await api.post('/admin/v1/Apps', {
          schemas: [APP],
          displayName: 'Public SPA',
          basedOnTemplate: MOBILE,
          isOAuthClient: true,
          clientType: 'public',
          allowedGrants: ['authorization_code', 'implicit'],
          redirectUris: ['http://localhost:3000/callback'],
        }),
      );
      expect(app).not.toHaveProperty('clientSecret');
      expect(app.clientType).toBe('public');
      expect(app.redirectUris).toEqual(['http://localhost:3000/callback']);
    });

    it('attribute names are case-insensitive (RFC 7643 §2.1) and come back in IDCS case', async () => {
      const app = await created(
        await api.post('/admin/v1/Apps', { schemas: [APP], DisplayName: 'Case Insensitive', BASEDONTEMPLATE: { Value: 'CustomWebAppTemplateId' }, isoauthclient: true, clienttype: 'trusted' }),
      );
      expect(app.displayName).toBe('Case Insensitive');
      expect(app.clientType).toBe('trusted');
      expect(app.clientSecret).toMatch(UUID);
      expect(app).not.toHaveProperty('DisplayName');
    });

    it('a client with a certificate: stored as base64 DER with its x5t, and private_key_jwt works with it', async () => {
      const cert = makeClientCertificate('rest_cert');
      const pem = `-----BEGIN CERTIFICATE-----\n${cert.x509Base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
      const app = await created(
        await api.post('/admin/v1/Apps', confidentialClient('Certificate Client', ['anwendung1AnwendungReadA'], { name: 'cert_client', active: true, certificates: [{ certAlias: 'rest_cert', x509Base64Certificate: pem }] })),
      );
      expect(app.certificates).toEqual([{ certAlias: 'rest_cert', x509Base64Certificate: cert.x509Base64, x5t: expect.stringMatching(/^[A-Za-z0-9_-]{27}$/) }]);
      const assertion = await signAssertion(cert.privateKey, 'rest_cert', { iss: 'cert_client', sub: 'cert_client' });
      const res = await tokenRequest(iam, {
        grant_type: 'client_credentials',
        scope: 'anwendung1AnwendungReadA',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      });
      expect(res.status, res.text).toBe(200);
      expect(decodeJwtParts(res.body.access_token).claims.client_id).toBe('cert_client');
    });

    it('an app that is client and resource may allow its own scopes', async () => {
      const app = await created(
        await api.post(
          '/admin/v1/Apps',
          confidentialClient('Self Resource', ['selfaudSelfScope'], { active: true, isOAuthResource: true, audience: 'selfaud', scopes: [{ value: 'SelfScope' }], accessTokenExpiry: 600 }),
        ),
      );
      expect(app.allowedScopes).toEqual([{ fqs: 'selfaudSelfScope', idOfDefiningApp: app.id, readOnly: false }]);
      const res = await clientCredentials(iam, app, 'selfaudSelfScope');
      expect(res.status, res.text).toBe(200);
      expect(res.body.expires_in).toBe(600);
      expect(decodeJwtParts(res.body.access_token).claims).toMatchObject({ aud: 'selfaud', scope: 'SelfScope' });
    });
  });

  describe('replace (PUT) and PATCH', () => {
    let app: any;
    beforeAll(async () => {
      app = await created(await api.post('/admin/v1/Apps', confidentialClient('Replace Me', ['anwendung1AnwendungReadA'], { name: 'replace_me', active: true })));
    });

    it('PUT replaces: new displayName and grants, same id, name, clientSecret and status; ETag W/"2"', async () => {
      const res = await api.put(`/admin/v1/Apps/${app.id}`, {
        schemas: [APP],
        displayName: 'Replaced',
        basedOnTemplate: WEB,
        isOAuthClient: true,
        clientType: 'confidential',
        allowedGrants: ['client_credentials', 'password'],
        allowedScopes: [{ fqs: 'anwendung1AnwendungWriteA' }],
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ id: app.id, name: 'replace_me', displayName: 'Replaced', clientSecret: app.clientSecret, active: true, allowedGrants: ['client_credentials', 'password'] });
      expect(res.body.allowedScopes.map((s: any) => s.fqs)).toEqual(['anwendung1AnwendungWriteA']);
      expect(res.headers.get('etag')).toBe('W/"2"');
      expect(res.body.meta.version).toBe('W/"2"');
      const token = await clientCredentials(iam, app, 'anwendung1AnwendungWriteA');
      expect(decodeJwtParts(token.body.access_token).claims.client_name).toBe('Replaced');
    });

    it('PUT with another name: 400 mutability; with another template: 400 mutability', async () => {
      const body = { schemas: [APP], displayName: 'Replaced', basedOnTemplate: WEB, isOAuthClient: true, clientType: 'confidential' };
      expectScimError(await api.put(`/admin/v1/Apps/${app.id}`, { ...body, name: 'renamed' }), 400, {
        scimType: 'mutability',
        detail: 'name (the client_id) is immutable: it is "replace_me", not "renamed"',
      });
      expectScimError(await api.put(`/admin/v1/Apps/${app.id}`, { ...body, basedOnTemplate: MOBILE, clientType: 'public' }), 400, { scimType: 'mutability', detail: /basedOnTemplate\.value is immutable/ });
      expect((await api.get(`/admin/v1/Apps/${app.id}`)).body.meta.version).toBe('W/"2"');
    });

    it('PATCH replace of name: 400 mutability', async () => {
      const res = await api.patch(`/admin/v1/Apps/${app.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'name', value: 'other_name' }] });
      expectScimError(res, 400, { scimType: 'mutability', detail: /name \(the client_id\) is immutable/ });
    });

    it('PATCH replace of displayName and add of an IDCS attribute', async () => {
      const res = await api.patch(`/admin/v1/Apps/${app.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'replace', path: 'displayName', value: 'Patched' },
          { op: 'add', path: 'description', value: 'patched in' },
        ],
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ displayName: 'Patched', description: 'patched in', name: 'replace_me', clientSecret: app.clientSecret });
      expect(res.body.meta.version).toBe('W/"3"');
    });

    it('PATCH paths may carry the App schema URN (urn:…:idcs:App:description)', async () => {
      const res = await api.patch(`/admin/v1/Apps/${app.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: `${APP}:description`, value: 'via the URN path' }],
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body.description).toBe('via the URN path');
      expect(res.body.schemas).toEqual([APP]);
      expect(res.body).not.toHaveProperty(APP);
      // Back to the description the later tests see.
      const back = await api.patch(`/admin/v1/Apps/${app.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'description', value: 'patched in' }] });
      expect(back.body.meta.version).toBe('W/"5"');
    });

    it('If-Match with a stale version: 412 and nothing changes; with the current one: 200', async () => {
      const patch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Stale Write' }] };
      const stale = await api.patch(`/admin/v1/Apps/${app.id}`, patch, { 'if-match': 'W/"1"' });
      expectScimError(stale, 412, { messageId: 'error.common.exception.versionMismatch' });
      expect((await api.get(`/admin/v1/Apps/${app.id}`)).body.displayName).toBe('Patched');
      const putStale = await api.put(`/admin/v1/Apps/${app.id}`, { schemas: [APP], displayName: 'Stale Put', basedOnTemplate: WEB }, { 'if-match': 'W/"2"' });
      expectScimError(putStale, 412);
      expectScimError(await api.delete(`/admin/v1/Apps/${app.id}`, undefined, { 'if-match': 'W/"2"' }), 412);
      const fresh = await api.patch(`/admin/v1/Apps/${app.id}`, patch, { 'if-match': 'W/"5"' });
      expect(fresh.status, fresh.text).toBe(200);
      expect(fresh.body.displayName).toBe('Stale Write');
      expect(fresh.headers.get('etag')).toBe('W/"6"');
    });

    it('PATCH to an allowedScope that does not exist: 400 naming it, nothing stored', async () => {
      const res = await api.patch(`/admin/v1/Apps/${app.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'allowedScopes', value: [{ fqs: 'nowhereScope' }] }] });
      expectScimError(res, 400, { detail: /allowedScopes\[1\]\.fqs: "nowhereScope"/ });
      expect((await api.get(`/admin/v1/Apps/${app.id}`)).body.allowedScopes.map((s: any) => s.fqs)).toEqual(['anwendung1AnwendungWriteA']);
    });

    it('PUT of a seeded app keeps its client_id and secret (seeded names may hold "-")', async () => {
      const list = await api.get(`/admin/v1/Apps?filter=${encodeURIComponent('name eq "usecase2_client"')}`);
      const seeded = list.body.Resources[0];
      const { meta: _meta, ...body } = seeded;
      const res = await api.put(`/admin/v1/Apps/${seeded.id}`, { ...body, description: 'seeded, replaced' });
      expect(res.status, res.text).toBe(200);
      const nextVersion = `W/"${Number(/\d+/.exec(seeded.meta.version)![0]) + 1}"`;
      expect(res.body).toEqual({ ...seeded, description: 'seeded, replaced', meta: { ...seeded.meta, lastModified: expect.any(String), version: nextVersion } });
      const token = await tokenRequest(iam, { grant_type: 'password', username: SEEDED.user.userName, password: SEEDED.user.password, scope: 'urn:opc:idm:__myscopes__' }, { authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) });
      expect(token.status, token.text).toBe(200);
    });
  });

  describe('list, filter, sort, attributes', () => {
    beforeAll(async () => {
      for (const [i, n] of ['Sorted B', 'Sorted A', 'Sorted C'].entries()) {
        await created(await api.post('/admin/v1/Apps', confidentialClient(n, [], { name: `sorted_${i}` })));
      }
    });

    it('lists every app in the ListResponse envelope', async () => {
      const res = await api.get('/admin/v1/Apps?count=1000');
      expect(res.status).toBe(200);
      expect(res.body.schemas).toEqual([LIST_RESPONSE]);
      const names = res.body.Resources.map((a: any) => a.name);
      for (const n of ['harness-admin', 'anwendung1_resource_server', 'usecase1_client', 'usecase2_client', 'sorted_0', 'sorted_1', 'sorted_2']) expect(names).toContain(n);
      expect(res.body.totalResults).toBe(res.body.Resources.length);
    });

    it('filter + sortBy + sortOrder + attributes', async () => {
      const q = new URLSearchParams({ filter: 'displayName sw "sorted "', sortBy: 'displayName', sortOrder: 'descending', attributes: 'displayName,name' });
      const res = await api.get(`/admin/v1/Apps?${q}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.totalResults).toBe(3);
      expect(res.body.Resources.map((r: any) => ({ displayName: r.displayName, name: r.name }))).toEqual([
        { displayName: 'Sorted C', name: 'sorted_2' },
        { displayName: 'Sorted B', name: 'sorted_0' },
        { displayName: 'Sorted A', name: 'sorted_1' },
      ]);
      expect(Object.keys(res.body.Resources[0]).sort()).toEqual(['displayName', 'id', 'name', 'schemas']);
    });

    it('filters on complex and multi-valued attributes', async () => {
      const byScope = await api.get(`/admin/v1/Apps?filter=${encodeURIComponent('allowedScopes.fqs eq "anwendung1AnwendungWriteA" and name eq "usecase1_client"')}`);
      expect(byScope.body.Resources.map((r: any) => r.name)).toEqual(['usecase1_client']);
      const resources = await api.get(`/admin/v1/Apps?filter=${encodeURIComponent('isOAuthResource eq true and audience eq "anwendung1"')}&attributes=audience,scopes.fqs`);
      expect(resources.body.Resources).toEqual([
        { schemas: [APP], id: expect.any(String), audience: 'anwendung1', scopes: [{ fqs: 'anwendung1AnwendungReadA' }, { fqs: 'anwendung1AnwendungWriteA' }] },
      ]);
      // allowedScopes.fqs is caseExact.
      const wrongCase = await api.get(`/admin/v1/Apps?filter=${encodeURIComponent('allowedScopes.fqs eq "ANWENDUNG1ANWENDUNGREADA"')}`);
      expect(wrongCase.body.totalResults).toBe(0);
      const admins = await api.get(`/admin/v1/Apps?filter=${encodeURIComponent('grantedAppRoles.display eq "Identity Domain Administrator"')}&attributes=name`);
      expect(admins.body.Resources.map((r: any) => r.name)).toEqual(['harness-admin']);
    });

    it('POST /.search and excludedAttributes', async () => {
      const res = await api.post('/admin/v1/Apps/.search', { schemas: [SEARCH_REQUEST], filter: 'name eq "sorted_1"', excludedAttributes: ['clientSecret'] });
      expect(res.status, res.text).toBe(200);
      expect(res.body.totalResults).toBe(1);
      expect(res.body.Resources[0].displayName).toBe('Sorted A');
      expect(res.body.Resources[0]).not.toHaveProperty('clientSecret');
    });
  });

  describe('authorization', () => {
    it('401 without a token', async () => {
      const res = await scimRequest(iam, 'GET', '/admin/v1/Apps');
      expectScimError(res, 401, { messageId: 'error.common.exception.unauthorizedAccess', detail: 'Operation failed due to unauthorized access.' });
      expectScimError(await scimRequest(iam, 'POST', '/admin/v1/Apps', { body: confidentialClient('No Token', []) }), 401);
      expectScimError(await scimRequest(iam, 'PUT', '/admin/v1/AppStatusChanger/whatever', { body: { schemas: [STATUS_CHANGER], active: true } }), 401);
    });

    it("403 with the seeded use case 1 client's token, for reads, writes and the status changer", async () => {
      const token = await clientToken(iam, SEEDED.useCase1.id, SEEDED.useCase1.secret, SEEDED.useCase1.scope);
      expectScimError(await scimRequest(iam, 'GET', '/admin/v1/Apps', { token }), 403);
      expectScimError(await scimRequest(iam, 'POST', '/admin/v1/Apps', { token, body: confidentialClient('Not Admin', []) }), 403);
      const seeded = (await api.get(`/admin/v1/Apps?filter=${encodeURIComponent('name eq "usecase1_client"')}`)).body.Resources[0];
      expectScimError(await scimRequest(iam, 'PUT', `/admin/v1/AppStatusChanger/${seeded.id}`, { token, body: { schemas: [STATUS_CHANGER], active: false } }), 403);
      expect((await api.get(`/admin/v1/Apps/${seeded.id}`)).body.active).toBe(true);
    });
  });

  describe('AppStatusChanger refusals', () => {
    let id: string;
    beforeAll(async () => {
      id = (await created(await api.post('/admin/v1/Apps', confidentialClient('Status Target', [])))).id;
    });

    it('needs its schema and a boolean active; an unknown id is 404', async () => {
      expectScimError(await api.put(`/admin/v1/AppStatusChanger/${id}`, { active: true }), 400, { messageId: MISSING, detail: /AppStatusChanger/ });
      expectScimError(await api.put(`/admin/v1/AppStatusChanger/${id}`, { schemas: [STATUS_CHANGER] }), 400, { messageId: MISSING, detail: 'Missing required attribute(s): active' });
      expectScimError(await api.put(`/admin/v1/AppStatusChanger/${id}`, { schemas: [STATUS_CHANGER], active: 'yes' }), 400, { detail: /active must be true or false/ });
      expectScimError(await api.put('/admin/v1/AppStatusChanger/0123456789abcdef0123456789abcdef', { schemas: [STATUS_CHANGER], active: true }), 404, {
        detail: 'Resource 0123456789abcdef0123456789abcdef of type App not found.',
      });
      expect((await api.get(`/admin/v1/Apps/${id}`)).body.active).toBe(false);
    });
  });
});
