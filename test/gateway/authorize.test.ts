import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { models } from 'oci-apigateway';
import { authorizeRoute, tokenScopes } from '../../gateway-emulator/pipeline/authorize.js';
import { basic, decodeJwtParts, SEEDED, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';

const anyOf = (...allowedScope: string[]): models.AnyOfRouteAuthorizationPolicy => ({ type: 'ANY_OF', allowedScope });
const anonymous: models.RouteAuthorizationPolicy = { type: 'ANONYMOUS' };
const authenticationOnly: models.RouteAuthorizationPolicy = { type: 'AUTHENTICATION_ONLY' };
const caller = (claims: Record<string, unknown>) => ({ claims });

describe('AUTHENTICATION_ONLY (also when the route has no authorization policy)', () => {
  it.each([
    ['no policy', undefined],
    ['AUTHENTICATION_ONLY', authenticationOnly],
  ])('%s: an unauthenticated caller gets 401, whatever isAnonymousAccessAllowed says', (_name, policy) => {
    for (const anonymousAllowed of [false, true]) {
      expect(authorizeRoute(policy, undefined, anonymousAllowed)).toEqual({
        check: 'authorization',
        passed: false,
        status: 401,
        message: 'Authorization failed: the route requires an authenticated caller (AUTHENTICATION_ONLY) and the request carries no valid token',
        expected: 'an authenticated caller',
        found: 'an anonymous caller',
      });
    }
  });

  it('an authenticated caller passes, scope or not', () => {
    expect(authorizeRoute(undefined, caller({ sub: 'x' }), false)).toEqual({
      check: 'authorization',
      passed: true,
      message: 'Authorization passed: the caller is authenticated (AUTHENTICATION_ONLY)',
      expected: 'an authenticated caller',
      found: 'an authenticated caller',
    });
  });
});

describe('ANY_OF', () => {
  it('an unauthenticated caller gets 401, not 404', () => {
    const result = authorizeRoute(anyOf('AnwendungReadA'), undefined, true);
    expect([result.passed, result.status, result.message]).toEqual([
      false,
      401,
      'Authorization failed: the route requires an authenticated caller (ANY_OF) and the request carries no valid token',
    ]);
  });

  it('passes when one allowed scope is in the space-separated scope claim', () => {
    expect(authorizeRoute(anyOf('AnwendungWriteA', 'AnwendungReadA'), caller({ scope: 'openid AnwendungReadA' }), false)).toEqual({
      check: 'authorization',
      passed: true,
      message: `Authorization passed: the allowed scope AnwendungReadA is in the token's scope "openid AnwendungReadA"`,
      expected: ['AnwendungWriteA', 'AnwendungReadA'],
      found: ['openid', 'AnwendungReadA'],
    });
  });

  it('a missing scope is 404 (not 403), naming expected and found', () => {
    expect(authorizeRoute(anyOf('AnwendungWriteA'), caller({ scope: 'AnwendungReadA' }), false)).toEqual({
      check: 'authorization',
      passed: false,
      status: 404,
      message: `Authorization failed: none of the allowed scopes [AnwendungWriteA] is in the token's scope "AnwendungReadA"`,
      expected: ['AnwendungWriteA'],
      found: ['AnwendungReadA'],
    });
  });

  it('compares case-sensitively and whole scopes only', () => {
    expect(authorizeRoute(anyOf('anwendungreada'), caller({ scope: 'AnwendungReadA' }), false).status).toBe(404);
    expect(authorizeRoute(anyOf('Read'), caller({ scope: 'AnwendungReadA' }), false).status).toBe(404);
    expect(authorizeRoute(anyOf('AnwendungReadA AnwendungWriteA'), caller({ scope: 'AnwendungReadA AnwendungWriteA' }), false).status).toBe(404);
  });

  it('uses an array scope claim as it is', () => {
    const result = authorizeRoute(anyOf('b'), caller({ scope: ['a', 'b'] }), false);
    expect([result.passed, result.message, result.found]).toEqual([true, `Authorization passed: the allowed scope b is in the token's scope ["a","b"]`, ['a', 'b']]);
  });

  it('a token without a scope claim is refused like a mismatch; scp is not read', () => {
    expect(authorizeRoute(anyOf('a'), caller({ scp: 'a' }), false)).toEqual({
      check: 'authorization',
      passed: false,
      status: 404,
      message: 'Authorization failed: none of the allowed scopes [a] is in the token, which has no scope claim',
      expected: ['a'],
      found: [],
    });
  });

  it('an empty allowedScope lets nobody in', () => {
    expect(authorizeRoute(anyOf(), caller({ scope: 'a' }), false).status).toBe(404);
  });
});

describe('ANONYMOUS', () => {
  it('lets everyone in when the authentication policy allows anonymous access', () => {
    expect(authorizeRoute(anonymous, undefined, true)).toEqual({
      check: 'authorization',
      passed: true,
      message: 'Authorization passed: the route is ANONYMOUS',
      expected: 'anyone',
      found: 'an anonymous caller',
    });
    expect(authorizeRoute(anonymous, caller({ sub: 'x' }), true).message).toBe('Authorization passed: the route is ANONYMOUS (the caller is authenticated too)');
  });

  it('fails closed (401) without isAnonymousAccessAllowed', () => {
    const result = authorizeRoute(anonymous, undefined, false);
    expect([result.passed, result.status, result.message]).toEqual([
      false,
      401,
      'Authorization failed: the route requires an authenticated caller (ANONYMOUS, but isAnonymousAccessAllowed is false) and the request carries no valid token',
    ]);
    expect(authorizeRoute(anonymous, caller({}), false).passed).toBe(true);
  });
});

it('an unknown authorization type grants nothing', () => {
  const unknown = { type: 'SOMETHING_NEW' };
  expect(authorizeRoute(unknown, undefined, true).status).toBe(401);
  expect(authorizeRoute(unknown, caller({ scope: 'a' }), true)).toMatchObject({ passed: false, status: 404, message: 'Authorization failed: unknown authorization type SOMETHING_NEW' });
});

describe('tokenScopes', () => {
  it.each([
    ['a b\tc\n d', ['a', 'b', 'c', 'd']],
    ['  ', []],
    [['x', 1, 'y'], ['x', 'y']],
    [undefined, []],
    [42, []],
  ])('%j → %j', (claim, scopes) => {
    expect(tokenScopes(claim)).toEqual(scopes);
  });
});

describe("with a real token from the mock IAM (the blog's use case 1)", () => {
  let iam: TestIam;
  let claims: Record<string, unknown>;

  beforeAll(async () => {
    iam = await startTestIam();
    const res = await tokenRequest(
      iam,
      { grant_type: 'client_credentials', scope: SEEDED.useCase1.scope },
      { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) },
    );
    expect(res.status).toBe(200);
    claims = decodeJwtParts(res.body.access_token).claims;
  });
  afterAll(() => iam?.stop());

  it('the token carries the scope AnwendungReadA for audience anwendung1', () => {
    expect([claims.scope, claims.aud]).toEqual(['AnwendungReadA', 'anwendung1']);
  });

  it('ANY_OF [AnwendungReadA] passes; ANY_OF [AnwendungWriteA] is 404', () => {
    expect(authorizeRoute(anyOf('AnwendungReadA'), { claims }, false).passed).toBe(true);
    expect(authorizeRoute(anyOf('AnwendungWriteA'), { claims }, false)).toEqual({
      check: 'authorization',
      passed: false,
      status: 404,
      message: `Authorization failed: none of the allowed scopes [AnwendungWriteA] is in the token's scope "AnwendungReadA"`,
      expected: ['AnwendungWriteA'],
      found: ['AnwendungReadA'],
    });
  });
});
