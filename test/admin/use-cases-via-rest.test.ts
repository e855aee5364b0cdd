/**
 * The IAM half of the source blog's two use cases, set up through IDCS's admin REST API only,
 * from a stack that seeds nothing but the bootstrap admin client — what a set-up script written
 * for a real identity domain does — then the tokens of steps 4 (use case 1) and 6 (use case 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, decodeJwtParts, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';
import { adminApi, clientToken, CUSTOM_USER, PATCH_OP } from './support.js';

const APP = 'urn:ietf:params:scim:schemas:oracle:idcs:App';
const STATUS_CHANGER = 'urn:ietf:params:scim:schemas:oracle:idcs:AppStatusChanger';
const GRANT = 'urn:ietf:params:scim:schemas:oracle:idcs:Grant';
const CUSTOM_CLAIM = 'urn:ietf:params:scim:schemas:oracle:idcs:CustomClaim';

describe('both use cases through the admin REST API only', () => {
  let iam: TestIam;
  let api: ReturnType<typeof adminApi>;
  const ok = (res: { status: number; text: string; body: any }, status = 200) => {
    expect(res.status, res.text).toBe(status);
    return res.body;
  };

  beforeAll(async () => {
    iam = await startTestIam({
      apps: [{ name: 'harness-admin', displayName: 'Harness Admin Client', isOAuthClient: true, clientSecret: 'harness-admin-secret', allowedGrants: ['client_credentials'], grantedAppRoles: ['Identity Domain Administrator'] }],
      users: [],
      customUserSchemaAttributes: [],
      customClaims: [],
    });
    api = adminApi(iam, await clientToken(iam));
    expect(ok(await api.get('/admin/v1/Users')).totalResults).toBe(0);
  });
  afterAll(() => iam.stop());

  it('use case 1: resource server with audience and scope, a confidential client, a client_credentials token', async () => {
    // Step 1: the resource server, saved and activated.
    const resource = ok(
      await api.post('/admin/v1/Apps', {
        schemas: [APP],
        displayName: 'Anwendung1',
        basedOnTemplate: { value: 'CustomWebAppTemplateId' },
        isOAuthResource: true,
        audience: 'anwendung1',
        scopes: [{ value: 'AnwendungReadA' }, { value: 'AnwendungWriteA' }],
      }),
      201,
    );
    expect(resource.scopes.map((s: { fqs: string }) => s.fqs)).toEqual(['anwendung1AnwendungReadA', 'anwendung1AnwendungWriteA']);
    ok(await api.put(`/admin/v1/AppStatusChanger/${resource.id}`, { schemas: [STATUS_CHANGER], active: true }));
    // Step 2: the client with client credentials and the scope; its id and secret come back.
    const client = ok(
      await api.post('/admin/v1/Apps', {
        schemas: [APP],
        displayName: 'ResourceServerUse',
        basedOnTemplate: { value: 'CustomWebAppTemplateId' },
        isOAuthClient: true,
        clientType: 'confidential',
        allowedGrants: ['client_credentials'],
        allowedScopes: [{ fqs: 'anwendung1AnwendungReadA' }],
      }),
      201,
    );
    expect(client.name).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof client.clientSecret).toBe('string');
    // Not active yet: IDCS refuses the client.
    const early = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' }, { authorization: basic(client.name, client.clientSecret) });
    expect(early.status).toBe(401);
    ok(await api.put(`/admin/v1/AppStatusChanger/${client.id}`, { schemas: [STATUS_CHANGER], active: true }));
    // Step 4: the token, with the scope, issuer and audience to copy into the gateway.
    const token = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' }, { authorization: basic(client.name, client.clientSecret) });
    expect(token.status, token.text).toBe(200);
    expect(decodeJwtParts(token.body.access_token).claims).toMatchObject({
      iss: 'https://identity.oraclecloud.com/',
      tok_type: 'AT',
      aud: 'anwendung1',
      sub_type: 'client',
      scope: 'AnwendungReadA',
      client_name: 'ResourceServerUse',
      client_id: client.name,
      client_guid: client.id,
    });
  });

  it('use case 2: schema attribute, custom claim, login client, user with password, a password-grant token', async () => {
    // Step 1: the schema extension attribute.
    ok(
      await api.patch(`/admin/v1/Schemas/${CUSTOM_USER}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'attributes', value: [{ name: 'MichaelFischerTest1', type: 'string', multiValued: false }] }],
      }),
    );
    // Step 2: the custom claim that copies it into access tokens, for every scope.
    const claim = ok(
      await api.post('/admin/v1/CustomClaims', {
        schemas: [CUSTOM_CLAIM],
        name: 'APIGWMichael4',
        value: `$user.${CUSTOM_USER}.MichaelFischerTest1`,
        expression: true,
        mode: 'always',
        tokenType: 'AT',
        allScopes: true,
      }),
      201,
    );
    expect(claim.mode).toBe('always');
    // Step 3: the confidential client of the login flow, with an IAM app role and no resource scopes.
    const client = ok(
      await api.post('/admin/v1/Apps', {
        schemas: [APP],
        displayName: 'EndUserLoginClient',
        basedOnTemplate: { value: 'CustomWebAppTemplateId' },
        isOAuthClient: true,
        clientType: 'confidential',
        allowedGrants: ['password'],
        allowedOperations: ['onBehalfOfUser'],
        active: true,
      }),
      201,
    );
    const me = ok(await api.get(`/admin/v1/AppRoles?filter=${encodeURIComponent('displayName eq "Me" and app.value eq "IDCSAppId"')}`)).Resources[0];
    ok(
      await api.post('/admin/v1/Grants', {
        schemas: [GRANT],
        grantee: { type: 'App', value: client.id },
        app: { value: 'IDCSAppId' },
        entitlement: { attributeName: 'appRoles', attributeValue: me.id },
        grantMechanism: 'ADMINISTRATOR_TO_APP',
      }),
      201,
    );
    // Step 4: the test user with a password and the attribute set.
    const user = ok(
      await api.post('/admin/v1/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', CUSTOM_USER],
        userName: 'michael.fischer',
        name: { givenName: 'Michael', familyName: 'Fischer7' },
        displayName: 'Michael Fischer7',
        emails: [{ value: 'michael.fischer@example.com', type: 'work', primary: true }],
        password: 'Welcome-1234',
        [CUSTOM_USER]: { MichaelFischerTest1: 'Api1Access' },
      }),
      201,
    );
    expect(user).not.toHaveProperty('password');
    // Steps 5-6: the password flow with __myscopes__, and the claims to copy into the gateway.
    const token = await tokenRequest(
      iam,
      { grant_type: 'password', username: 'michael.fischer', password: 'Welcome-1234', scope: 'urn:opc:idm:__myscopes__' },
      { authorization: basic(client.name, client.clientSecret) },
    );
    expect(token.status, token.text).toBe(200);
    const claims = decodeJwtParts(token.body.access_token).claims;
    expect(claims).toMatchObject({
      iss: 'https://identity.oraclecloud.com/',
      sub: 'michael.fischer',
      sub_type: 'user',
      user_displayname: 'Michael Fischer7',
      APIGWMichael4: 'Api1Access',
      onBehalfOfUser: true,
      tok_type: 'AT',
      user_id: user.id,
    });
    expect(claims.aud).toHaveLength(3);
  });
});
