/**
 * Every error of the token endpoint: status, the OAuth body `{error, error_description}`
 * (reference §1.5), `WWW-Authenticate` for Basic callers, and an `x-harness-reason` header that
 * names the specific cause.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, SEEDED, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';
import { expectOAuthError, post, withApps, withUsers } from './helpers.js';

const uc1 = { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) };
const uc2 = { authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) };
const admin = { authorization: basic(SEEDED.admin.id, SEEDED.admin.secret) };
const cc = (scope: string) => ({ grant_type: 'client_credentials', scope });
const pw = (extra: Record<string, string> = {}) => ({
  grant_type: 'password',
  username: SEEDED.user.userName,
  password: SEEDED.user.password,
  scope: 'urn:opc:idm:__myscopes__',
  ...extra,
});

describe('token endpoint errors', () => {
  let iam: TestIam;
  beforeAll(async () => {
    iam = await startTestIam({
      ...withApps(
        {
          name: 'sleeping_client',
          displayName: 'Inactive Client',
          active: false,
          isOAuthClient: true,
          clientSecret: 'sleeping-secret',
          allowedGrants: ['client_credentials'],
          allowedScopes: [{ fqs: 'anwendung1AnwendungReadA' }],
        },
        {
          name: 'not_a_client',
          displayName: 'Resource Only',
          isOAuthResource: true,
          audience: 'resourceonly',
          scopes: [{ value: 'Read' }],
          clientSecret: 'resource-secret',
        },
        {
          name: 'inactive_resource',
          displayName: 'Inactive Resource',
          active: false,
          isOAuthResource: true,
          audience: 'gone',
          scopes: [{ value: 'Read' }],
        },
        {
          name: 'holder_of_gone',
          displayName: 'Holder',
          isOAuthClient: true,
          clientSecret: 'holder-secret',
          allowedGrants: ['client_credentials'],
          allowedScopes: [{ fqs: 'goneRead' }],
        },
      ),
      ...withUsers({ userName: 'retired.user', password: 'Retired-Passw0rd', active: false }, { userName: 'no.password.user' }),
    });
  });
  afterAll(() => iam?.stop());

  describe('invalid_client (401)', () => {
    it('unknown client over Basic: WWW-Authenticate Basic, reason names the client_id', async () => {
      const res = await tokenRequest(iam, cc('anwendung1AnwendungReadA'), { authorization: basic('no_such_client', 'whatever') });
      expectOAuthError(res, 401, 'invalid_client', 'no app has client_id "no_such_client"');
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic\b/);
    });

    it('bad secret over Basic: WWW-Authenticate Basic, reason says wrong secret for that client', async () => {
      const res = await tokenRequest(iam, cc('anwendung1AnwendungReadA'), { authorization: basic(SEEDED.useCase1.id, 'not-the-secret') });
      expectOAuthError(res, 401, 'invalid_client', 'wrong client secret for client "usecase1_client"');
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic\b/);
    });

    it('the bad-secret and unknown-client answers have the same body (no client enumeration)', async () => {
      const a = await tokenRequest(iam, cc('anwendung1AnwendungReadA'), { authorization: basic('no_such_client', 'x') });
      const b = await tokenRequest(iam, cc('anwendung1AnwendungReadA'), { authorization: basic(SEEDED.useCase1.id, 'x') });
      expect(a.body).toEqual(b.body);
    });

    it('unknown client with client_secret_post: no WWW-Authenticate', async () => {
      const res = await tokenRequest(iam, { ...cc('anwendung1AnwendungReadA'), client_id: 'no_such_client', client_secret: 'x' });
      expectOAuthError(res, 401, 'invalid_client', 'no_such_client');
      expect(res.headers.get('www-authenticate')).toBeNull();
    });

    it('bad secret with client_secret_post: no WWW-Authenticate', async () => {
      const res = await tokenRequest(iam, { ...cc('anwendung1AnwendungReadA'), client_id: SEEDED.useCase1.id, client_secret: 'nope' });
      expectOAuthError(res, 401, 'invalid_client', 'wrong client secret for client "usecase1_client"');
      expect(res.headers.get('www-authenticate')).toBeNull();
    });

    it('empty secret with client_secret_post', async () => {
      const res = await tokenRequest(iam, { ...cc('anwendung1AnwendungReadA'), client_id: SEEDED.useCase1.id, client_secret: '' });
      expectOAuthError(res, 401, 'invalid_client', 'wrong client secret');
    });

    it('inactive app (active: false), even with the right secret', async () => {
      const res = await tokenRequest(iam, cc('anwendung1AnwendungReadA'), { authorization: basic('sleeping_client', 'sleeping-secret') });
      const reason = expectOAuthError(res, 401, 'invalid_client', 'deactivated');
      expect(reason).toContain('sleeping_client');
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic\b/);
    });

    it('an app that is not an OAuth client', async () => {
      const res = await tokenRequest(iam, cc('anwendung1AnwendungReadA'), { authorization: basic('not_a_client', 'resource-secret') });
      expectOAuthError(res, 401, 'invalid_client', 'isOAuthClient');
    });
  });

  describe('invalid_grant (400)', () => {
    it('wrong password', async () => {
      const res = await tokenRequest(iam, pw({ password: 'wrong' }), uc2);
      expectOAuthError(res, 400, 'invalid_grant', 'wrong password for user "usecase2.user"');
      expect(res.body.error_description).toBe('Invalid username or password.');
      expect(res.headers.get('www-authenticate')).toBeNull();
    });

    it('unknown user: same body as a wrong password', async () => {
      const res = await tokenRequest(iam, pw({ username: 'ghost.user' }), uc2);
      expectOAuthError(res, 400, 'invalid_grant', 'ghost.user');
      expect(res.body.error_description).toBe('Invalid username or password.');
    });

    it('deactivated user, even with the right password', async () => {
      const res = await tokenRequest(iam, pw({ username: 'retired.user', password: 'Retired-Passw0rd' }), uc2);
      expectOAuthError(res, 400, 'invalid_grant', 'user "retired.user" is deactivated');
    });

    it('user without a password', async () => {
      const res = await tokenRequest(iam, pw({ username: 'no.password.user', password: 'anything' }), uc2);
      expectOAuthError(res, 400, 'invalid_grant', 'no password');
    });

    it('missing username or password is invalid_request naming the parameter', async () => {
      const { username: _u, ...noUser } = pw();
      expectOAuthError(await tokenRequest(iam, noUser, uc2), 400, 'invalid_request', 'username is required');
      const { password: _p, ...noPassword } = pw();
      expectOAuthError(await tokenRequest(iam, noPassword, uc2), 400, 'invalid_request', 'password is required');
    });
  });

  describe('grant type errors (400)', () => {
    it('grant not in allowedGrants: unauthorized_client naming grant and client', async () => {
      const res = await tokenRequest(iam, pw({ scope: 'anwendung1AnwendungReadA' }), uc1);
      const reason = expectOAuthError(res, 400, 'unauthorized_client', 'password grant');
      expect(reason).toContain('allowedGrants: client_credentials');
    });

    it('client_credentials for the password-only client: unauthorized_client', async () => {
      const res = await tokenRequest(iam, cc('urn:opc:idm:__myscopes__'), uc2);
      expectOAuthError(res, 400, 'unauthorized_client', 'client_credentials');
    });

    it('unknown grant type: unsupported_grant_type naming it', async () => {
      const res = await tokenRequest(iam, { grant_type: 'magic_beans', scope: 'anwendung1AnwendungReadA' }, uc1);
      expectOAuthError(res, 400, 'unsupported_grant_type', 'magic_beans');
      expect(res.body.error_description).toContain('magic_beans');
    });

    it('a grant IDCS knows but the token endpoint does not serve (implicit): unsupported_grant_type', async () => {
      const res = await tokenRequest(iam, { grant_type: 'implicit', scope: 'anwendung1AnwendungReadA' }, uc1);
      expectOAuthError(res, 400, 'unsupported_grant_type', 'implicit');
    });
  });

  describe('invalid_scope (400, "Invalid scope.")', () => {
    const expectInvalidScope = (res: Awaited<ReturnType<typeof tokenRequest>>, reasonPart: string) => {
      expectOAuthError(res, 400, 'invalid_scope', reasonPart);
      expect(res.body.error_description).toBe('Invalid scope.');
    };

    it('a scope no resource server has', async () => {
      expectInvalidScope(await tokenRequest(iam, cc('anwendung1NoSuchScope'), uc1), '"anwendung1NoSuchScope"');
    });

    it('the short name instead of the fully qualified scope: the reason gives the FQS', async () => {
      const res = await tokenRequest(iam, cc('AnwendungReadA'), uc1);
      expectInvalidScope(res, 'short scope name');
      expect(res.headers.get('x-harness-reason')).toContain('"anwendung1AnwendungReadA"');
    });

    it('an FQS with a separator glued in (anwendung1/AnwendungReadA)', async () => {
      expectInvalidScope(await tokenRequest(iam, cc('anwendung1/AnwendungReadA'), uc1), 'anwendung1/AnwendungReadA');
    });

    it('a real FQS that is not in the client allowedScopes', async () => {
      expectInvalidScope(await tokenRequest(iam, cc('anwendung1AnwendungReadA'), admin), 'not among the allowedScopes of client "harness-admin"');
    });

    it('a scope of an inactive resource server', async () => {
      expectInvalidScope(await tokenRequest(iam, cc('goneRead'), { authorization: basic('holder_of_gone', 'holder-secret') }), 'not active');
    });

    it('one bad scope among good ones refuses the whole request, naming the bad one', async () => {
      expectInvalidScope(await tokenRequest(iam, cc('anwendung1AnwendungReadA bogusScope'), uc1), 'bogusScope');
    });

    it('a missing scope', async () => {
      const { scope: _s, ...form } = cc('x');
      expectInvalidScope(await tokenRequest(iam, form, uc1), 'no scope was requested');
    });

    it('an empty scope', async () => {
      expectInvalidScope(await tokenRequest(iam, cc(''), uc1), 'no scope was requested');
    });

    it('__myscopes__ for a client without app roles', async () => {
      expectInvalidScope(await tokenRequest(iam, cc('urn:opc:idm:__myscopes__'), uc1), 'urn:opc:idm:__myscopes__');
    });

    it('a role scope for a role the client does not hold', async () => {
      expectInvalidScope(await tokenRequest(iam, cc('urn:opc:idm:role.User%2520Administrator'), admin), 'User Administrator');
    });

    it('no resource in a client token request (openid or an expiry alone)', async () => {
      expectInvalidScope(await tokenRequest(iam, cc('openid'), uc1), 'names no resource');
      expectInvalidScope(await tokenRequest(iam, cc('urn:opc:resource:expiry=600'), uc1), 'names no resource');
    });
  });

  describe('invalid_request (400)', () => {
    it('missing grant_type', async () => {
      expectOAuthError(await tokenRequest(iam, { scope: 'anwendung1AnwendungReadA' }, uc1), 400, 'invalid_request', 'grant_type is required');
    });

    it('a repeated parameter, named in the reason', async () => {
      const res = await post(iam, '/oauth2/v1/token', 'grant_type=client_credentials&scope=anwendung1AnwendungReadA&scope=anwendung1AnwendungWriteA', uc1);
      expectOAuthError(res, 400, 'invalid_request', 'parameter "scope" was sent more than once');
    });

    it('a repeated grant_type, even with the same value', async () => {
      const res = await post(iam, '/oauth2/v1/token', 'grant_type=client_credentials&grant_type=client_credentials&scope=anwendung1AnwendungReadA', uc1);
      expectOAuthError(res, 400, 'invalid_request', '"grant_type"');
    });

    it('a JSON body instead of a form', async () => {
      const res = await post(iam, '/oauth2/v1/token', JSON.stringify(cc('anwendung1AnwendungReadA')), { ...uc1, 'content-type': 'application/json' });
      expectOAuthError(res, 400, 'invalid_request', 'application/json');
    });

    it('no content type at all', async () => {
      const res = await fetch(`${iam.url}/oauth2/v1/token`, { method: 'POST', headers: uc1, body: new Blob([new URLSearchParams(cc('anwendung1AnwendungReadA')).toString()]) });
      const body = await res.json();
      expectOAuthError({ status: res.status, body, headers: res.headers }, 400, 'invalid_request', 'Content-Type');
    });

    it('HTTP Basic and client_secret at once', async () => {
      const res = await tokenRequest(iam, { ...cc('anwendung1AnwendungReadA'), client_id: SEEDED.useCase1.id, client_secret: SEEDED.useCase1.secret }, uc1);
      expectOAuthError(res, 400, 'invalid_request', 'more than one client authentication method');
      expect(res.headers.get('x-harness-reason')).toContain('HTTP Basic, client_secret');
    });
  });

  describe('shape of every error', () => {
    it('has exactly {error, error_description}, a JSON content type and no-store', async () => {
      const res = await tokenRequest(iam, cc('AnwendungReadA'), uc1);
      expect(Object.keys(res.body).sort()).toEqual(['error', 'error_description']);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('pragma')).toBe('no-cache');
      expect(res.headers.get('opc-request-id')).toBeTruthy();
    });
  });
});
