import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { models } from 'oci-apigateway';
import { ControllableClock } from '../../common/clock.js';
import {
  authenticateCustom,
  AuthorizerCache,
  authorizerCacheTtlMs,
  authorizerInput,
  interpretAuthorizerReply,
  type FunctionEndpoints,
} from '../../gateway-emulator/pipeline/authenticate-custom.js';
import type { GatewayRequest } from '../../gateway-emulator/pipeline/types.js';

const FN = 'ocid1.fnfunc.oc1.eu-frankfurt-1.authorizer';
const T0 = Date.UTC(2030, 0, 1);

/** A tiny stand-in for the authorizer function: records what it gets, answers what the test says. */
interface Reply {
  status?: number;
  body: unknown;
  delayMs?: number;
}
let received: unknown[] = [];
let respond: (input: any) => Reply = () => ({ body: { active: true } });
let server: Server;
let functionUrl: string;
let closedUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      received.push({ method: req.method, contentType: req.headers['content-type'], input });
      const reply = respond(input);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
        res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  functionUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/call`;
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/call`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let clock: ControllableClock;
let cache: AuthorizerCache;
beforeEach(() => {
  received = [];
  respond = () => ({ body: { active: true } });
  clock = new ControllableClock();
  clock.set(T0, true);
  cache = new AuthorizerCache({ clock });
});

const functions = (url?: string): FunctionEndpoints => ({ urlFor: (id) => (id === FN ? (url ?? functionUrl) : undefined) });

function request(headers: Record<string, string | string[]> = {}, query: Array<[string, string]> = []): GatewayRequest {
  const h: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = Array.isArray(v) ? v : [v];
  return { method: 'GET', path: '/v1/items', rawQuery: query.map(([k, v]) => `${k}=${v}`).join('&'), query, headers: h, host: 'gw.local', clientIp: '127.0.0.1' };
}

const headerPolicy: models.CustomAuthenticationPolicy = { type: 'CUSTOM_AUTHENTICATION', functionId: FN, tokenHeader: 'Authorization' };

/** The context variables of these tests: a fixed table instead of the real resolver. */
function variables(table: Record<string, string[]>) {
  return (expression: string) => table[expression];
}
const noVariables = variables({});

function run(policy: models.CustomAuthenticationPolicy, req: GatewayRequest, extra: { readVariable?: (e: string) => string[] | undefined; url?: string; timeoutMs?: number } = {}) {
  return authenticateCustom(policy, req, {
    functions: functions(extra.url),
    cache,
    clock,
    readVariable: extra.readVariable ?? noVariables,
    ...(extra.timeoutMs !== undefined ? { timeoutMs: extra.timeoutMs } : {}),
  });
}

describe('single argument', () => {
  it('POSTs {"type":"TOKEN"} with the raw header, scheme included, and puts context into request.auth', async () => {
    respond = () => ({
      body: {
        active: true,
        principal: 'alice',
        scope: 'items.read  items.write',
        clientId: 'mobile-app',
        expiresAt: new Date(T0 + 600_000).toISOString(),
        context: { tenant: 'acme', level: 3 },
      },
    });
    const result = await run(headerPolicy, request({ Authorization: 'Bearer abc.def' }));
    expect(received).toEqual([{ method: 'POST', contentType: 'application/json', input: { type: 'TOKEN', token: 'Bearer abc.def' } }]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.claims).toEqual({ principal: 'alice', scope: 'items.read items.write', clientId: 'mobile-app', tenant: 'acme', level: 3 });
    expect(result.scope).toEqual(['items.read', 'items.write']);
    expect(result.checks.map((c) => [c.check, c.passed, c.message])).toEqual([
      ['authentication.function', true, 'Authorizer function invoked.'],
      ['authentication', true, 'Authorizer function accepted the request.'],
    ]);
  });

  it('reads the token from a query parameter', async () => {
    const policy: models.CustomAuthenticationPolicy = { type: 'CUSTOM_AUTHENTICATION', functionId: FN, tokenQueryParam: 'access_token' };
    const result = await run(policy, request({}, [['other', 'x'], ['access_token', 'q-token'], ['access_token', 'second']]));
    expect(received).toEqual([{ method: 'POST', contentType: 'application/json', input: { type: 'TOKEN', token: 'q-token' } }]);
    expect(result).toMatchObject({ ok: true, claims: {}, scope: [] });
  });

  it('accepts scope as a JSON array; context wins over principal on a clash', async () => {
    respond = () => ({ body: { active: true, principal: 'alice', scope: ['a', 'b', 7], context: { principal: 'from-context' } } });
    const result = await run(headerPolicy, request({ authorization: 'Bearer x' }));
    expect(result).toMatchObject({ ok: true, scope: ['a', 'b'], claims: { principal: 'from-context', scope: 'a b' } });
  });

  it('without a token is anonymous: 401 and the function is not called', async () => {
    const result = await run(headerPolicy, request({ 'x-other': 'y' }));
    expect(received).toEqual([]);
    expect(result).toMatchObject({ ok: false, anonymous: true, status: 401 });
    expect(result.ok === false && result.wwwAuthenticate).toBeUndefined();
    expect(result.ok === false && result.reason).toEqual({
      check: 'authentication',
      passed: false,
      message: 'No credentials for the authorizer function.',
      expected: { tokenHeader: 'Authorization' },
      found: 'none present in the request',
    });
    // An empty header is no token either.
    expect(await run(headerPolicy, request({ authorization: '' }))).toMatchObject({ ok: false, anonymous: true, status: 401 });
  });
});

describe('multiple arguments', () => {
  const policy: models.CustomAuthenticationPolicy = {
    type: 'CUSTOM_AUTHENTICATION',
    functionId: FN,
    parameters: {
      xapikey: 'request.headers[X-Api-Key]',
      region: 'request.query[region]',
      absent: 'request.headers[X-Not-Sent]',
      payload: 'request.body',
    },
  };
  const table = {
    'request.headers[X-Api-Key]': ['key-1'],
    'request.query[region]': ['eu', 'us'],
    'request.body': ['{"order":1}'],
  };

  it('POSTs {"type":"USER_DEFINED","data"}: several values as an array, absent ones left out', async () => {
    const result = await run(policy, request(), { readVariable: variables(table) });
    expect(received).toEqual([
      {
        method: 'POST',
        contentType: 'application/json',
        input: { type: 'USER_DEFINED', data: { xapikey: 'key-1', region: ['eu', 'us'], payload: '{"order":1}' } },
      },
    ]);
    expect(result.ok).toBe(true);
  });

  it('is anonymous when none of the arguments is present', async () => {
    const result = await run(policy, request(), { readVariable: noVariables });
    expect(received).toEqual([]);
    expect(result).toMatchObject({ ok: false, anonymous: true, status: 401 });
  });

  it('keys the cache on every argument except the body by default', () => {
    const key = (t: Record<string, string[]>) => authorizerInput(policy, request(), variables(t))?.cacheKey;
    const base = key(table);
    expect(base).toBe(JSON.stringify({ functionId: FN, arguments: [['absent', null], ['region', ['eu', 'us']], ['xapikey', 'key-1']] }));
    expect(key({ ...table, 'request.body': ['{"order":2}'] })).toBe(base);
    expect(key({ ...table, 'request.query[region]': ['eu'] })).not.toBe(base);
    expect(key({ ...table, 'request.headers[X-Not-Sent]': ['now-sent'] })).not.toBe(base);
  });

  it('keys the cache on the cacheKey arguments only, when given', () => {
    const keyed: models.CustomAuthenticationPolicy = { ...policy, cacheKey: ['xapikey'] };
    const key = (t: Record<string, string[]>) => authorizerInput(keyed, request(), variables(t))?.cacheKey;
    expect(key(table)).toBe(JSON.stringify({ functionId: FN, arguments: [['xapikey', 'key-1']] }));
    expect(key({ ...table, 'request.query[region]': ['ap'] })).toBe(key(table));
    expect(key({ ...table, 'request.headers[X-Api-Key]': ['key-2'] })).not.toBe(key(table));
  });
});

describe('refusals and failures', () => {
  it('active:false → 401 with the function’s wwwAuthenticate', async () => {
    respond = () => ({ body: { active: false, wwwAuthenticate: 'Bearer realm="example.com", error="invalid_token"' } });
    const result = await run(headerPolicy, request({ authorization: 'Bearer revoked' }));
    expect(result).toMatchObject({
      ok: false,
      anonymous: false,
      status: 401,
      wwwAuthenticate: 'Bearer realm="example.com", error="invalid_token"',
      reason: { check: 'authentication', passed: false, message: 'Authorizer function rejected the request.' },
    });
  });

  it('a reply without active is a refusal without WWW-Authenticate; refusals are not cached', async () => {
    respond = () => ({ body: { principal: 'alice' } });
    const first = await run(headerPolicy, request({ authorization: 'Bearer t' }));
    const second = await run(headerPolicy, request({ authorization: 'Bearer t' }));
    expect(first).toMatchObject({ ok: false, anonymous: false, status: 401 });
    expect(first.ok === false && 'wwwAuthenticate' in first).toBe(false);
    expect(second).toMatchObject({ ok: false, status: 401 });
    expect(received).toHaveLength(2);
  });

  it.each([
    ['HTTP 500', { status: 500, body: { active: true } }, 'the function answered HTTP 500, not 200'],
    ['HTTP 401', { status: 401, body: { active: true } }, 'the function answered HTTP 401, not 200'],
    ['not JSON', { body: 'OK' }, 'the function’s reply is not JSON'],
    ['a JSON array', { body: [{ active: true }] }, 'the function’s reply is not a JSON object'],
  ] as const)('%s → 502', async (_label, reply, problem) => {
    respond = () => reply;
    const result = await run(headerPolicy, request({ authorization: 'Bearer t' }));
    const reason = {
      check: 'authentication.function',
      passed: false,
      message: 'Authorizer function returned an invalid response.',
      expected: 'HTTP 200 with a JSON object',
      found: problem,
    };
    expect(result).toEqual({ ok: false, anonymous: false, status: 502, checks: [reason], reason });
    expect(cache.size).toBe(0);
  });

  it('a function slower than the timeout → 502', async () => {
    respond = () => ({ body: { active: true }, delayMs: 1_000 });
    const result = await run(headerPolicy, request({ authorization: 'Bearer slow' }), { timeoutMs: 100 });
    expect(result).toMatchObject({
      ok: false,
      status: 502,
      reason: { check: 'authentication.function', message: 'Authorizer function could not be invoked.', found: 'timeout' },
    });
  });

  it('an unknown functionId or an endpoint nobody listens on → 502', async () => {
    const unknown = await run({ ...headerPolicy, functionId: 'ocid1.fnfunc.oc1..unknown' }, request({ authorization: 'Bearer t' }));
    expect(unknown).toMatchObject({
      ok: false,
      anonymous: false,
      status: 502,
      reason: {
        check: 'authentication.function',
        message: 'Authorizer function could not be invoked.',
        expected: 'a local endpoint for function ocid1.fnfunc.oc1..unknown in the stack config',
        found: 'none',
      },
    });
    const refused = await run(headerPolicy, request({ authorization: 'Bearer t' }), { url: closedUrl });
    expect(refused).toMatchObject({ ok: false, status: 502, reason: { message: 'Authorizer function could not be invoked.' } });
    expect(received).toEqual([]);
  });
});

describe('cache', () => {
  it('serves the same token from the cache for 60 s by default, then asks again', async () => {
    respond = (input) => ({ body: { active: true, principal: input.token } });
    const a = await run(headerPolicy, request({ authorization: 'Bearer A' }));
    const again = await run(headerPolicy, request({ authorization: 'Bearer A' }));
    expect(received).toHaveLength(1);
    expect(again).toEqual({
      ok: true,
      claims: { principal: 'Bearer A' },
      scope: [],
      checks: [
        {
          check: 'authentication.authorizerCache',
          passed: true,
          message: 'Authorizer function result taken from the cache.',
          found: { expiresAt: new Date(T0 + 60_000).toISOString() },
        },
        { check: 'authentication', passed: true, message: 'Authorizer function accepted the request.', found: { principal: 'Bearer A' } },
      ],
    });
    expect(a.ok && a.claims).toEqual({ principal: 'Bearer A' });
    // Another token is another key.
    const b = await run(headerPolicy, request({ authorization: 'Bearer B' }));
    expect(b.ok && b.claims).toEqual({ principal: 'Bearer B' });
    expect(received).toHaveLength(2);
    clock.advance(59_999);
    await run(headerPolicy, request({ authorization: 'Bearer A' }));
    expect(received).toHaveLength(2);
    clock.advance(1);
    await run(headerPolicy, request({ authorization: 'Bearer A' }));
    expect(received).toHaveLength(3);
  });

  it('keeps a result until expiresAt, clamped to 1 h', async () => {
    respond = (input) => ({
      body: { active: true, expiresAt: new Date(T0 + (input.token === 'Bearer ten-minutes' ? 600_000 : 7_200_000)).toISOString() },
    });
    await run(headerPolicy, request({ authorization: 'Bearer ten-minutes' }));
    await run(headerPolicy, request({ authorization: 'Bearer two-hours' }));
    expect(received).toHaveLength(2);
    clock.advance(599_999);
    await run(headerPolicy, request({ authorization: 'Bearer ten-minutes' }));
    expect(received).toHaveLength(2);
    clock.advance(1);
    await run(headerPolicy, request({ authorization: 'Bearer ten-minutes' }));
    expect(received).toHaveLength(3);
    clock.set(T0 + 3_599_999, true);
    await run(headerPolicy, request({ authorization: 'Bearer two-hours' }));
    expect(received).toHaveLength(3);
    clock.set(T0 + 3_600_000, true);
    await run(headerPolicy, request({ authorization: 'Bearer two-hours' }));
    expect(received).toHaveLength(4);
  });

  it('multi-argument results are shared by requests that differ only in the body', async () => {
    const policy: models.CustomAuthenticationPolicy = {
      type: 'CUSTOM_AUTHENTICATION',
      functionId: FN,
      parameters: { key: 'request.headers[X-Api-Key]', payload: 'request.body' },
    };
    await run(policy, request(), { readVariable: variables({ 'request.headers[X-Api-Key]': ['k'], 'request.body': ['one'] }) });
    const second = await run(policy, request(), { readVariable: variables({ 'request.headers[X-Api-Key]': ['k'], 'request.body': ['two'] }) });
    expect(received).toHaveLength(1);
    expect(second.checks[0]?.check).toBe('authentication.authorizerCache');
    await run(policy, request(), { readVariable: variables({ 'request.headers[X-Api-Key]': ['other'], 'request.body': ['one'] }) });
    expect(received).toHaveLength(2);
  });

  it('holds at most maxEntries, evicting the least recently used', () => {
    const small = new AuthorizerCache({ clock, maxEntries: 2 });
    const grant = (p: string) => ({ claims: { principal: p }, scope: [] });
    small.set('a', grant('a'), 60_000);
    small.set('b', grant('b'), 60_000);
    expect(small.get('a')?.claims).toEqual({ principal: 'a' }); // a is now the most recent
    small.set('c', grant('c'), 60_000);
    expect(small.size).toBe(2);
    expect(small.get('b')).toBeUndefined();
    expect(small.get('a')?.claims).toEqual({ principal: 'a' });
    expect(small.get('c')?.claims).toEqual({ principal: 'c' });
  });
});

describe('pure helpers', () => {
  it('cache time: expiresAt clamped to 60 s – 1 h, 60 s when missing or invalid', () => {
    expect(authorizerCacheTtlMs(undefined, T0)).toBe(60_000);
    expect(authorizerCacheTtlMs('tomorrow', T0)).toBe(60_000);
    expect(authorizerCacheTtlMs(new Date(T0 + 10_000).toISOString(), T0)).toBe(60_000);
    expect(authorizerCacheTtlMs(new Date(T0 - 10_000).toISOString(), T0)).toBe(60_000);
    expect(authorizerCacheTtlMs(new Date(T0 + 1_234_000).toISOString(), T0)).toBe(1_234_000);
    expect(authorizerCacheTtlMs(new Date(T0 + 86_400_000).toISOString(), T0)).toBe(3_600_000);
  });

  it('reads a reply', () => {
    expect(interpretAuthorizerReply(200, '{"active":"true"}')).toEqual({ kind: 'inactive', wwwAuthenticate: undefined });
    expect(interpretAuthorizerReply(200, '{"active":false,"wwwAuthenticate":"Bearer\\r\\nX-Evil: 1"}')).toEqual({
      kind: 'inactive',
      wwwAuthenticate: 'BearerX-Evil: 1',
    });
    expect(interpretAuthorizerReply(204, '')).toEqual({ kind: 'invalid', problem: 'the function answered HTTP 204, not 200' });
    expect(interpretAuthorizerReply(200, '{"active":true,"scope":"a b","context":["x"]}')).toEqual({
      kind: 'active',
      grant: { claims: { scope: 'a b' }, scope: ['a', 'b'] },
      expiresAt: undefined,
    });
  });
});
