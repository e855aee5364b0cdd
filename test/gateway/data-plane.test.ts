/**
 * The gateway's own answers (reference §4) and the request policies through the running stack:
 * specs pushed to the control plane, requests to the data plane, decisions read back.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../stack/stack.js';
import { basic, http, SEEDED, tokenRequest } from '../support/iam.js';
import { startTestStack } from '../support/stack.js';

const FUNCTION_ID = 'ocid1.fnfunc.oc1.phx.aaaaaaaaexamplefunction';
const AUTHORIZER_ID = 'ocid1.fnfunc.oc1.phx.aaaaaaaaexampleauthorizer';
const BROKEN_AUTHORIZER_ID = 'ocid1.fnfunc.oc1.phx.aaaaaaaabrokenauthorizer';

describe('the data plane', () => {
  let stack: RunningStack;
  let fn: Server;
  let authorizer: Server;
  let gw: string;
  let control: string;
  let token: string;

  const deploy = async (pathPrefix: string, specification: unknown) => {
    const res = await http(`${control}/20190501/deployments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pathPrefix, specification }) });
    expect(res.status, res.text).toBe(200);
  };
  const jwtAuth = () => ({
    type: 'JWT_AUTHENTICATION',
    tokenHeader: 'Authorization',
    tokenAuthScheme: 'Bearer',
    issuers: ['https://identity.oraclecloud.com/'],
    audiences: ['anwendung1'],
    publicKeys: { type: 'REMOTE_JWKS', uri: `${stack.iam.url}/admin/v1/SigningCert/jwk` },
  });
  const lastDecision = async () => (await http(`${control}/_harness/decisions?limit=1`)).body.decisions[0];

  beforeAll(async () => {
    // A local stand-in for an OCI function: answers in Fn's HTTP-gateway protocol.
    fn = createServer((req, res) => {
      res.setHeader('fn-http-status', '201');
      res.setHeader('fn-http-h-x-from-function', req.headers['fn-http-method'] as string);
      res.end(JSON.stringify({ url: req.headers['fn-http-request-url'] }));
    });
    await new Promise<void>((r) => fn.listen(0, '127.0.0.1', r));
    // A local authorizer function: the token "let-me-in" is active with a scope and a context.
    authorizer = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/broken') {
          res.statusCode = 500;
          res.end('boom');
          return;
        }
        const input = JSON.parse(body) as { type: string; token: string };
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify(
            input.token === 'let-me-in'
              ? { active: true, principal: 'ada', scope: ['orders.read'], context: { tenant: 'acme' } }
              : { active: false, wwwAuthenticate: 'Bearer realm="orders"' },
          ),
        );
      });
    });
    await new Promise<void>((r) => authorizer.listen(0, '127.0.0.1', r));
    const authorizerUrl = `http://127.0.0.1:${(authorizer.address() as AddressInfo).port}`;
    stack = await startTestStack({
      gateway: {
        functions: {
          [FUNCTION_ID]: `http://127.0.0.1:${(fn.address() as AddressInfo).port}/invoke`,
          [AUTHORIZER_ID]: `${authorizerUrl}/authorize`,
          [BROKEN_AUTHORIZER_ID]: `${authorizerUrl}/broken`,
        },
      },
    });
    gw = stack.gateway.dataPlane.url;
    control = stack.gateway.controlPlane.url;
    const res = await tokenRequest({ url: stack.iam.url }, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
    token = res.body.access_token;
    const echo = stack.backend.url;
    await deploy('/limited', { requestPolicies: { rateLimiting: { rateInRequestsPerSecond: 2, rateKey: 'TOTAL' } }, routes: [{ path: '/r', backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body: 'ok' } }] });
    await deploy('/stock', { routes: [{ path: '/teapot', methods: ['GET'], backend: { type: 'STOCK_RESPONSE_BACKEND', status: 418, body: '{"short":"stout"}', headers: [{ name: 'Content-Type', value: 'application/json' }] } }] });
    await deploy('/cors', {
      requestPolicies: { cors: { allowedOrigins: ['https://app.example.com'], allowedMethods: ['GET'], allowedHeaders: ['Authorization'], maxAgeInSeconds: 600 } },
      routes: [{ path: '/x', methods: ['GET'], backend: { type: 'HTTP_BACKEND', url: `${echo}/cors` } }],
    });
    await deploy('/xf', {
      requestPolicies: { authentication: jwtAuth() },
      routes: [
        {
          path: '/items/{id}',
          methods: ['GET'],
          backend: { type: 'HTTP_BACKEND', url: `${echo}/items/\${request.path[id]}` },
          requestPolicies: {
            headerTransformations: { setHeaders: { items: [{ name: 'X-Client', values: ['${request.auth[client_id]}'] }] }, filterHeaders: { type: 'BLOCK', items: [{ name: 'X-Secret' }] } },
            queryParameterTransformations: { setQueryParameters: { items: [{ name: 'tenant', values: ['${request.auth[tenant]}'] }] } },
            headerValidations: { headers: [{ name: 'X-Required', required: true }] },
          },
          responsePolicies: { headerTransformations: { setHeaders: { items: [{ name: 'X-Gateway', values: ['emulated'] }] } } },
        },
      ],
    });
    await deploy('/fn', { routes: [{ path: '/call', methods: ['POST'], backend: { type: 'ORACLE_FUNCTIONS_BACKEND', functionId: FUNCTION_ID } }] });
    await deploy('/modified', {
      requestPolicies: {
        authentication: {
          type: 'TOKEN_AUTHENTICATION',
          tokenHeader: 'Authorization',
          tokenAuthScheme: 'Bearer',
          validationPolicy: { type: 'REMOTE_JWKS', uri: `${stack.iam.url}/admin/v1/SigningCert/jwk`, additionalValidationPolicy: { issuers: ['https://identity.oraclecloud.com/'], audiences: ['anwendung1'] } },
          validationFailurePolicy: { type: 'MODIFY_RESPONSE', responseCode: '403', responseMessage: 'No entry for ${request.headers[x-caller]}', responseHeaderTransformations: { setHeaders: { items: [{ name: 'X-Refused-By', values: ['gateway'] }] } } },
        },
      },
      routes: [{ path: '/x', methods: ['GET'], backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body: 'in' } }],
    });
    await deploy('/custom', {
      requestPolicies: { authentication: { type: 'CUSTOM_AUTHENTICATION', functionId: AUTHORIZER_ID, tokenHeader: 'Authorization' } },
      routes: [
        { path: '/orders', methods: ['GET'], backend: { type: 'HTTP_BACKEND', url: `${echo}/orders` }, requestPolicies: { authorization: { type: 'ANY_OF', allowedScope: ['orders.read'] }, headerTransformations: { setHeaders: { items: [{ name: 'X-Tenant', values: ['${request.auth[tenant]}'] }] } } } },
        { path: '/admin', methods: ['GET'], backend: { type: 'HTTP_BACKEND', url: `${echo}/admin` }, requestPolicies: { authorization: { type: 'ANY_OF', allowedScope: ['orders.admin'] } } },
      ],
    });
    await deploy('/brokenauth', {
      requestPolicies: { authentication: { type: 'CUSTOM_AUTHENTICATION', functionId: BROKEN_AUTHORIZER_ID, tokenHeader: 'Authorization' } },
      routes: [{ path: '/x', backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200 } }],
    });
    await deploy('/down', { routes: [{ path: '/x', backend: { type: 'HTTP_BACKEND', url: 'http://127.0.0.1:9/nothing', connectTimeoutInSeconds: 2 } }] });
  });
  afterAll(async () => {
    await stack.stop();
    await new Promise((r) => fn.close(r));
    await new Promise((r) => authorizer.close(r));
  });

  it('rate limiting: beyond the burst, 429 {"code":429,"message":"Too Many Requests"} with Retry-After', async () => {
    stack.clock.set(Date.parse('2030-01-01T00:00:00Z'), true);
    try {
      expect((await http(`${gw}/limited/r`)).status).toBe(200);
      expect((await http(`${gw}/limited/r`)).status).toBe(200);
      const refused = await http(`${gw}/limited/r`);
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ code: 429, message: 'Too Many Requests' });
      expect(refused.headers.get('retry-after')).toBe('1');
      expect((await lastDecision()).reason.message).toBe('rateLimiting.requestDenied');
      stack.clock.advance(1000);
      expect((await http(`${gw}/limited/r`)).status).toBe(200);
    } finally {
      stack.clock.reset();
    }
  });

  it('a stock response answers as configured', async () => {
    const res = await http(`${gw}/stock/teapot`);
    expect(res.status).toBe(418);
    expect(res.body).toEqual({ short: 'stout' });
    expect(res.headers.get('opc-request-id')).toBeTruthy();
  });

  it('CORS: a preflight is answered by the gateway; an actual request gets the origin back', async () => {
    const preflight = await http(`${gw}/cors/x`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    const actual = await http(`${gw}/cors/x`, { headers: { origin: 'https://app.example.com' } });
    expect(actual.status).toBe(200);
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const foreign = await http(`${gw}/cors/x`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('transformations with context variables from the token and the path; validation 400 when a required header is missing', async () => {
    const missing = await http(`${gw}/xf/items/42?x=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ code: 400, message: 'Bad Request' });
    const res = await http(`${gw}/xf/items/42?x=1`, { headers: { authorization: `Bearer ${token}`, 'x-required': 'yes', 'x-secret': 'hide me' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.path).toBe('/items/42');
    expect(res.body.query).toEqual({ x: '1', tenant: 'idcs-0a1b2c3d4e5f60718293a4b5c6d7e8f9' });
    expect(res.body.headers['x-client']).toBe('usecase1_client');
    expect(res.body.headers).not.toHaveProperty('x-secret');
    expect(res.body.headers['x-real-ip']).toBe('127.0.0.1');
    expect(res.headers.get('x-gateway')).toBe('emulated');
  });

  it('a functions backend is called in Fn’s protocol and its status and headers come back', async () => {
    const res = await http(`${gw}/fn/call?a=b`, { method: 'POST', body: 'payload' });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('x-from-function')).toBe('POST');
    expect(res.body).toEqual({ url: '/fn/call?a=b' });
  });

  it('validationFailurePolicy MODIFY_RESPONSE replaces the 401 with its code, message and headers (TOKEN_AUTHENTICATION)', async () => {
    const refused = await http(`${gw}/modified/x`, { headers: { 'x-caller': 'mallory' } });
    expect(refused.status).toBe(403);
    expect(refused.text).toBe('No entry for mallory');
    expect(refused.headers.get('x-refused-by')).toBe('gateway');
    const admitted = await http(`${gw}/modified/x`, { headers: { authorization: `Bearer ${token}` } });
    expect(admitted.status).toBe(200);
    expect(admitted.text).toBe('in');
  });

  it('custom authorizer: active with a scope and context; inactive → 401 with its WWW-Authenticate; ANY_OF on its scope → 404', async () => {
    const ok = await http(`${gw}/custom/orders`, { headers: { authorization: 'let-me-in' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.headers['x-tenant']).toBe('acme');
    const inactive = await http(`${gw}/custom/orders`, { headers: { authorization: 'who-knows' } });
    expect(inactive.status).toBe(401);
    expect(inactive.headers.get('www-authenticate')).toBe('Bearer realm="orders"');
    const scope = await http(`${gw}/custom/admin`, { headers: { authorization: 'let-me-in' } });
    expect(scope.status).toBe(404);
  });

  it('an authorizer that fails answers 502', async () => {
    const res = await http(`${gw}/brokenauth/x`, { headers: { authorization: 'anything' } });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ code: 502, message: 'Bad Gateway' });
  });

  it('a path that matches but a method the route does not take: 404', async () => {
    const res = await http(`${gw}/stock/teapot`, { method: 'DELETE' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 404, message: 'Not Found' });
    expect((await lastDecision()).reason.message).toMatch(/GET/);
  });

  it('a backend that refuses connections: 502 {"code":502,"message":"Bad Gateway"}', async () => {
    const res = await http(`${gw}/down/x`);
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ code: 502, message: 'Bad Gateway' });
    expect((await lastDecision()).reason.message).toMatch(/ECONNREFUSED/);
  });

  it('oversized input: a header block over 8 KB is 431; a body over 20 MB is 413', async () => {
    const big = await http(`${gw}/stock/teapot`, { headers: { 'x-big': 'a'.repeat(9000) } });
    expect(big.status).toBe(431);
    const body = await http(`${gw}/fn/call`, { method: 'POST', body: Buffer.alloc(21 * 1024 * 1024) });
    expect(body.status).toBe(413);
    expect((await http(`${gw}/stock/teapot`)).status).toBe(418);
  });
});
