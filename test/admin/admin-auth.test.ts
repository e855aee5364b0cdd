/**
 * Who may call `/admin/v1/*` (reference §4.1 status codes, §5.3 roles per endpoint): bearer
 * access tokens of this domain with admin scopes, refused with a SCIM 401 when absent or not
 * ours and a SCIM 403 when the scopes fall short; and OCI-signed requests verified against the
 * API keys of the stack config, made by oci-common's signer and by the real IdentityDomainsClient.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as common from 'oci-common';
import * as identitydomains from 'oci-identitydomains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { ociApiKeyMap, parseStackConfig } from '../../common/config.js';
import { startIam, type RunningIam } from '../../mock-iam/server.js';
import { basic, decodeJwtParts, defaultConfigObject, readResult, SEEDED, startTestIam, type HttpResult, type TestIam } from '../support/iam.js';
import { clientToken, expectScimError, passwordGrant, scimRequest, USER_SCHEMA, userBody, userNames } from './support.js';
import { makeApiKey, type TestApiKey } from '../support/oci-api-key.js';

const UNAUTHORIZED = { messageId: 'error.common.exception.unauthorizedAccess', detail: 'Operation failed due to unauthorized access.' };
const FORBIDDEN = { messageId: 'error.common.exception.forbidden' };

function seededAppsPlus(...extra: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return [...(defaultConfigObject().iam.apps as Array<Record<string, unknown>>), ...extra];
}

const roleClient = (name: string, role: string) => ({
  name,
  displayName: `${role} client`,
  isOAuthClient: true,
  clientSecret: `${name}-secret`,
  allowedGrants: ['client_credentials'],
  grantedAppRoles: [role],
});

/** Base64url of a JSON value. */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('bearer tokens', () => {
  let keyDir: string;
  let iam: TestIam;
  /** Same signing key file, other issuer: its tokens verify but are not this domain's. */
  let otherIssuer: TestIam;
  /** Its own keys and the same issuer. */
  let otherKeys: TestIam;
  let adminToken: string;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'admin-auth-keys-'));
    const keyFile = join(keyDir, 'signing-keys.json');
    iam = await startTestIam({
      signingKeys: { file: keyFile },
      apps: seededAppsPlus(
        roleClient('user_admin_client', 'User Administrator'),
        roleClient('app_admin_client', 'Application Administrator'),
        roleClient('auth_client', 'Authenticated Client'),
      ),
    });
    otherIssuer = await startTestIam({ signingKeys: { file: keyFile }, issuer: 'https://other-issuer.example.com/' });
    otherKeys = await startTestIam();
    adminToken = await clientToken(iam);
  });
  afterAll(async () => {
    await Promise.all([iam?.stop(), otherIssuer?.stop(), otherKeys?.stop()]);
    rmSync(keyDir, { recursive: true, force: true });
  });

  const users = (token: string | undefined, init: { method?: string; body?: unknown; path?: string } = {}) =>
    scimRequest(iam, init.method ?? 'GET', init.path ?? '/admin/v1/Users', { token, body: init.body });

  it('the admin token is accepted (the baseline of the refusals below)', async () => {
    const res = await users(adminToken);
    expect(res.status, res.text).toBe(200);
    expect(res.body.totalResults).toBe(1);
  });

  it('no Authorization header → 401 error.common.exception.unauthorizedAccess', async () => {
    expectScimError(await users(undefined), 401, UNAUTHORIZED);
    expectScimError(await users(undefined, { method: 'POST', body: userBody('anon.user') }), 401, UNAUTHORIZED);
    expectScimError(await scimRequest(iam, 'DELETE', '/admin/v1/Users/0123456789abcdef0123456789abcdef'), 401, UNAUTHORIZED);
  });

  it('401 comes before 404 and before body validation', async () => {
    expectScimError(await users(undefined, { path: '/admin/v1/Users/0123456789abcdef0123456789abcdef' }), 401, UNAUTHORIZED);
    expectScimError(await scimRequest(iam, 'POST', '/admin/v1/Users', { body: 'not json' }), 401, UNAUTHORIZED);
  });

  it('other schemes or a malformed token → 401', async () => {
    const asHeader = (authorization: string) => scimRequest(iam, 'GET', '/admin/v1/Users', { headers: { authorization } });
    expectScimError(await asHeader(basic(SEEDED.admin.id, SEEDED.admin.secret)), 401, UNAUTHORIZED);
    expectScimError(await asHeader('Bearer'), 401, UNAUTHORIZED);
    expectScimError(await asHeader('Bearer not.a.jwt'), 401, UNAUTHORIZED);
    expectScimError(await asHeader(`Bearer ${adminToken}x`), 401, UNAUTHORIZED);
  });

  it('an expired token → 401', async () => {
    const token = await clientToken(iam);
    const { claims } = decodeJwtParts(token);
    expect(claims.exp - claims.iat).toBe(3600);
    iam.clock.advance(3_599_000);
    try {
      expect((await users(token)).status).toBe(200);
      iam.clock.advance(2_000);
      const res = await users(token);
      expectScimError(res, 401, UNAUTHORIZED);
      expect(res.headers.get('x-harness-reason')).toMatch(/expired/);
    } finally {
      iam.clock.reset();
    }
  });

  it('a token of another issuer, signed with the same key → 401', async () => {
    const token = await clientToken(otherIssuer);
    expect(decodeJwtParts(token).claims.iss).toBe('https://other-issuer.example.com/');
    expect(decodeJwtParts(token).header.kid).toBe(decodeJwtParts(adminToken).header.kid);
    // It is valid where it was issued …
    expect((await scimRequest(otherIssuer, 'GET', '/admin/v1/Users', { token })).status).toBe(200);
    // … and refused here.
    const res = await users(token);
    expectScimError(res, 401, UNAUTHORIZED);
    expect(res.headers.get('x-harness-reason')).toMatch(/iss/);
  });

  it('a token signed by another domain\'s key (same kid, same issuer) → 401', async () => {
    const token = await clientToken(otherKeys);
    expect(decodeJwtParts(token).header.kid).toBe(decodeJwtParts(adminToken).header.kid);
    expect(decodeJwtParts(token).claims.iss).toBe(decodeJwtParts(adminToken).claims.iss);
    expectScimError(await users(token), 401, UNAUTHORIZED);
  });

  it('a tampered token → 401: changed payload, changed signature, alg none', async () => {
    const [h, p, s] = adminToken.split('.') as [string, string, string];
    const claims = decodeJwtParts(adminToken).claims;
    const header = decodeJwtParts(adminToken).header;
    const longer = `${h}.${b64({ ...claims, exp: claims.exp + 86_400 })}.${s}`;
    expectScimError(await users(longer), 401, UNAUTHORIZED);
    const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    expectScimError(await users(flipped), 401, UNAUTHORIZED);
    const none = `${b64({ ...header, alg: 'none' })}.${p}.`;
    expectScimError(await users(none), 401, UNAUTHORIZED);
    // A use-case-1 token whose scope claim is rewritten to the admin scopes does not pass either.
    const uc1 = await clientToken(iam, SEEDED.useCase1.id, SEEDED.useCase1.secret, SEEDED.useCase1.scope);
    const [uh, up, us] = uc1.split('.') as [string, string, string];
    const uc1Claims = JSON.parse(Buffer.from(up, 'base64url').toString());
    expectScimError(await users(`${uh}.${b64({ ...uc1Claims, scope: claims.scope })}.${us}`), 401, UNAUTHORIZED);
  });

  it('a revoked token → 401', async () => {
    const token = await clientToken(iam);
    expect((await users(token)).status).toBe(200);
    const revoke = await fetch(`${iam.url}/oauth2/v1/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(SEEDED.admin.id, SEEDED.admin.secret) },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(revoke.status).toBe(200);
    expectScimError(await users(token), 401, UNAUTHORIZED);
  });

  it('an ID token is not an access token → 401', async () => {
    const res = await passwordGrant(iam, SEEDED.user.userName, SEEDED.user.password, 'openid urn:opc:idm:__myscopes__');
    expect(res.status, res.text).toBe(200);
    expect(typeof res.body.id_token).toBe('string');
    expectScimError(await users(res.body.id_token), 401, UNAUTHORIZED);
  });

  it('the use case 1 client token (resource scope only) → 403', async () => {
    const token = await clientToken(iam, SEEDED.useCase1.id, SEEDED.useCase1.secret, SEEDED.useCase1.scope);
    expectScimError(await users(token), 403, FORBIDDEN);
    expectScimError(await users(token, { method: 'POST', body: userBody('uc1.made') }), 403, FORBIDDEN);
    expectScimError(await users(token, { method: 'POST', path: '/admin/v1/Users/.search', body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] } }), 403, FORBIDDEN);
  });

  it('the use case 2 user\'s token (Me role only) → 403 on Users and on UserPasswordChanger', async () => {
    const res = await passwordGrant(iam, SEEDED.user.userName, SEEDED.user.password);
    expect(res.status, res.text).toBe(200);
    const token = res.body.access_token as string;
    expect(decodeJwtParts(token).claims.scope).toBe('urn:opc:idm:t.user.me');
    expectScimError(await users(token), 403, FORBIDDEN);
    const seeded = await users(adminToken, { path: `/admin/v1/Users?filter=${encodeURIComponent('userName eq "usecase2.user"')}` });
    const id = seeded.body.Resources[0].id as string;
    expectScimError(
      await scimRequest(iam, 'PUT', `/admin/v1/UserPasswordChanger/${id}`, {
        token,
        body: { schemas: ['urn:ietf:params:scim:schemas:oracle:idcs:UserPasswordChanger'], password: 'Hijacked-Passw0rd' },
      }),
      403,
      FORBIDDEN,
    );
    expect((await passwordGrant(iam, SEEDED.user.userName, SEEDED.user.password)).status).toBe(200);
  });

  it('Authenticated Client and Application Administrator tokens cannot manage Users (403)', async () => {
    for (const name of ['auth_client', 'app_admin_client']) {
      const token = await clientToken(iam, name, `${name}-secret`);
      expectScimError(await users(token, { method: 'POST', body: userBody(`${name}.made`) }), 403, FORBIDDEN);
    }
  });

  it('a User Administrator client manages Users: create, read, list, replace, patch, password, delete', async () => {
    const token = await clientToken(iam, 'user_admin_client', 'user_admin_client-secret');
    const created = await users(token, { method: 'POST', body: userBody('ua.made') });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    expect((await users(token, { path: `/admin/v1/Users/${id}` })).status).toBe(200);
    expect(userNames(await users(token, { path: `/admin/v1/Users?filter=${encodeURIComponent('userName sw "ua."')}` }))).toEqual(['ua.made']);
    expect((await users(token, { method: 'PUT', path: `/admin/v1/Users/${id}`, body: userBody('ua.made', { displayName: 'UA' }) })).status).toBe(200);
    const patched = await users(token, {
      method: 'PATCH',
      path: `/admin/v1/Users/${id}`,
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'UA2' }] },
    });
    expect(patched.status, patched.text).toBe(200);
    const pw = await scimRequest(iam, 'PUT', `/admin/v1/UserPasswordChanger/${id}`, {
      token,
      body: { schemas: ['urn:ietf:params:scim:schemas:oracle:idcs:UserPasswordChanger'], password: 'UA-Passw0rd' },
    });
    expect(pw.status, pw.text).toBe(200);
    expect((await users(token, { method: 'DELETE', path: `/admin/v1/Users/${id}` })).status).toBe(204);
  });

  it('a User Administrator client cannot manage Apps (403)', async () => {
    const token = await clientToken(iam, 'user_admin_client', 'user_admin_client-secret');
    expectScimError(await scimRequest(iam, 'GET', '/admin/v1/Apps', { token }), 403, FORBIDDEN);
    expectScimError(
      await scimRequest(iam, 'POST', '/admin/v1/Apps', {
        token,
        body: { schemas: ['urn:ietf:params:scim:schemas:oracle:idcs:App'], displayName: 'Made by a user admin', isOAuthClient: true, clientType: 'confidential', basedOnTemplate: { value: 'CustomWebAppTemplateId' } },
      }),
      403,
      FORBIDDEN,
    );
    // The Identity Domain Administrator can.
    expect((await scimRequest(iam, 'GET', '/admin/v1/Apps', { token: adminToken })).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// OCI request signatures

const TENANCY = 'ocid1.tenancy.oc1..aaaaaaaaadminauthtenancy';
const USER = 'ocid1.user.oc1..aaaaaaaaadminauthuser';

type TestKey = TestApiKey;

const makeKey = () => makeApiKey(TENANCY, USER);

/** The SDK's provider; `fingerprint` may name another key than the one that signs. */
function provider(signing: TestKey, fingerprint = signing.fingerprint): common.SimpleAuthenticationDetailsProvider {
  return new common.SimpleAuthenticationDetailsProvider(TENANCY, USER, fingerprint, signing.privateKeyPem, null, common.Region.EU_FRANKFURT_1);
}

describe('OCI-signed requests', () => {
  const registered = makeKey();
  const unregistered = makeKey();
  let iam: RunningIam;

  beforeAll(async () => {
    const raw = defaultConfigObject();
    raw.ociApiKeys = [{ keyId: registered.keyId, publicKey: registered.publicKeyPem }];
    const config = parseStackConfig(raw, 'admin-auth test');
    // The SDK dates its requests with the real clock; the IAM's clock is the real one too.
    iam = await startIam(config.iam, { host: '127.0.0.1', clock: new ControllableClock(), ociApiKeys: ociApiKeyMap(config) });
  });
  afterAll(() => iam?.stop());

  /**
   * Signs a request with oci-common's DefaultRequestSigner (as the SDK's FetchHttpClient does) and
   * sends it with fetch; `sentBody` replaces the signed body on the wire.
   */
  async function signed(method: common.Method, path: string, options: { body?: string; signer?: common.SimpleAuthenticationDetailsProvider; sentBody?: string } = {}): Promise<HttpResult> {
    const uri = `${iam.url}${path}`;
    const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json' });
    await new common.DefaultRequestSigner(options.signer ?? provider(registered)).signHttpRequest({ method, uri, headers, body: options.body });
    return readResult(await fetch(uri, { method, headers, ...(options.body !== undefined ? { body: options.sentBody ?? options.body } : {}) }));
  }

  it('a valid signature by a configured key → 200 (GET) and 201 (POST with a body)', async () => {
    const list = await signed('GET', `/admin/v1/Users?filter=${encodeURIComponent('userName eq "usecase2.user"')}&attributes=userName`);
    expect(list.status, list.text).toBe(200);
    expect(userNames(list)).toEqual(['usecase2.user']);
    const created = await signed('POST', '/admin/v1/Users', { body: JSON.stringify(userBody('oci.signed.user')) });
    expect(created.status, created.text).toBe(201);
    expect(created.body.userName).toBe('oci.signed.user');
  });

  it('a key that is not configured → 401', async () => {
    const res = await signed('GET', '/admin/v1/Users', { signer: provider(unregistered) });
    expectScimError(res, 401, UNAUTHORIZED);
    expect(res.headers.get('x-harness-reason')).toMatch(/unknown keyId/);
  });

  it('the configured keyId, signed by another key → 401', async () => {
    const res = await signed('GET', '/admin/v1/Users', { signer: provider(unregistered, registered.fingerprint) });
    expectScimError(res, 401, UNAUTHORIZED);
    expect(res.headers.get('x-harness-reason')).toMatch(/does not verify/);
  });

  it('a body changed after signing (same length) → 401, and nothing is created', async () => {
    const body = JSON.stringify(userBody('oci.tamper.aaaa'));
    const res = await signed('POST', '/admin/v1/Users', { body, sentBody: body.replaceAll('oci.tamper.aaaa', 'oci.tamper.bbbb') });
    expectScimError(res, 401, UNAUTHORIZED);
    expect(res.headers.get('x-harness-reason')).toMatch(/x-content-sha256/);
    const check = await signed('GET', `/admin/v1/Users?filter=${encodeURIComponent('userName sw "oci.tamper"')}`);
    expect(check.body.totalResults).toBe(0);
  });

  it('a signed path changed on the wire → 401', async () => {
    const uri = `${iam.url}/admin/v1/Users?count=1`;
    const headers = new Headers({ 'content-type': 'application/json' });
    await new common.DefaultRequestSigner(provider(registered)).signHttpRequest({ method: 'GET', uri, headers });
    const res = await readResult(await fetch(`${iam.url}/admin/v1/Users?count=2`, { headers }));
    expectScimError(res, 401, UNAUTHORIZED);
    expect(res.headers.get('x-harness-reason')).toMatch(/does not verify/);
  });

  it('the real IdentityDomainsClient: createUser, getUser, listUsers with a filter', async () => {
    const client = new identitydomains.IdentityDomainsClient({ authenticationDetailsProvider: provider(registered) });
    client.endpoint = iam.url;
    try {
      const created = await client.createUser({
        user: {
          schemas: [USER_SCHEMA],
          userName: 'sdk.user',
          name: { givenName: 'Sdk', familyName: 'User' },
          emails: [{ value: 'sdk.user@example.org', type: identitydomains.models.UserEmails.Type.Work, primary: true }],
          password: 'Sdk-Passw0rd',
        },
      });
      expect(created.user.id).toMatch(/^[0-9a-f]{32}$/);
      expect(created.user.userName).toBe('sdk.user');
      expect(created.etag).toBe('W/"1"');
      expect(JSON.stringify(created.user)).not.toContain('Sdk-Passw0rd');

      const read = await client.getUser({ userId: created.user.id! });
      expect(read.user.userName).toBe('sdk.user');
      expect(read.user.name?.familyName).toBe('User');
      expect(read.user.meta?.resourceType).toBe('User');

      const listed = await client.listUsers({ filter: 'userName eq "SDK.USER" and active eq true', attributes: 'userName,emails', count: 10 });
      expect(listed.users.totalResults).toBe(1);
      expect(listed.users.resources.map((u) => u.userName)).toEqual(['sdk.user']);
      expect(listed.users.resources[0]!.id).toBe(created.user.id);
    } finally {
      client.close();
    }
    // The user made through the SDK signs in.
    expect((await passwordGrant(iam, 'sdk.user', 'Sdk-Passw0rd')).status).toBe(200);
  });

  it('the SDK end to end for use case 2: patchSchema, createUser with the attribute, a custom claim through the SDK signer, a token with it', async () => {
    const CUSTOM = 'urn:ietf:params:scim:schemas:idcs:extension:custom:User';
    const client = new identitydomains.IdentityDomainsClient({ authenticationDetailsProvider: provider(registered) });
    client.endpoint = iam.url;
    try {
      const schema = await client.patchSchema({
        schemaId: CUSTOM,
        patchOp: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          operations: [{ op: identitydomains.models.Operations.Op.Add, path: 'attributes', value: [{ name: 'SdkPermission', type: 'string', multiValued: false }] }],
        },
      });
      expect(schema.schema.attributes?.map((a) => a.name)).toContain('SdkPermission');
      const user = await client.createUser({
        user: {
          schemas: [USER_SCHEMA, CUSTOM],
          userName: 'sdk.claim.user',
          emails: [{ value: 'sdk.claim.user@example.org', type: identitydomains.models.UserEmails.Type.Work, primary: true }],
          password: 'Sdk-Claim-Passw0rd',
          [CUSTOM]: { SdkPermission: 'Api1Access' },
        } as identitydomains.models.User,
      });
      expect((user.user as unknown as Record<string, Record<string, string>>)[CUSTOM]).toEqual({ SdkPermission: 'Api1Access' });
    } finally {
      client.close();
    }
    // The SDK has no CustomClaims operations (as Oracle's other SDKs); its own signed HTTP client sends the call.
    const http = new common.FetchHttpClient(new common.DefaultRequestSigner(provider(registered)));
    const body = JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:oracle:idcs:CustomClaim'],
      name: 'sdkPermission',
      value: `$user.${CUSTOM}.SdkPermission`,
      expression: true,
      mode: 'always',
      tokenType: 'AT',
      allScopes: true,
    });
    const created = await http.send({ method: 'POST', uri: `${iam.url}/admin/v1/CustomClaims`, headers: new Headers({ 'content-type': 'application/json' }), body });
    expect(created.status).toBe(201);
    const claim = (await created.json()) as { id: string; name: string };
    const read = await http.send({ method: 'GET', uri: `${iam.url}/admin/v1/CustomClaims/${claim.id}`, headers: new Headers() });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { name: string; mode: string }).name).toBe('sdkPermission');
    const token = await passwordGrant(iam, 'sdk.claim.user', 'Sdk-Claim-Passw0rd');
    expect(token.status, token.text).toBe(200);
    expect(decodeJwtParts(token.body.access_token).claims.sdkPermission).toBe('Api1Access');
  });
});
