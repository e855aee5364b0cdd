/**
 * The source blog's two use cases end to end through the stack: tokens from the mock IAM, the
 * gateway's `/test` and `/test2` deployments, the echo backend — and the traps the blog names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../stack/stack.js';
import { basic, http, SEEDED, tokenRequest } from '../support/iam.js';
import { startTestStack } from '../support/stack.js';

const UNAUTHORIZED = { message: 'Unauthorized', code: 401 };
const NOT_FOUND = { code: 404, message: 'Not Found' };

describe('the blog use cases through the gateway', () => {
  let stack: RunningStack;
  let gw: string;
  let control: string;
  const clientToken = async (scope: string) => {
    const res = await tokenRequest({ url: stack.iam.url }, { grant_type: 'client_credentials', scope }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
    expect(res.status, res.text).toBe(200);
    return res.body.access_token as string;
  };
  const userToken = async () => {
    const res = await tokenRequest(
      { url: stack.iam.url },
      { grant_type: 'password', username: SEEDED.user.userName, password: SEEDED.user.password, scope: 'urn:opc:idm:__myscopes__' },
      { authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) },
    );
    expect(res.status, res.text).toBe(200);
    return res.body.access_token as string;
  };
  const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
    http(`${gw}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const deploy = async (pathPrefix: string, specification: unknown) => {
    const res = await http(`${control}/20190501/deployments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pathPrefix, specification, compartmentId: 'ocid1.compartment.oc1..test', gatewayId: 'ocid1.apigateway.oc1..test' }) });
    expect(res.status, res.text).toBe(200);
    return res.body;
  };
  const lastDecision = async () => (await http(`${control}/_harness/decisions?limit=1`)).body.decisions[0];

  beforeAll(async () => {
    stack = await startTestStack();
    gw = stack.gateway.dataPlane.url;
    control = stack.gateway.controlPlane.url;
  });
  afterAll(() => stack.stop());

  it('use case 1, step 5/7: the client-credentials token with scope AnwendungReadA reaches the backend', async () => {
    const res = await get('/test/1', await clientToken('anwendung1AnwendungReadA'));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ method: 'GET', path: '/anwendung1/1' });
    expect(res.headers.get('opc-request-id')).toMatch(/^[0-9A-F]{32}\/[0-9A-F]{32}\/[0-9A-F]{32}$/);
    expect(await lastDecision()).toMatchObject({ outcome: 'accepted', status: 200, pathPrefix: '/test', routePath: '/1' });
  });

  it('no token: 401 {"message":"Unauthorized","code":401} with WWW-Authenticate', async () => {
    const res = await get('/test/1');
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.headers.get('opc-request-id')).toBeTruthy();
    // The contract stays OCI's: no reason header unless explainRefusals is on.
    expect(res.headers.get('x-harness-reason')).toBeNull();
  });

  it('route ANY_OF: a token without AnwendungReadA is refused with 404, not 403, and the log says why', async () => {
    const res = await get('/test/1', await clientToken('anwendung1AnwendungWriteA'));
    expect(res.status).toBe(404);
    expect(res.body).toEqual(NOT_FOUND);
    const decision = await lastDecision();
    expect(decision.outcome).toBe('refused');
    expect(decision.reason.check).toBe('authorization');
    expect(JSON.stringify(decision.reason)).toContain('AnwendungReadA');
  });

  it('the exact-match trap: verifyClaims scope "AnwendungReadA" refuses a token whose scope is "AnwendungReadA AnwendungWriteA"', async () => {
    const spec = structuredClone(stack.gateway.store.active().find((d) => d.pathPrefix === '/test')!.specification) as any;
    spec.requestPolicies.authentication.verifyClaims = [{ key: 'scope', values: ['AnwendungReadA'], isRequired: true }];
    delete spec.routes[0].requestPolicies;
    await deploy('/trap', spec);
    expect((await get('/trap/1', await clientToken('anwendung1AnwendungReadA'))).status).toBe(200);
    const both = await get('/trap/1', await clientToken('anwendung1AnwendungReadA anwendung1AnwendungWriteA'));
    expect(both.status).toBe(401);
    expect(both.body).toEqual(UNAUTHORIZED);
    const decision = await lastDecision();
    expect(decision.reason.message).toBe("JWT token does not have the expected claim value for 'scope'.");
    expect(JSON.stringify(decision.reason)).toContain('AnwendungReadA AnwendungWriteA');
  });

  it('use case 2, step 7/9: the password-grant token with APIGWMichael4 = Api1Access passes verifyClaims on /test2', async () => {
    const res = await get('/test2/1', await userToken());
    expect(res.status, res.text).toBe(200);
    expect(res.body.path).toBe('/anwendung2/1');
  });

  it('use case 2: a user whose attribute holds another value is refused (401) with the claim named', async () => {
    const admin = await tokenRequest({ url: stack.iam.url }, { grant_type: 'client_credentials', scope: 'urn:opc:idm:__myscopes__' }, { authorization: basic(SEEDED.admin.id, SEEDED.admin.secret) });
    const users = await http(`${stack.iam.url}/admin/v1/Users?filter=${encodeURIComponent(`userName eq "${SEEDED.user.userName}"`)}`, { headers: { authorization: `Bearer ${admin.body.access_token}` } });
    const id = users.body.Resources[0].id;
    const patch = await http(`${stack.iam.url}/admin/v1/Users/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin.body.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'urn:ietf:params:scim:schemas:idcs:extension:custom:User:MichaelFischerTest1', value: 'Api2Access' }] }),
    });
    expect(patch.status, patch.text).toBe(200);
    try {
      const res = await get('/test2/1', await userToken());
      expect(res.status).toBe(401);
      const decision = await lastDecision();
      expect(decision.reason.message).toBe("JWT token does not have the expected claim value for 'APIGWMichael4'.");
    } finally {
      await http(`${stack.iam.url}/admin/v1/Users/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${admin.body.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'urn:ietf:params:scim:schemas:idcs:extension:custom:User:MichaelFischerTest1', value: 'Api1Access' }] }),
      });
    }
  });

  it('a use case 1 token on /test2 fails the audience check (401)', async () => {
    const res = await get('/test2/1', await clientToken('anwendung1AnwendungReadA'));
    expect(res.status).toBe(401);
    expect((await lastDecision()).reason.message).toBe('JWT token not issued for the configured audience.');
  });

  it('an expired token (the shared clock moved on) is 401', async () => {
    const token = await clientToken('anwendung1AnwendungReadA');
    stack.clock.advance(3601 * 1000);
    try {
      expect((await get('/test/1', token)).status).toBe(401);
      expect((await lastDecision()).reason.message).toBe("Validation failed for 'exp' claim.");
    } finally {
      stack.clock.reset();
    }
  });

  it('unknown route and unknown prefix: 404 {"code":404,"message":"Not Found"}', async () => {
    for (const path of ['/test/2', '/nothing/1', '/testing/1']) {
      const res = await get(path, await clientToken('anwendung1AnwendungReadA'));
      expect(res.status, path).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    }
  });

  it('a JWKS that cannot be fetched makes every request 500', async () => {
    const spec = structuredClone(stack.gateway.store.active().find((d) => d.pathPrefix === '/test')!.specification) as any;
    spec.requestPolicies.authentication.publicKeys.uri = 'http://127.0.0.1:9/admin/v1/SigningCert/jwk';
    await deploy('/nojwks', spec);
    const res = await get('/nojwks/1', await clientToken('anwendung1AnwendungReadA'));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: 500, message: 'Internal Server Error' });
    // Every request: a request without a token too (reference §3.1 [C]).
    expect((await get('/nojwks/1')).status).toBe(500);
  });

  it('a policy the emulator does not run (dynamicAuthentication) fails closed with 500, never open', async () => {
    const spec = structuredClone(stack.gateway.store.active().find((d) => d.pathPrefix === '/test')!.specification) as any;
    const authentication = spec.requestPolicies.authentication;
    delete spec.requestPolicies.authentication;
    delete spec.routes[0].requestPolicies;
    spec.requestPolicies.dynamicAuthentication = {
      selectionSource: { type: 'SINGLE', selector: 'request.headers[x-tenant]' },
      authenticationServers: [{ key: { type: 'ANY_OF', name: 'default', values: ['a'], isDefault: true }, authenticationServerDetail: authentication }],
    };
    await deploy('/dynauth', spec);
    const res = await get('/dynauth/1');
    expect(res.status).toBe(500);
    expect((await lastDecision()).reason.message).toMatch(/dynamicAuthentication is not emulated/);
  });

  it('explainRefusals (opt-in) puts the reason in x-harness-reason', async () => {
    const other = await startTestStack({ gateway: { explainRefusals: true } });
    try {
      const res = await http(`${other.gateway.dataPlane.url}/test/1`);
      expect(res.status).toBe(401);
      expect(res.headers.get('x-harness-reason')).toMatch(/^authentication/);
    } finally {
      await other.stop();
    }
  });
});
