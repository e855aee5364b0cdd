/**
 * Properties of the gateway's data plane with hostile requests: random paths (dot segments,
 * encoded slashes, raw bytes, very long), methods, header names and values within what node
 * sends, query strings, origins and tokens, against a deployment with `{param}` and `{param*}`
 * routes, CORS, JWT authentication, header transformations from context variables and a stock
 * response. The answer is never a 5xx (the JWKS is reachable here, so OCI's deliberate 500 does
 * not apply) and never a hang; the gateway's own refusals are in its `{code, message}` shape;
 * what it forwards arrives as received. Afterwards a valid request still passes.
 */
import { METHODS } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../stack/stack.js';
import { basic, SEEDED, tokenRequest } from '../support/iam.js';
import { startTestStack } from '../support/stack.js';
import { expectGatewayError, headerValue, rawRequest, richDeployment, show, trickyText, wellFormed, type RawResult } from './support.js';

const ORIGIN = 'https://app.example.com';
const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers that change how node frames the request on the wire: the property sends bodies itself. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'expect', 'upgrade', 'host', 'keep-alive', 'te', 'trailer']);

describe('properties: the gateway data plane', () => {
  let stack: RunningStack;
  let gateway: string;
  let token: string;
  const deploy = async (deployment: Record<string, unknown>) => {
    const res = await rawRequest(stack.gateway.controlPlane.url, { method: 'POST', path: '/20190501/deployments', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deployment) });
    expect(res.status, show(res)).toBe(200);
  };

  beforeAll(async () => {
    // explainRefusals: a failing run shows the refusing check in x-harness-reason.
    stack = await startTestStack({ gateway: { explainRefusals: true } });
    gateway = stack.gateway.dataPlane.url;
    const jwks = `${stack.iam.url}/admin/v1/SigningCert/jwk`;
    await deploy(richDeployment('/p', jwks, stack.backend.url, stack.iam.context.issuer));
    // A refusal whose status comes from the request itself (validationFailurePolicy MODIFY_RESPONSE).
    await deploy({
      pathPrefix: '/m',
      specification: {
        requestPolicies: {
          authentication: {
            type: 'TOKEN_AUTHENTICATION',
            tokenHeader: 'Authorization',
            tokenAuthScheme: 'Bearer',
            validationPolicy: { type: 'REMOTE_JWKS', uri: jwks, additionalValidationPolicy: { issuers: [stack.iam.context.issuer], audiences: ['anwendung1'] } },
            validationFailurePolicy: { type: 'MODIFY_RESPONSE', responseCode: '${request.headers[x-code]}', responseMessage: 'refused ${request.headers[x-code]}' },
          },
        },
        routes: [{ path: '/x', methods: ['GET'], backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body: 'in' } }],
      },
    });
    const res = await tokenRequest(stack.iam, { grant_type: 'client_credentials', scope: SEEDED.useCase1.scope }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
    expect(res.status, res.text).toBe(200);
    token = res.body.access_token;
  });
  afterAll(() => stack?.stop());

  /** The positive control: a valid request to each kind of route still passes. */
  const expectStillServing = async () => {
    const item = await rawRequest(gateway, { path: '/p/items/42?q=1', headers: { authorization: `Bearer ${token}`, origin: ORIGIN } });
    expect(item.status, show(item)).toBe(200);
    expect(item.json).toMatchObject({ method: 'GET', path: '/items/42' });
    expect(item.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect((await rawRequest(gateway, { path: '/p/stock' })).json).toEqual({ stock: true });
    expect((await rawRequest(gateway, { path: '/p/secure/a', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  };

  // -------------------------------------------------------------------------------------------
  // Generators

  /** One path segment: ordinary, dot segments in every spelling, encoded separators, raw bytes. */
  const oddSegment = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('.', '..', '%2e', '%2E%2e', '.%2e', '..%2F..', '..%5C', '%2F', 'a%2Fb', '%5C', '%00', '%', '%zz', '%C3%A9', '%FF', '{id}', '{rest*}', '*', ';', 'a;b=c', '@', '!$&\'()*+,=', ':', '', '~', '#') },
    // Raw bytes past ASCII: node's parser refuses them (400) before the gateway sees the request.
    { weight: 1, arbitrary: fc.constantFrom('\u00e9', '\u00ff', '\u007f') },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 3000 }).map((n) => 'x'.repeat(n)) },
    { weight: 2, arbitrary: trickyText(8).map((t) => encodeURIComponent(t.replace(/[\uD800-\uDFFF]/g, ''))) },
  );
  const segment = fc.oneof({ weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~-]{1,8}$/) }, { weight: 2, arbitrary: oddSegment });
  /** Mostly the deployment's own routes with the right number of segments, so checks past routing run too. */
  const pathArb = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom('/p/items/', '/p/secure/', '/m/x/'), segment).map(([route, seg]) => `${route}${seg}`.replace(/^\/m\/x\/.*/, '/m/x')) },
    { weight: 2, arbitrary: fc.tuple(fc.array(segment, { maxLength: 4 }), fc.boolean()).map(([segs, trailing]) => `/p/files/${segs.join('/')}${trailing ? '/' : ''}`) },
    { weight: 1, arbitrary: fc.constantFrom('/p/stock', '/p/stock/', '/p', '/p/', '/P/stock', '/test/1', '/test2/1') },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('/p', '/P', '/p/', '', '/pp', '//p', '/m', '/test'), fc.constantFrom('/items/', '/files/', '/stock', '/secure/', '/', '/x', ''), fc.array(segment, { maxLength: 5 }), fc.boolean())
        .map(([prefix, route, segs, trailing]) => `${prefix}${route}${segs.join('/')}${trailing ? '/' : ''}` || '/'),
    },
  );
  const queryArb = fc.oneof(
    { weight: 2, arbitrary: fc.constant('') },
    { weight: 3, arbitrary: fc.array(fc.tuple(fc.constantFrom('q', 'Q', 'x', '', 'q[]', 'a.b'), fc.oneof(trickyText(12), fc.constantFrom('1', '', '%', '%zz', '%0d%0a', '%00', '\u00e9'))), { maxLength: 4 }).map((pairs) => `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c.replace(/[\uD800-\uDFFF]/g, '')))}`).join('&')}`) },
    { weight: 1, arbitrary: fc.constantFrom('?q=\u00e9', '?q=\u007f') },
    { weight: 1, arbitrary: fc.constantFrom('?', '??', '?&&', '?q', '?q=%', '?q=a=b', `?${'q=1&'.repeat(500)}`) },
  );
  const methodArb = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH') },
    { weight: 2, arbitrary: fc.constantFrom(...METHODS.filter((m) => m !== 'CONNECT')) },
    // Methods node's parser does not know are refused by it (400) before the gateway sees them.
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z!#$%&'*+.^_`|~-]{1,10}$/) },
  );
  const authorizationArb = fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.constant('VALID') },
    { weight: 1, arbitrary: fc.constantFrom('Bearer', 'Bearer ', 'bearer VALID', 'Basic VALID', 'Bearer VALID VALID', 'Bearer VALID,Bearer VALID', 'Bearer a.b.c', 'Bearer ...', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.') },
    { weight: 1, arbitrary: headerValue(60).map((v) => `Bearer ${v}`) },
  );
  const headerName = fc.oneof(
    fc.constantFrom('x-custom', 'X-Custom', 'x-code', 'content-type', 'accept', 'cookie', 'x-forwarded-for', 'forwarded', 'x-real-ip', 'opc-request-id', 'access-control-request-headers'),
    // Names that are also Object.prototype's.
    fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'),
    fc.stringMatching(TOKEN_CHARS).filter((n) => n.length <= 30 && !FRAMING.has(n.toLowerCase())),
  );
  const headersArb = fc.array(fc.tuple(headerName, fc.oneof(headerValue(60), fc.constantFrom('', '1', '100', '101', '199', '200', '204', '404', '999', '-1', '1e2', ' 404 '))), { maxLength: 5 });
  const originArb = fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constantFrom(ORIGIN, 'http://localhost:3000', 'null', 'https://evil.example', 'HTTPS://APP.EXAMPLE.COM', 'https://app.example.com:443', '') }, { weight: 1, arbitrary: headerValue(30) });
  const preflightArb = fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'get', 'X'), { freq: 3 });

  interface Sent {
    method: string;
    path: string;
    headers: Record<string, string | string[]>;
    body?: Buffer;
  }
  const requestArb: fc.Arbitrary<Sent> = fc
    .record({ method: methodArb, path: pathArb, query: queryArb, authorization: authorizationArb, headers: headersArb, origin: originArb, preflight: preflightArb, body: fc.option(fc.uint8Array({ maxLength: 200 }), { freq: 4 }) })
    .map((r) => {
      const headers: Record<string, string | string[]> = Object.create(null);
      for (const [name, value] of r.headers) {
        const key = name.toLowerCase();
        const existing = headers[key];
        headers[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
      }
      if (r.origin !== undefined) headers.origin = r.origin;
      if (r.preflight !== null) headers['access-control-request-method'] = r.preflight;
      if (r.authorization !== undefined) headers.authorization = r.authorization;
      return { method: r.method, path: `${r.path}${r.query}`, headers, ...(r.body ? { body: Buffer.from(r.body) } : {}) };
    });

  const send = (req: Sent): Promise<RawResult> => {
    const headers = { ...req.headers };
    if (typeof headers.authorization === 'string') headers.authorization = headers.authorization.replace(/VALID/g, token);
    return rawRequest(gateway, { method: req.method, path: req.path, headers, ...(req.body ? { body: req.body } : {}) });
  };

  /** What every answer must be, whatever was sent. */
  function expectSound(req: Sent, res: RawResult): void {
    const what = `${req.method} ${req.path.slice(0, 300)} ${JSON.stringify(req.headers).slice(0, 300)} → ${show(res)}`;
    expect(res.status, what).toBeGreaterThanOrEqual(200);
    expect(res.status, what).toBeLessThan(500);
    expect(res.headers['opc-request-id'], what).toBeTruthy();
    if (req.path.startsWith('/m/x')) return; // status and message may be the request's own (MODIFY_RESPONSE, property below)
    if (res.status >= 400) {
      // A refusal of the gateway's own, or (passed through) of the echo backend in OCI's string-code shape.
      if (typeof res.json?.code === 'string') expect(Object.keys(res.json).sort(), what).toEqual(['code', 'message']);
      else if (req.method !== 'HEAD') expectGatewayError(res);
      return;
    }
    if (req.method === 'HEAD' || res.status === 204) return;
    if (res.json && 'stock' in res.json) expect(res.json, what).toEqual({ stock: true });
    else if (res.text !== 'in') expect(res.json, what).toMatchObject({ method: req.method, path: expect.stringMatching(/^\/(items|files|secure)\//) });
  }

  // -------------------------------------------------------------------------------------------

  it('any path, method, header set, query, origin and token: never a 5xx or a hang; refusals in the gateway shape', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async (req) => {
        const res = await send(req);
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        expectSound(req, res);
      }),
      { numRuns: 300 },
    );
    // The generator reaches the backend, the stock response and several refusals, not only 404s.
    expect(seen.get(200) ?? 0).toBeGreaterThan(0);
    expect(seen.get(401) ?? 0).toBeGreaterThan(0);
    expect(seen.get(404) ?? 0).toBeGreaterThan(0);
    await expectStillServing();
  });

  it('{rest*} forwards any non-dot path as received; {id} one segment; dot segments in any spelling are never routed', async () => {
    const plain = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_~-]{1,8}$/), fc.constantFrom('%2F', 'a%2Fb', '%5C', '%C3%A9', '%25', '%20', ';', 'a;b=c', '!$&\'()*+,=', ':', '@', '%7E', 'x.y', '...'));
    const dot = fc.constantFrom('.', '..', '%2e', '%2E', '%2e%2e', '.%2E', '%2E.', '..%2F', '%2e%2e%2f', '..%5C', '%2E%2E%5Cx');
    await fc.assert(
      fc.asyncProperty(fc.array(plain, { minLength: 1, maxLength: 4 }), fc.option(fc.tuple(fc.nat(), dot), { freq: 2 }), fc.boolean(), async (segs, dotAt, authenticated) => {
        const all = [...segs];
        if (dotAt) all.splice(dotAt[0] % (all.length + 1), 0, dotAt[1]);
        const rest = all.join('/');
        const headers: Record<string, string> = authenticated ? { authorization: `Bearer ${token}` } : {};
        const files = await rawRequest(gateway, { path: `/p/files/${rest}`, headers });
        if (dotAt) {
          expect(files.status, `${rest} → ${show(files)}`).toBe(404);
          expectGatewayError(files);
          return;
        }
        expect(files.status, `${rest} → ${show(files)}`).toBe(200);
        expect(files.json.path, rest).toBe(`/files/${rest}`);
        // The route is matched first: more than one segment is no {id} at all (404), then the token counts.
        const item = await rawRequest(gateway, { path: `/p/items/${rest}`, headers });
        if (all.length !== 1) expect(item.status, show(item)).toBe(404);
        else if (!authenticated) expect(item.status, show(item)).toBe(401);
        else {
          expect(item.status, show(item)).toBe(200);
          expect(item.json.path).toBe(`/items/${rest}`);
        }
      }),
      { numRuns: 200 },
    );
    await expectStillServing();
  });

  it('the query reaches the backend as sent, parameter by parameter (names like constructor and __proto__ included)', async () => {
    const name = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.~-]{1,6}$/), fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'q', 'q'));
    const value = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.~-]{1,6}$/), trickyText(8).filter(wellFormed));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 5 }), async (pairs) => {
        const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const res = await rawRequest(gateway, { path: `/p/files/q?${query}` });
        expect(res.status, show(res)).toBe(200);
        const expected: Record<string, string | string[]> = Object.create(null);
        for (const [k, v] of pairs) {
          const existing = expected[k];
          expected[k] = existing === undefined ? v : [...(Array.isArray(existing) ? existing : [existing]), v];
        }
        expect(res.json.query, query).toEqual({ ...expected });
      }),
      { numRuns: 100 },
    );
  });

  it('header transformations from the query and headers never smuggle a header or fail the request', async () => {
    const hostile = fc.oneof(trickyText(20), fc.constantFrom('%0d%0aX-Injected:%201', '%0aX-Injected: 1', '%00', '%C3%A9', '%E9', '%FF%FE', 'a%0d%0a%0d%0abody'), headerValue(30));
    await fc.assert(
      fc.asyncProperty(hostile, headerValue(60), async (q, custom) => {
        // Sent percent-encoded where a request target needs it (raw bytes past ASCII and DEL are refused by node's parser, see above).
        const query = q.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c.replace(/[\uD800-\uDFFF]/g, '')));
        const res = await rawRequest(gateway, { path: `/p/files/a?q=${query}`, headers: { 'x-custom': custom } });
        expect(res.status, `q=${JSON.stringify(query)} x-custom: ${JSON.stringify(custom)} → ${show(res)}`).toBe(200);
        expect(res.json.headers['x-injected'], show(res)).toBeUndefined();
        for (const value of Object.values(res.json.headers as Record<string, unknown>)) expect(String(value)).not.toMatch(/[\r\n\0]/);
      }),
      { numRuns: 150 },
    );
    await expectStillServing();
  });

  it('MODIFY_RESPONSE with the status taken from a request header: that status when it is one (200–599), else the 401; never a hang', async () => {
    const code = fc.oneof(fc.integer({ min: 100, max: 599 }).map(String), fc.constantFrom('', '0', '99', '100', '101', '102', '103', '199', '600', '1e2', '2.5e2', '-401', ' 403', '0x1f4', 'abc'), headerValue(6));
    await fc.assert(
      fc.asyncProperty(code, async (xCode) => {
        const res = await rawRequest(gateway, { path: '/m/x', headers: { 'x-code': xCode } });
        const n = Number(xCode.trim());
        const expected = xCode.trim() !== '' && Number.isInteger(n) && n >= 200 && n <= 599 ? n : 401;
        expect(res.status, `x-code ${JSON.stringify(xCode)} → ${show(res)}`).toBe(expected);
      }),
      { numRuns: 150 },
    );
    expect((await rawRequest(gateway, { path: '/m/x', headers: { authorization: `Bearer ${token}` } })).text).toBe('in');
  });
});
