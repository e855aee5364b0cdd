import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accessTokenClaims, atHash, idTokenClaims, SESSION_MINUTES, type GrantShortName } from '../../mock-iam/oauth/claims.js';
import { MY_SCOPES, resolveScopes } from '../../mock-iam/oauth/scopes.js';
import { DOMAIN_URL, LBAAS_AUDIENCE, SECURE_DOMAIN_URL, TENANT, unitWorld } from './fixtures.js';

const DEFAULT_CLAIM = {
  name: 'APIGWMichael4',
  value: '$user.urn:ietf:params:scim:schemas:idcs:extension:custom:User.MichaelFischerTest1',
  expression: true,
  mode: 'always',
  tokenType: 'AT',
  allScopes: true,
};

const world = unitWorld({
  customClaims: [
    DEFAULT_CLAIM,
    // Custom claims named like standard ones must not replace them.
    { name: 'sub', value: 'hijacked', allScopes: true, tokenType: 'BOTH' },
    { name: 'tenant', value: 'hijacked', allScopes: true },
    { name: 'aud', value: 'hijacked', allScopes: true, tokenType: 'BOTH' },
    { name: 'env', value: 'test', allScopes: true, tokenType: 'BOTH' },
    { name: 'email', value: '$user.emails.0.value', expression: true, tokenType: 'IT', allScopes: true },
    { name: 'readers', value: 'yes', scopes: ['anwendung1AnwendungReadA'] },
    { name: 'off', value: 'no', mode: 'never', allScopes: true, tokenType: 'BOTH' },
  ],
});
const ctx = { ...world.ctx, issuer: 'https://identity.oraclecloud.com/' };
const IAT = 1_700_000_000;
const JTI = expect.stringMatching(/^[0-9a-f]{32}$/);

const TENANT_CLAIMS = {
  client_tenantname: TENANT,
  tenant: TENANT,
  'user.tenant.name': TENANT,
  tenant_iss: `${DOMAIN_URL}:443`,
  domain: 'Default',
  domain_home: 'eu-frankfurt-1',
  region_name: 'eu-frankfurt-idcs-1',
};

function subject(clientName: string, requested: string[], userName?: string, gtp: GrantShortName = userName ? 'ro' : 'cc', extra: { sessionId?: string; authTime?: number } = {}) {
  const client = world.app(clientName);
  const user = userName ? world.user(userName) : undefined;
  return { client, user, scope: resolveScopes(ctx, client, user, requested), gtp, ...extra };
}

describe('accessTokenClaims: client grants', () => {
  it('gives the full claim set of a client_credentials token with one resource', () => {
    const client = world.app('usecase1_client');
    const claims = accessTokenClaims(ctx, subject('usecase1_client', ['anwendung1AnwendungReadA']), IAT);
    expect(claims).toEqual({
      iss: 'https://identity.oraclecloud.com/',
      sub: 'usecase1_client',
      sub_mappingattr: 'userName',
      sub_type: 'client',
      aud: 'anwendung1',
      scope: 'AnwendungReadA',
      client_id: 'usecase1_client',
      client_name: 'ResourceServerUse',
      client_guid: client.id,
      client_ocid: client.ocid,
      ...TENANT_CLAIMS,
      tok_type: 'AT',
      gtp: 'cc',
      jti: JTI,
      iat: IAT,
      exp: IAT + 3600,
      resource_app_id: world.app('anwendung1_resource_server').id,
      env: 'test',
      readers: 'yes',
    });
    expect(client.ocid).toMatch(/^ocid1\.app\.oc1\.\.aaaaaaaa[0-9a-f]{52}$/);
  });

  it('a fresh jti each time', () => {
    const s = subject('usecase1_client', ['anwendung1AnwendungReadA']);
    expect(accessTokenClaims(ctx, s, IAT).jti).not.toBe(accessTokenClaims(ctx, s, IAT).jti);
  });

  it('__myscopes__ for harness-admin: array aud, clientAppRoles, user_isAdmin, no resource_app_id', () => {
    const claims = accessTokenClaims(ctx, subject('harness-admin', [MY_SCOPES]), IAT);
    expect(claims.aud).toEqual([SECURE_DOMAIN_URL, DOMAIN_URL, LBAAS_AUDIENCE]);
    expect(claims.clientAppRoles).toEqual(['Identity Domain Administrator']);
    expect(claims.user_isAdmin).toBe(true);
    expect(claims.sub).toBe('harness-admin');
    expect(claims.sub_type).toBe('client');
    expect(claims.scope).toContain('urn:opc:idm:t.security.client');
    expect(claims).not.toHaveProperty('resource_app_id');
    expect(claims).not.toHaveProperty('user_id');
    // Only the claims that apply to every grant: readers needs anwendung1AnwendungReadA.
    expect(claims).not.toHaveProperty('readers');
    expect(claims.env).toBe('test');
  });

  it('a client with roles that asked for no role scope gets neither clientAppRoles nor user_isAdmin', () => {
    const claims = accessTokenClaims(ctx, subject('role_client', ['anwendung1AnwendungReadA']), IAT);
    expect(claims).not.toHaveProperty('clientAppRoles');
    expect(claims).not.toHaveProperty('user_isAdmin');
    expect(claims.aud).toBe('anwendung1');
  });

  it('two resource servers: array aud, no resource_app_id, the shorter expiry', () => {
    const claims = accessTokenClaims(ctx, subject('multi_client', ['https://api.example.com/orders', 'anwendung1AnwendungReadA']), IAT);
    expect(claims.aud).toEqual(['https://api.example.com/', 'anwendung1']);
    expect(claims.scope).toBe('orders AnwendungReadA');
    expect(claims).not.toHaveProperty('resource_app_id');
    expect(claims.exp).toBe(IAT + 900);
  });

  it('one resource server with secondary audiences: array aud and resource_app_id', () => {
    const claims = accessTokenClaims(ctx, subject('multi_client', ['primaryUse']), IAT);
    expect(claims.aud).toEqual(['primary', 'second-a', 'second-b']);
    expect(claims.resource_app_id).toBe('multi_aud_rs_id');
  });
});

describe('accessTokenClaims: user grants', () => {
  it('gives user claims, roles and custom claims from the user', () => {
    const client = world.app('role_client');
    const user = world.user('admin.user');
    const claims = accessTokenClaims(ctx, subject('role_client', [MY_SCOPES, 'anwendung1AnwendungReadA'], 'admin.user', 'ro', { sessionId: 'sess-1' }), IAT);
    expect(claims).toEqual({
      iss: 'https://identity.oraclecloud.com/',
      sub: 'admin.user',
      sub_mappingattr: 'userName',
      sub_type: 'user',
      aud: [SECURE_DOMAIN_URL, DOMAIN_URL, LBAAS_AUDIENCE, 'anwendung1'],
      scope: [
        'urn:opc:idm:t.groups.members',
        'urn:opc:idm:t.security.client',
        'urn:opc:idm:t.user.resetpassword',
        'urn:opc:idm:t.user.manager',
        'urn:opc:idm:t.user.security',
        'urn:opc:idm:t.groups',
        'urn:opc:idm:t.users',
        'urn:opc:idm:t.user.me',
        'AnwendungReadA',
      ].join(' '),
      client_id: 'role_client',
      client_name: 'Role Client',
      client_guid: 'role_client_id',
      client_ocid: client.ocid,
      ...TENANT_CLAIMS,
      tok_type: 'AT',
      gtp: 'ro',
      jti: JTI,
      iat: IAT,
      exp: IAT + 3600,
      resource_app_id: world.app('anwendung1_resource_server').id,
      clientAppRoles: ['User Administrator', 'Me', 'Application Administrator'],
      user_id: 'admin_user_id',
      user_ocid: user.ocid,
      user_displayname: 'Ada Admin',
      user_tenantname: TENANT,
      user_tz: 'Europe/Berlin',
      user_lang: 'de',
      user_locale: 'de',
      sid: 'sess-1',
      sidle: SESSION_MINUTES,
      amr: ['USERNAME_PASSWORD'],
      idp_name: 'UserNamePassword',
      idp_guid: 'UserNamePassword',
      idp_type: 'LOCAL',
      userAppRoles: ['User Administrator'],
      onBehalfOfUser: true,
      user_isAdmin: true,
      APIGWMichael4: 'AdminAccess',
      env: 'test',
      readers: 'yes',
    });
    expect(SESSION_MINUTES).toBe(480);
  });

  it('a user token that used only the Me role: no user_isAdmin, defaults for tz and language', () => {
    const claims = accessTokenClaims(ctx, subject('usecase2_client', [MY_SCOPES], 'usecase2.user', 'ro', { sessionId: 's2' }), IAT);
    expect(claims.clientAppRoles).toEqual(['Me']);
    expect(claims).not.toHaveProperty('user_isAdmin');
    expect(claims).not.toHaveProperty('userAppRoles');
    expect(claims).not.toHaveProperty('resource_app_id');
    expect(claims.scope).toBe('urn:opc:idm:t.user.me');
    expect(claims).toMatchObject({
      sub: 'usecase2.user',
      sub_type: 'user',
      user_displayname: 'Michael Fischer7',
      user_tz: 'America/Chicago',
      user_lang: 'en',
      user_locale: 'en',
      onBehalfOfUser: true,
      APIGWMichael4: 'Api1Access',
    });
  });

  it('a user token of a client without onBehalfOfUser has no onBehalfOfUser claim; displayname falls back to userName', () => {
    const w = unitWorld({ users: [{ userName: 'bare.user' }] });
    const client = w.app('multi_client');
    const user = w.user('bare.user');
    const claims = accessTokenClaims(
      { ...w.ctx, issuer: 'https://identity.oraclecloud.com' },
      { client, user, scope: resolveScopes(w.ctx, client, user, ['anwendung1AnwendungReadA']), gtp: 'ro' },
      IAT,
    );
    expect(claims).not.toHaveProperty('onBehalfOfUser');
    expect(claims.user_displayname).toBe('bare.user');
    expect(claims.iss).toBe('https://identity.oraclecloud.com');
    // The attribute is not set for this user: the expression claim is left out.
    expect(claims).not.toHaveProperty('APIGWMichael4');
  });

  it('custom claims never overwrite standard claims', () => {
    const claims = accessTokenClaims(ctx, subject('usecase2_client', [MY_SCOPES], 'usecase2.user'), IAT);
    expect(claims.sub).toBe('usecase2.user');
    expect(claims.tenant).toBe(TENANT);
    expect(claims.aud).toEqual([SECURE_DOMAIN_URL, DOMAIN_URL, LBAAS_AUDIENCE]);
    expect(claims).not.toHaveProperty('off');
    expect(claims).not.toHaveProperty('email');
  });
});

describe('idTokenClaims', () => {
  it('gives the ID token claim set', () => {
    const s = subject('usecase2_client', ['openid', MY_SCOPES], 'usecase2.user', 'ro', { sessionId: 'sess-9', authTime: IAT - 100 });
    const user = world.user('usecase2.user');
    const claims = idTokenClaims(ctx, { ...s, user }, IAT, 'the.access.token', 'nonce-1');
    expect(claims).toEqual({
      iss: 'https://identity.oraclecloud.com/',
      sub: 'usecase2.user',
      sub_mappingattr: 'userName',
      aud: ['usecase2_client', 'https://identity.oraclecloud.com/'],
      azp: 'usecase2_client',
      at_hash: atHash('the.access.token'),
      auth_time: IAT - 100,
      iat: IAT,
      exp: IAT - 100 + 480 * 60,
      session_exp: IAT - 100 + 480 * 60,
      amr: ['USERNAME_PASSWORD'],
      sid: 'sess-9',
      jti: JTI,
      user_id: user.id,
      user_ocid: user.ocid,
      user_displayname: 'Michael Fischer7',
      user_tenantname: TENANT,
      user_tz: 'America/Chicago',
      user_lang: 'en',
      user_locale: 'en',
      ...TENANT_CLAIMS,
      tok_type: 'IT',
      nonce: 'nonce-1',
      email: 'usecase2.user@example.com',
      env: 'test',
    });
  });

  it('without authTime the session starts at iat; without nonce there is no nonce', () => {
    const s = subject('usecase2_client', ['openid', MY_SCOPES], 'usecase2.user');
    const claims = idTokenClaims(ctx, { ...s, user: world.user('usecase2.user') }, IAT, 'x');
    expect(claims.auth_time).toBe(IAT);
    expect(claims.exp).toBe(IAT + 28_800);
    expect(claims).not.toHaveProperty('nonce');
    expect(claims).not.toHaveProperty('APIGWMichael4');
  });
});

describe('atHash', () => {
  it('is the base64url left half of SHA-256 (known vectors)', () => {
    expect(atHash('abc')).toBe('ungWv48Bz-pBQUDeXa4iIw');
    expect(atHash('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.sig')).toBe('a8r5zXpLtd0-yh7RVVrWSw');
  });

  it('matches an independent node:crypto computation', () => {
    const token = 'eyJ4NXQjUzI1NiI6IngiLCJhbGciOiJSUzI1NiJ9.e30.c2ln';
    const hex = createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 32);
    expect(Buffer.from(atHash(token), 'base64url').toString('hex')).toBe(hex);
    expect(atHash(token)).toHaveLength(22);
    expect(atHash(token)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
