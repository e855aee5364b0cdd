import { describe, expect, it } from 'vitest';
import { OAuthError } from '../../common/errors.js';
import { findAppRole, SCOPE_SECURITY_CLIENT, SCOPE_USER_ME } from '../../mock-iam/app-roles.js';
import { MY_SCOPES, resolveScopes, splitScope } from '../../mock-iam/oauth/scopes.js';
import type { User } from '../../mock-iam/store.js';
import { DOMAIN_URL, LBAAS_AUDIENCE, SECURE_DOMAIN_URL, unitWorld } from './fixtures.js';

const world = unitWorld();
const { ctx } = world;
const ADMIN_AUDIENCES = [SECURE_DOMAIN_URL, DOMAIN_URL, LBAAS_AUDIENCE];
const IDA = findAppRole('Identity Domain Administrator')!;
const UA = findAppRole('User Administrator')!;
const ME = findAppRole('Me')!;

const UA_SCOPES = [
  'urn:opc:idm:t.groups.members',
  'urn:opc:idm:t.security.client',
  'urn:opc:idm:t.user.resetpassword',
  'urn:opc:idm:t.user.manager',
  'urn:opc:idm:t.user.security',
  'urn:opc:idm:t.groups',
  'urn:opc:idm:t.users',
];

function resolve(clientName: string, requested: string[], userName?: string) {
  return resolveScopes(ctx, world.app(clientName), userName ? world.user(userName) : undefined, requested);
}

/** Expects an invalid_scope OAuthError and returns its reason. */
function invalidScope(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError);
    const e = err as OAuthError;
    expect(e.error).toBe('invalid_scope');
    expect(e.description).toBe('Invalid scope.');
    expect(e.status).toBe(400);
    expect(e.body()).toEqual({ error: 'invalid_scope', error_description: 'Invalid scope.' });
    return e.reason;
  }
  throw new Error('expected an invalid_scope error, got none');
}

describe('splitScope', () => {
  it('splits on spaces, drops empties and repeats, keeps order', () => {
    expect(splitScope('b a  b openid ')).toEqual(['b', 'a', 'openid']);
    expect(splitScope('urn:opc:idm:__myscopes__')).toEqual([MY_SCOPES]);
  });
  it('gives [] for nothing', () => {
    expect(splitScope('')).toEqual([]);
    expect(splitScope('   ')).toEqual([]);
    expect(splitScope(null)).toEqual([]);
    expect(splitScope(undefined)).toEqual([]);
  });
});

describe('resolveScopes: fully qualified scopes', () => {
  it('grants an FQS as its short name with the resource audience', () => {
    const grant = resolve('usecase1_client', ['anwendung1AnwendungReadA']);
    expect(grant).toEqual({
      scopes: ['AnwendungReadA'],
      audiences: ['anwendung1'],
      resourceApps: [world.app('anwendung1_resource_server')],
      grantedFqs: ['anwendung1AnwendungReadA'],
      rolesUsed: [],
      expiresIn: 3600,
      idToken: false,
      offline: false,
      requested: ['anwendung1AnwendungReadA'],
    });
  });

  it('grants two FQS of one resource: one audience, one resource app', () => {
    const grant = resolve('usecase1_client', ['anwendung1AnwendungWriteA', 'anwendung1AnwendungReadA']);
    expect(grant.scopes).toEqual(['AnwendungWriteA', 'AnwendungReadA']);
    expect(grant.audiences).toEqual(['anwendung1']);
    expect(grant.resourceApps.map((a) => a.name)).toEqual(['anwendung1_resource_server']);
    expect(grant.grantedFqs).toEqual(['anwendung1AnwendungWriteA', 'anwendung1AnwendungReadA']);
  });

  it('grants FQS of two resources: two audiences in request order', () => {
    const a = resolve('multi_client', ['anwendung1AnwendungReadA', 'https://api.example.com/orders']);
    expect(a.scopes).toEqual(['AnwendungReadA', 'orders']);
    expect(a.audiences).toEqual(['anwendung1', 'https://api.example.com/']);
    expect(a.resourceApps.map((x) => x.name)).toEqual(['anwendung1_resource_server', 'orders_rs']);
    const b = resolve('multi_client', ['https://api.example.com/orders', 'anwendung1AnwendungReadA']);
    expect(b.audiences).toEqual(['https://api.example.com/', 'anwendung1']);
  });

  it('adds a resource secondaryAudiences after its audience', () => {
    const grant = resolve('multi_client', ['primaryUse', 'anwendung1AnwendungReadA']);
    expect(grant.scopes).toEqual(['Use', 'AnwendungReadA']);
    expect(grant.audiences).toEqual(['primary', 'second-a', 'second-b', 'anwendung1']);
  });

  it('hints at the FQS when a short name is requested', () => {
    expect(invalidScope(() => resolve('usecase1_client', ['AnwendungReadA']))).toBe(
      '"AnwendungReadA" is a short scope name; request the fully qualified scope "anwendung1AnwendungReadA" (audience "anwendung1" + "AnwendungReadA")',
    );
  });

  it('rejects a scope that is nothing known', () => {
    expect(invalidScope(() => resolve('usecase1_client', ['anwendung1/AnwendungReadA']))).toBe(
      '"anwendung1/AnwendungReadA" is no resource server\'s audience + scope value',
    );
  });

  it('rejects an FQS of an inactive resource server', () => {
    expect(invalidScope(() => resolve('multi_client', ['oldthing']))).toBe('"oldthing": its resource server "Old RS" is not active');
  });

  it("rejects an FQS not in the client's allowedScopes", () => {
    expect(invalidScope(() => resolve('multi_client', ['anwendung1AnwendungWriteA']))).toBe(
      '"anwendung1AnwendungWriteA" is not among the allowedScopes of client "multi_client"',
    );
  });

  it('rejects an empty request', () => {
    expect(invalidScope(() => resolve('usecase1_client', []))).toBe(
      'no scope was requested; IDCS needs an explicit scope (a resource FQS such as anwendung1AnwendungReadA, or urn:opc:idm:__myscopes__)',
    );
  });
});

describe('resolveScopes: admin scopes', () => {
  it('__myscopes__ for harness-admin gives the Identity Domain Administrator scopes and three audiences', () => {
    const grant = resolve('harness-admin', [MY_SCOPES]);
    expect(grant.scopes).toEqual(IDA.scopes);
    expect(grant.scopes).toHaveLength(15);
    expect(grant.scopes).toContain(SCOPE_SECURITY_CLIENT);
    expect(grant.scopes).toContain('urn:opc:idm:t.users');
    expect(grant.audiences).toEqual(ADMIN_AUDIENCES);
    expect(grant.audiences).toEqual([
      'https://idcs-0a1b2c3d4e5f60718293a4b5c6d7e8f9.eu-frankfurt-idcs-1.secure.identity.oraclecloud.com',
      'https://idcs-0a1b2c3d4e5f60718293a4b5c6d7e8f9.identity.oraclecloud.com',
      'urn:opc:lbaas:logicalguid=idcs-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    ]);
    expect(grant.rolesUsed.map((r) => r.displayName)).toEqual(['Identity Domain Administrator']);
    expect(grant.resourceApps).toEqual([]);
    expect(grant.grantedFqs).toEqual([]);
    expect(grant.expiresIn).toBe(3600);
  });

  it('__myscopes__ for a client with no roles is invalid_scope', () => {
    expect(invalidScope(() => resolve('usecase1_client', [MY_SCOPES]))).toBe(
      'urn:opc:idm:__myscopes__: client "usecase1_client" holds no IDCS app role (grant one, e.g. Identity Domain Administrator)',
    );
  });

  it('__myscopes__ with an FQS gives both scope kinds, resource audience first when asked first', () => {
    const grant = resolve('role_client', ['anwendung1AnwendungReadA', MY_SCOPES]);
    expect(grant.audiences).toEqual(['anwendung1', ...ADMIN_AUDIENCES]);
    expect(grant.scopes[0]).toBe('AnwendungReadA');
    expect(grant.rolesUsed.map((r) => r.displayName)).toEqual(['User Administrator', 'Me', 'Application Administrator']);
  });

  it('a user token gets only the roles the client and the user share, plus the implicit Me', () => {
    const admin = resolve('role_client', [MY_SCOPES], 'admin.user');
    expect(admin.rolesUsed).toEqual([UA, ME]);
    expect(admin.scopes).toEqual([...UA_SCOPES, SCOPE_USER_ME]);
    expect(admin.audiences).toEqual(ADMIN_AUDIENCES);
    // The user holds no role: only Me, which every user holds.
    const plain = resolve('role_client', [MY_SCOPES], 'usecase2.user');
    expect(plain.rolesUsed).toEqual([ME]);
    expect(plain.scopes).toEqual([SCOPE_USER_ME]);
    // Without a user the client's own roles apply (Application Administrator included).
    const client = resolve('role_client', [MY_SCOPES]);
    expect(client.scopes).toEqual([...UA_SCOPES, SCOPE_USER_ME, 'urn:opc:idm:t.app', 'urn:opc:idm:t.grants']);
  });

  it('a user token for a client whose roles the user lacks is invalid_scope', () => {
    expect(invalidScope(() => resolve('harness-admin', [MY_SCOPES], 'usecase2.user'))).toBe(
      'urn:opc:idm:__myscopes__: neither client "harness-admin" and user "usecase2.user" share an IDCS app role',
    );
  });

  it('urn:opc:idm:role.User%2520Administrator (double-encoded) grants that one role', () => {
    const grant = resolve('role_client', ['urn:opc:idm:role.User%2520Administrator']);
    expect(grant.rolesUsed).toEqual([UA]);
    expect(grant.scopes).toEqual(UA_SCOPES);
    expect(grant.audiences).toEqual(ADMIN_AUDIENCES);
  });

  it('a role scope encoded once, or in another case, resolves the same', () => {
    expect(resolve('role_client', ['urn:opc:idm:role.User%20Administrator']).rolesUsed).toEqual([UA]);
    expect(resolve('role_client', ['urn:opc:idm:role.user%2520administrator']).rolesUsed).toEqual([UA]);
    expect(resolve('role_client', ['urn:opc:idm:role.Me']).scopes).toEqual([SCOPE_USER_ME]);
  });

  it('an unknown role is invalid_scope naming the decoded role', () => {
    expect(invalidScope(() => resolve('role_client', ['urn:opc:idm:role.Super%2520User']))).toBe(
      'urn:opc:idm:role.Super%2520User: there is no IDCS app role "Super User"',
    );
  });

  it('a role the client (and user) does not hold is invalid_scope', () => {
    expect(invalidScope(() => resolve('harness-admin', ['urn:opc:idm:role.User%2520Administrator']))).toBe(
      'urn:opc:idm:role.User%2520Administrator: the role "User Administrator" is not granted to client "harness-admin"',
    );
    expect(invalidScope(() => resolve('role_client', ['urn:opc:idm:role.Application%2520Administrator'], 'admin.user'))).toBe(
      'urn:opc:idm:role.Application%2520Administrator: the role "Application Administrator" is not granted to client "role_client" and user "admin.user"',
    );
  });
});

describe('resolveScopes: lifetime, offline_access, openid', () => {
  it('urn:opc:resource:expiry=600 caps expiresIn and is not a scope of the token', () => {
    const grant = resolve('usecase1_client', ['anwendung1AnwendungReadA', 'urn:opc:resource:expiry=600']);
    expect(grant.expiresIn).toBe(600);
    expect(grant.scopes).toEqual(['AnwendungReadA']);
    expect(grant.requested).toEqual(['anwendung1AnwendungReadA', 'urn:opc:resource:expiry=600']);
  });

  it('an expiry above the default only caps, never lengthens', () => {
    expect(resolve('usecase1_client', ['anwendung1AnwendungReadA', 'urn:opc:resource:expiry=7200']).expiresIn).toBe(3600);
  });

  it('the lowest of two expiry scopes wins', () => {
    expect(resolve('usecase1_client', ['urn:opc:resource:expiry=900', 'anwendung1AnwendungReadA', 'urn:opc:resource:expiry=300']).expiresIn).toBe(300);
  });

  it('a bad expiry is invalid_scope', () => {
    expect(invalidScope(() => resolve('usecase1_client', ['anwendung1AnwendungReadA', 'urn:opc:resource:expiry=abc']))).toBe(
      'urn:opc:resource:expiry=abc: the expiry must be a whole number of seconds',
    );
    expect(invalidScope(() => resolve('usecase1_client', ['anwendung1AnwendungReadA', 'urn:opc:resource:expiry=0']))).toBe(
      'urn:opc:resource:expiry=0: the expiry must be a whole number of seconds',
    );
  });

  it("a resource server's accessTokenExpiry sets the lifetime, an expiry scope still caps it", () => {
    expect(resolve('multi_client', ['https://api.example.com/orders']).expiresIn).toBe(900);
    expect(resolve('multi_client', ['anwendung1AnwendungReadA', 'https://api.example.com/orders']).expiresIn).toBe(900);
    expect(resolve('multi_client', ['https://api.example.com/orders', 'urn:opc:resource:expiry=1200']).expiresIn).toBe(900);
    expect(resolve('multi_client', ['https://api.example.com/orders', 'urn:opc:resource:expiry=120']).expiresIn).toBe(120);
  });

  it("the context's accessTokenExpiry is the default lifetime", () => {
    const short = unitWorld({}, 1800);
    const grant = resolveScopes(short.ctx, short.app('harness-admin'), undefined, [MY_SCOPES]);
    expect(grant.expiresIn).toBe(1800);
  });

  it('offline_access needs the refresh_token grant', () => {
    expect(invalidScope(() => resolve('usecase1_client', ['anwendung1AnwendungReadA', 'offline_access']))).toBe(
      'offline_access: client "usecase1_client" is not allowed the refresh_token grant',
    );
    const grant = resolve('usecase2_client', [MY_SCOPES, 'offline_access'], 'usecase2.user');
    expect(grant.offline).toBe(true);
    expect(grant.idToken).toBe(false);
    expect(grant.scopes).toEqual([SCOPE_USER_ME, 'offline_access']);
  });

  it('openid sets idToken and is listed in the scopes', () => {
    const grant = resolve('usecase2_client', ['openid', 'profile', MY_SCOPES], 'usecase2.user');
    expect(grant.idToken).toBe(true);
    expect(grant.offline).toBe(false);
    expect(grant.scopes).toEqual(['openid', 'profile', SCOPE_USER_ME]);
    expect(grant.audiences).toEqual(ADMIN_AUDIENCES);
  });

  it('OIDC scopes alone on a user token give the domain URL as audience', () => {
    const grant = resolve('usecase2_client', ['openid', 'email'], 'usecase2.user');
    expect(grant.audiences).toEqual([DOMAIN_URL]);
    expect(grant.scopes).toEqual(['openid', 'email']);
    expect(grant.idToken).toBe(true);
    expect(grant.rolesUsed).toEqual([]);
  });

  it('OIDC scopes alone on a client token name no resource', () => {
    expect(invalidScope(() => resolve('usecase2_client', ['openid', 'email']))).toBe(
      'the request names no resource: add a resource server scope or urn:opc:idm:__myscopes__ to "openid email"',
    );
    expect(invalidScope(() => resolve('usecase2_client', ['urn:opc:resource:expiry=600']))).toBe(
      'the request names no resource: add a resource server scope or urn:opc:idm:__myscopes__ to "urn:opc:resource:expiry=600"',
    );
  });

  it('an FQS on a user token grants the resource scope and uses no role', () => {
    const user: User = world.user('admin.user');
    const grant = resolveScopes(ctx, world.app('role_client'), user, ['anwendung1AnwendungReadA']);
    expect(grant.scopes).toEqual(['AnwendungReadA']);
    expect(grant.rolesUsed).toEqual([]);
  });
});
