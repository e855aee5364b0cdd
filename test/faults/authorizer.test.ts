/**
 * Faults of the CUSTOM_AUTHENTICATION authorizer function (a local HTTP server mapped in the
 * gateway's `functions`), through the data plane: HTTP 5xx, garbage replies, refused or reset
 * connections, a function that hangs (before its headers or in its body), an oversized reply. OCI:
 * "function returns a 5xx, errors, or the Functions service fails: 502, body ignored" (reference
 * §1.6, §4 [C D-authfn]); the gateway gives up after its authorizer timeout (5 s by default [I]),
 * and a failure is never cached, in single-argument mode or keyed by `cacheKey`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { AUTHORIZER_TIMEOUT_MS, MAX_AUTHORIZER_REPLY_BYTES } from '../../gateway-emulator/pipeline/authenticate-custom.js';
import { closedPort, expectGatewayError, expectWithin, listenHttp, listenTcp, onRequestHead, printTimings, send, startGatewayUnderTest, type GatewayUnderTest, type TestServer } from './support.js';

const TIMEOUT_MS = 400;
const SLACK_MS = 600;

const FN = 'ocid1.fnfunc.oc1.phx.aaaaaaaafaultyauthorizer';
const FN_REFUSED = 'ocid1.fnfunc.oc1.phx.aaaaaaaarefusedauthorizer';
const FN_RESET = 'ocid1.fnfunc.oc1.phx.aaaaaaaaresetauthorizer';
const FN_UNMAPPED = 'ocid1.fnfunc.oc1.phx.aaaaaaaaunmappedauthorizer';

type Behaviour = (req: IncomingMessage, res: ServerResponse, input: any) => void;
const ACTIVE: Behaviour = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ active: true, principal: 'ada', scope: ['orders.read'] }));
const json = (status: number, body: string): Behaviour => (_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);

let behaviour: Behaviour = ACTIVE;
let fn: TestServer;
let gateway: GatewayUnderTest;
const others: TestServer[] = [];

beforeAll(async () => {
  fn = await listenHttp((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => behaviour(req, res, JSON.parse(body)));
  });
  const resets = await listenTcp((socket) => onRequestHead(socket, () => socket.resetAndDestroy()));
  others.push(resets);
  gateway = await startGatewayUnderTest({
    clock: new ControllableClock(),
    authorizerTimeoutMs: TIMEOUT_MS,
    functions: {
      [FN]: `${fn.url}/authorize`,
      [FN_REFUSED]: `http://127.0.0.1:${await closedPort()}/authorize`,
      [FN_RESET]: `${resets.url}/authorize`,
    },
  });
  const route = { path: '/r', methods: ['GET'], backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body: 'in' } };
  const single = (functionId: string) => ({ requestPolicies: { authentication: { type: 'CUSTOM_AUTHENTICATION', functionId, tokenHeader: 'Authorization' } }, routes: [route] });
  gateway.deploy('/single', single(FN));
  gateway.deploy('/refused', single(FN_REFUSED));
  gateway.deploy('/reset', single(FN_RESET));
  gateway.deploy('/unmapped', single(FN_UNMAPPED));
  gateway.deploy('/multi', {
    requestPolicies: {
      authentication: {
        type: 'CUSTOM_AUTHENTICATION',
        functionId: FN,
        parameters: { apiKey: 'request.headers[X-Api-Key]', tenant: 'request.query[tenant]' },
        cacheKey: ['apiKey'],
      },
    },
    routes: [route],
  });
});

afterAll(async () => {
  printTimings();
  await gateway?.stop();
  await Promise.all([fn, ...others].map((s) => s?.stop()));
});

beforeEach(() => {
  behaviour = ACTIVE;
  gateway.authorizerCache.clear();
});

const call = (prefix: string, credential = 'Bearer abc') => send(`${gateway.url}${prefix}/r`, { headers: { authorization: credential } });

describe('the authorizer fails: 502, body ignored', () => {
  const failures: Array<[string, Behaviour]> = [
    ['HTTP 500 with a JSON body', json(500, '{"active":true}')],
    ['HTTP 503', json(503, 'unavailable')],
    ['HTTP 404', json(404, '{"active":true}')],
    ['200 with a body that is not JSON', json(200, '<html>oops</html>')],
    ['200 with an empty body', json(200, '')],
    ['200 with a JSON array', json(200, '[{"active":true}]')],
    ['200 with JSON null', json(200, 'null')],
    ['200 with a truncated JSON object', json(200, '{"active":tr')],
    ['200 with a reply over the size limit', json(200, JSON.stringify({ active: true, pad: 'x'.repeat(MAX_AUTHORIZER_REPLY_BYTES) }))],
    ['200 streamed (chunked) over the size limit', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"active":true,"pad":"');
      for (let i = 0; i < 20; i++) res.write('x'.repeat(8 * 1024));
      res.end('"}');
    }],
    ['the connection closed mid-reply', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"active":');
      setTimeout(() => res.destroy(), 20);
    }],
  ];
  it.each(failures)('%s', async (_name, failing) => {
    behaviour = failing;
    const reply = await call('/single');
    expectGatewayError(reply, 502, 'Bad Gateway');
    expectWithin(`authorizer: ${_name}`, reply.ms, { max: SLACK_MS });
    expect(gateway.lastDecision().reason?.check).toBe('authentication.function');
  });

  it('connection refused', async () => {
    const reply = await call('/refused');
    expectGatewayError(reply, 502, 'Bad Gateway');
    expectWithin('authorizer refuses', reply.ms, { max: SLACK_MS });
  });

  it('connection reset before any reply', async () => {
    const reply = await call('/reset');
    expectGatewayError(reply, 502, 'Bad Gateway');
    expectWithin('authorizer resets', reply.ms, { max: SLACK_MS });
  });

  it('a functionId the config does not map', async () => {
    expectGatewayError(await call('/unmapped'), 502, 'Bad Gateway');
  });
});

describe('the authorizer hangs: the gateway gives up after its timeout', () => {
  it('the default timeout is 5 s; the suite shortens it', () => {
    expect(AUTHORIZER_TIMEOUT_MS).toBe(5_000);
  });

  it('no reply at all: 502 at the timeout', async () => {
    behaviour = () => {};
    const reply = await call('/single');
    expectGatewayError(reply, 502, 'Bad Gateway');
    expect(gateway.lastDecision().reason?.found).toBe('timeout');
    expectWithin('authorizer never answers', reply.ms, { min: TIMEOUT_MS - 50, max: TIMEOUT_MS + SLACK_MS });
  });

  it('headers, then the body stalls: 502 at the timeout', async () => {
    behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"active":true');
    };
    const reply = await call('/single');
    expectGatewayError(reply, 502, 'Bad Gateway');
    expectWithin('authorizer body stalls', reply.ms, { min: TIMEOUT_MS - 50, max: TIMEOUT_MS + SLACK_MS });
  });
});

describe('failures are not cached', () => {
  it('single argument: a 500, a timeout and an active:false are each asked again; the first active:true is cached', async () => {
    const calls = fn.count();
    behaviour = json(500, 'boom');
    expectGatewayError(await call('/single'), 502, 'Bad Gateway');
    behaviour = () => {};
    expectGatewayError(await call('/single'), 502, 'Bad Gateway');
    behaviour = json(200, JSON.stringify({ active: false, wwwAuthenticate: 'Bearer realm="x"' }));
    const refused = await call('/single');
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="x"');
    expect(gateway.authorizerCache.size).toBe(0);

    behaviour = ACTIVE;
    expect((await call('/single')).status).toBe(200);
    expect(fn.count() - calls).toBe(4);
    // Now cached: a broken function is not asked while the result lasts.
    behaviour = json(500, 'boom');
    expect((await call('/single')).status).toBe(200);
    expect(fn.count() - calls).toBe(4);
    expect(gateway.authorizerCache.size).toBe(1);
  });

  it('multi-argument with cacheKey: a failure for a key is asked again, and does not touch another key’s cached result', async () => {
    const calls = fn.count();
    const multi = (apiKey: string, tenant: string) => send(`${gateway.url}/multi/r?tenant=${tenant}`, { headers: { 'x-api-key': apiKey } });
    behaviour = (_req, res, input) => (input.data.apiKey === 'good' ? ACTIVE(_req, res, input) : json(500, 'boom')(_req, res, input));
    expect((await multi('good', 't1')).status).toBe(200);
    expectGatewayError(await multi('bad', 't1'), 502, 'Bad Gateway');
    expectGatewayError(await multi('bad', 't2'), 502, 'Bad Gateway');
    expect(fn.count() - calls).toBe(3);
    // cacheKey is apiKey only: another tenant with the good key is served from the cache.
    expect((await multi('good', 't2')).status).toBe(200);
    expect(fn.count() - calls).toBe(3);

    behaviour = ACTIVE; // the function is fixed: the bad key is asked again at once
    expect((await multi('bad', 't1')).status).toBe(200);
    expect(fn.count() - calls).toBe(4);
  });
});
