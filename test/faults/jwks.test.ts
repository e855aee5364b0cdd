/**
 * Faults of the JWKS endpoint, through the gateway's data plane: down (connection refused), slow
 * (past the fetch timeout, headers or body), garbage, HTTP errors. OCI answers 500 to every request
 * of the deployment while the keys cannot be retrieved (reference §3.1, §4 [C D-jwtpol]); a set
 * already cached serves until `maxCacheDurationInHours` runs out on the harness clock; failures are
 * never cached, so the gateway recovers on the next request once the endpoint is back (or, for a
 * rotated key, at the first unknown-kid refetch the cool-down allows); one fetch is in flight at a time.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { JWKS_FETCH_TIMEOUT_MS } from '../../gateway-emulator/pipeline/jwks-cache.js';
import type { RunningStack } from '../../stack/stack.js';
import { basic, http, SEEDED, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';
import { startTestStack } from '../support/stack.js';
import { bearer, expectGatewayError, expectWithin, listenHttp, printTimings, send, sleep, startGatewayUnderTest, type GatewayUnderTest, type TestServer } from './support.js';
import { blogJwtAuthentication } from '../../gateway-emulator/spec/examples.js';

/** The fetch timeout of the gateway under test: short, so "slower than the timeout" costs little. */
const FETCH_TIMEOUT_MS = 400;
/** Scheduling slack on top of a timeout: generous for a loaded CI machine, far below the fault's own delay. */
const SLACK_MS = 600;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

type Mode =
  | { kind: 'iam' }
  | { kind: 'json'; document: unknown }
  | { kind: 'text'; status: number; body: string; contentType?: string }
  | { kind: 'slow-headers'; delayMs: number }
  | { kind: 'slow-body'; delayMs: number };

/** A JWKS endpoint the test controls: serves the IAM's JWKS or a fault; can be taken down (refused) and back up on the same port. */
interface JwksEndpoint {
  uri: string;
  mode: Mode;
  /** Requests the endpoint received (a refused connection is not one). */
  hits(): number;
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

let iamJwks = '';

async function jwksEndpoint(initial: Mode = { kind: 'iam' }): Promise<JwksEndpoint> {
  let hits = 0;
  const endpoint = {} as JwksEndpoint;
  endpoint.mode = initial;
  const answer = (res: ServerResponse) => {
    hits++;
    const mode = endpoint.mode;
    switch (mode.kind) {
      case 'iam':
        res.writeHead(200, { 'content-type': 'application/json' }).end(iamJwks);
        return;
      case 'json':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(mode.document));
        return;
      case 'text':
        res.writeHead(mode.status, { 'content-type': mode.contentType ?? 'text/plain' }).end(mode.body);
        return;
      case 'slow-headers':
        setTimeout(() => {
          if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(iamJwks);
        }, mode.delayMs);
        return;
      case 'slow-body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(iamJwks.length) });
        res.write(iamJwks.slice(0, 10));
        setTimeout(() => {
          if (!res.destroyed) res.end(iamJwks.slice(10));
        }, mode.delayMs);
        return;
    }
  };
  let server: TestServer = await listenHttp((_req, res) => answer(res));
  const port = server.port;
  let isUp = true;
  Object.assign(endpoint, {
    uri: `http://127.0.0.1:${port}/admin/v1/SigningCert/jwk`,
    hits: () => hits,
    down: async () => {
      if (!isUp) return;
      isUp = false;
      await server.stop();
    },
    up: async () => {
      if (isUp) return;
      server = await listenHttp((_req, res) => answer(res), port);
      isUp = true;
    },
    stop: () => (isUp ? server.stop() : Promise.resolve()),
  });
  return endpoint;
}

function jwtSpec(uri: string, maxCacheDurationInHours = 1) {
  return {
    requestPolicies: { authentication: blogJwtAuthentication(uri, ['anwendung1'], { maxCacheDurationInHours }) },
    routes: [{ path: '/r', methods: ['GET'], backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body: 'ok' } }],
  };
}

/** A token whose header names a kid no JWKS has; its signature is never reached. */
function tokenWithKid(kid: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part({ sub: 'nobody', aud: 'anwendung1' })}.AAAA`;
}

const foreignJwk = { ...(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as object), kid: 'OTHER', kty: 'RSA', alg: 'RS256', use: 'sig' };

let clock: ControllableClock;
let iam: TestIam;
let gateway: GatewayUnderTest;
let prefixes = 0;
const endpoints: JwksEndpoint[] = [];

async function token(): Promise<string> {
  const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: SEEDED.useCase1.scope }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
  expect(res.status, res.text).toBe(200);
  return res.body.access_token as string;
}

/** A fresh endpoint and a deployment using it (so each test starts with a cold cache entry). */
async function deployWith(mode: Mode = { kind: 'iam' }, maxCacheDurationInHours = 1): Promise<{ endpoint: JwksEndpoint; url: string }> {
  const endpoint = await jwksEndpoint(mode);
  endpoints.push(endpoint);
  const prefix = `/jwks${++prefixes}`;
  gateway.deploy(prefix, jwtSpec(endpoint.uri, maxCacheDurationInHours));
  return { endpoint, url: `${gateway.url}${prefix}/r` };
}

beforeAll(async () => {
  clock = new ControllableClock();
  clock.set(Date.now(), true);
  iam = await startTestIam({}, clock);
  iamJwks = (await http(`${iam.url}/admin/v1/SigningCert/jwk`)).text;
  gateway = await startGatewayUnderTest({ clock, jwksFetchTimeoutMs: FETCH_TIMEOUT_MS });
});

afterAll(async () => {
  printTimings();
  await Promise.all(endpoints.map((e) => e.stop()));
  await gateway?.stop();
  await iam?.stop();
});

describe('JWKS endpoint down (connection refused)', () => {
  it('answers 500 to requests with and without a token, promptly, and recovers once the endpoint is back', async () => {
    const { endpoint, url } = await deployWith();
    await endpoint.down();
    const jwt = await token();

    const withToken = await send(url, { headers: bearer(jwt) });
    expectGatewayError(withToken, 500, 'Internal Server Error');
    expect(withToken.headers['x-harness-reason']).toBe('authentication.publicKey: Failed to retrieve the public keys from the JWKS URI.');
    expect(String(gateway.lastDecision().reason?.found)).toMatch(/ECONNREFUSED/);
    expectWithin('refused JWKS, with a token', withToken.ms, { max: SLACK_MS });
    const tokenless = await send(url);
    expectGatewayError(tokenless, 500, 'Internal Server Error');
    expectWithin('refused JWKS, no token', tokenless.ms, { max: SLACK_MS });

    await endpoint.up();
    const recovered = await send(url, { headers: bearer(jwt) });
    expect(recovered.status, recovered.body).toBe(200);
    expect(recovered.body).toBe('ok');
    expect(endpoint.hits()).toBe(1);
    // Keys available again: a request without a token is a plain 401 now.
    expect((await send(url)).status).toBe(401);
  });

  it('the assembled gateway (startTestStack) answers 500 the same way', async () => {
    const endpoint = await jwksEndpoint();
    endpoints.push(endpoint);
    await endpoint.down();
    const stack: RunningStack = await startTestStack({}, clock);
    try {
      const res = await http(`${stack.gateway.controlPlane.url}/20190501/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pathPrefix: '/down', specification: jwtSpec(endpoint.uri) }),
      });
      expect(res.status, res.text).toBe(200);
      const reply = await send(`${stack.gateway.dataPlane.url}/down/r`, { headers: bearer(await token()) });
      expectGatewayError(reply, 500, 'Internal Server Error');
      expectGatewayError(await send(`${stack.gateway.dataPlane.url}/down/r`), 500, 'Internal Server Error');
    } finally {
      await stack.stop();
    }
  });
});

describe('JWKS endpoint slower than the fetch timeout', () => {
  it('the gateway has a JWKS fetch timeout (5 s by default), which the suite shortens', () => {
    expect(JWKS_FETCH_TIMEOUT_MS).toBe(5_000);
  });

  it('headers late: 50 concurrent requests share one fetch and all get 500 within the timeout; then it recovers', async () => {
    const { endpoint, url } = await deployWith({ kind: 'slow-headers', delayMs: FETCH_TIMEOUT_MS * 4 });
    const jwt = await token();
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => send(url, i % 2 ? { headers: bearer(jwt) } : {})));
    for (const decision of gateway.log.recent(50)) {
      expect(JSON.stringify(decision.reason)).toContain(`did not complete within ${FETCH_TIMEOUT_MS} ms`);
    }
    for (const reply of replies) expectGatewayError(reply, 500, 'Internal Server Error');
    const times = replies.map((r) => r.ms);
    expectWithin('slow JWKS headers, fastest of 50', Math.min(...times), { min: FETCH_TIMEOUT_MS - 50, max: FETCH_TIMEOUT_MS + SLACK_MS });
    expectWithin('slow JWKS headers, slowest of 50', Math.max(...times), { min: FETCH_TIMEOUT_MS - 50, max: FETCH_TIMEOUT_MS + SLACK_MS });
    expect(endpoint.hits()).toBe(1);

    endpoint.mode = { kind: 'iam' };
    expect((await send(url, { headers: bearer(jwt) })).status).toBe(200);
    expect(endpoint.hits()).toBe(2);
  });

  it('body stalled after the headers: 500 within the timeout as well', async () => {
    const { endpoint, url } = await deployWith({ kind: 'slow-body', delayMs: FETCH_TIMEOUT_MS * 4 });
    const reply = await send(url, { headers: bearer(await token()) });
    expectGatewayError(reply, 500, 'Internal Server Error');
    expectWithin('stalled JWKS body', reply.ms, { min: FETCH_TIMEOUT_MS - 50, max: FETCH_TIMEOUT_MS + SLACK_MS });
    expect(endpoint.hits()).toBe(1);
  });
});

describe('JWKS endpoint answering garbage or an HTTP error', () => {
  const key = { kty: 'RSA', kid: 'K', n: 'AQAB', e: 'AQAB' };
  const cases: Array<[string, Mode]> = [
    ['not JSON', { kind: 'text', status: 200, body: '<html>maintenance</html>', contentType: 'application/json' }],
    ['empty body', { kind: 'text', status: 200, body: '' }],
    ['JSON null', { kind: 'json', document: null }],
    ['a JSON array', { kind: 'json', document: [key] }],
    ['JSON without "keys"', { kind: 'json', document: { issuer: 'x' } }],
    ['"keys" not an array', { kind: 'json', document: { keys: 'SIGNING_KEY' } }],
    ['"keys" empty', { kind: 'json', document: { keys: [] } }],
    ['keys that are not objects', { kind: 'json', document: { keys: [1, 'two', null, true, [key]] } }],
    ['keys with fields of the wrong types', { kind: 'json', document: { keys: [{ kty: 'RSA', kid: 7, n: 'AQAB', e: 'AQAB' }, { kty: 'RSA', kid: 'K', n: 12345, e: true }, { kty: ['RSA'], kid: 'L', n: 'AQAB', e: 'AQAB' }] } }],
    ['more than 10 keys', { kind: 'json', document: { keys: Array.from({ length: 11 }, (_, i) => ({ ...foreignJwk, kid: `K${i}` })) } }],
    ['a body over 512 KB', { kind: 'text', status: 200, body: `{"keys":[],"pad":"${'x'.repeat(600 * 1024)}"}`, contentType: 'application/json' }],
    ['HTTP 500', { kind: 'text', status: 500, body: '{"keys":[]}' }],
    ['HTTP 404', { kind: 'text', status: 404, body: 'Not Found' }],
    ['HTTP 302 (redirects are not followed)', { kind: 'text', status: 302, body: '' }],
  ];
  it.each(cases)('%s: 500 with and without a token, nothing cached, 200 once the JWKS is good', async (name, mode) => {
    const { endpoint, url } = await deployWith(mode);
    const jwt = await token();
    const withToken = await send(url, { headers: bearer(jwt) });
    expectGatewayError(withToken, 500, 'Internal Server Error');
    expectWithin(`JWKS ${name}`, withToken.ms, { max: SLACK_MS });
    expectGatewayError(await send(url), 500, 'Internal Server Error');
    expect(endpoint.hits()).toBe(2); // the failure was not cached: each request asked again

    endpoint.mode = { kind: 'iam' };
    expect((await send(url, { headers: bearer(jwt) })).status).toBe(200);
    expect(endpoint.hits()).toBe(3);
  });
});

describe('a cached JWKS when the endpoint fails', () => {
  it('serves the cached keys until maxCacheDurationInHours runs out on the clock, then 500, then recovers', async () => {
    const { endpoint, url } = await deployWith({ kind: 'iam' }, 1);
    const start = clock.nowMs();
    expect((await send(url, { headers: bearer(await token()) })).status).toBe(200);
    expect(endpoint.hits()).toBe(1);

    endpoint.mode = { kind: 'text', status: 500, body: 'IAM down' };
    clock.advance(59 * MINUTE);
    expect((await send(url, { headers: bearer(await token()) })).status).toBe(200);
    expect((await send(url)).status).toBe(401); // keys available: no token is a 401, not a 500
    expect(endpoint.hits()).toBe(1); // within the cache duration nothing is fetched

    // A token with a kid the cached set lacks: one refetch, which fails; the cached set still
    // stands, so this is a token problem (401), not an unavailable JWKS (500).
    const unknown = await send(url, { headers: bearer(tokenWithKid('ROTATED')) });
    expect(unknown.status).toBe(401);
    expect(unknown.headers['x-harness-reason']).toMatch(/unknown key/);
    expect(endpoint.hits()).toBe(2);
    // Within the cool-down another unknown kid costs no fetch.
    expect((await send(url, { headers: bearer(tokenWithKid('ROTATED-2')) })).status).toBe(401);
    expect(endpoint.hits()).toBe(2);
    expect((await send(url, { headers: bearer(await token()) })).status).toBe(200);

    clock.set(start + HOUR, true); // exactly the cache duration: expired
    const expired = await send(url, { headers: bearer(await token()) });
    expectGatewayError(expired, 500, 'Internal Server Error');
    expectGatewayError(await send(url), 500, 'Internal Server Error');
    expect(endpoint.hits()).toBe(4);

    endpoint.mode = { kind: 'iam' };
    expect((await send(url, { headers: bearer(await token()) })).status).toBe(200);
    expect(endpoint.hits()).toBe(5);
  });

  it('picks up a rotated key at the first unknown-kid refetch the 30 s cool-down (harness clock) allows', async () => {
    const { endpoint, url } = await deployWith({ kind: 'json', document: { keys: [foreignJwk] } });
    const jwt = await token();
    // Cold cache: the set is fetched and lacks the kid; no second fetch right after the first.
    expect((await send(url, { headers: bearer(jwt) })).status).toBe(401);
    expect(endpoint.hits()).toBe(1);
    // Unknown kid on a cached set: one refetch (still the old set), which starts the cool-down.
    expect((await send(url, { headers: bearer(jwt) })).status).toBe(401);
    expect(endpoint.hits()).toBe(2);

    endpoint.mode = { kind: 'iam' }; // the IAM now publishes the key
    clock.advance(29_999);
    const during = await send(url, { headers: bearer(jwt) });
    expect(during.status).toBe(401);
    expect(during.headers['x-harness-reason']).toMatch(/unknown key/);
    expect(endpoint.hits()).toBe(2);

    clock.advance(1);
    const after = await send(url, { headers: bearer(jwt) });
    expect(after.status, after.body).toBe(200);
    expect(endpoint.hits()).toBe(3);
  });
});

describe('one JWKS fetch in flight', () => {
  it('50 concurrent requests at a cold cache: the JWKS endpoint sees one fetch', async () => {
    const { endpoint, url } = await deployWith({ kind: 'slow-headers', delayMs: 150 });
    const jwt = await token();
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => send(url, i % 5 ? { headers: bearer(jwt) } : {})));
    expect(replies.map((r) => r.status).sort()).toEqual([...Array(40).fill(200), ...Array(10).fill(401)]);
    expect(endpoint.hits()).toBe(1);
  });

  it('50 concurrent unknown kids on a cached set: one refetch', async () => {
    const { endpoint, url } = await deployWith({ kind: 'iam' });
    expect((await send(url, { headers: bearer(await token()) })).status).toBe(200);
    endpoint.mode = { kind: 'slow-headers', delayMs: 150 };
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => send(url, { headers: bearer(tokenWithKid(`NEW-${i}`)) })));
    expect(replies.every((r) => r.status === 401)).toBe(true);
    await sleep(10);
    expect(endpoint.hits()).toBe(2);
  });
});
