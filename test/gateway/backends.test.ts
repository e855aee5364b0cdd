/**
 * Backends: the HTTP backend call (header rules, query, Host, forwarding chains, timeouts, failures,
 * keep-alive), stock responses, functions and dynamic routing. The HTTP tests run a small "front"
 * server that forwards through `HttpBackends`, the echo backend, and hostile servers on ephemeral ports.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { models } from 'oci-apigateway';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../common/http.js';
import { selectDynamicBackend, wildcardMatches } from '../../gateway-emulator/backends/dynamic-routing.js';
import { startEchoBackend, type EchoedRequest } from '../../gateway-emulator/backends/echo-server.js';
import { functionCall, functionRequestHeaders, functionResponse } from '../../gateway-emulator/backends/functions-backend.js';
import {
  backendFailure,
  backendRequestHeaders,
  backendResponseHeaders,
  BackendTimeout,
  forwardedFor,
  HttpBackends,
  splitBackendUrl,
  withoutHopByHop,
  type BackendCall,
  type ForwardResult,
  type ResponseReader,
} from '../../gateway-emulator/backends/http-backend.js';
import { stockResponse } from '../../gateway-emulator/backends/stock-response.js';
import { closedPort, listenHttp, listenTcp, send } from '../support/servers.js';

// ---------------------------------------------------------------- helpers

type Plan = (req: IncomingMessage, body: Buffer) => BackendCall;

/**
 * The front server: what the gateway's data plane does with a planned call, reduced to the call.
 * `onResponse` adds a header (standing in for response transformations); a failure is answered
 * with OCI's `{code, message}` body.
 */
async function startFront(backends: HttpBackends) {
  const results: ForwardResult[] = [];
  let plan: Plan = () => {
    throw new Error('no plan');
  };
  let reader: ResponseReader | undefined;
  const front = await listenHttp((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const call = plan(req, Buffer.concat(chunks));
      const result = await backends.forward(call, res, (_status, headers) => ({ ...headers, 'x-front': ['transformed'] }), reader);
      results.push(result);
      if (!result.ok && !res.headersSent) {
        res.writeHead(result.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: result.status, message: result.message }));
      }
    });
  });
  return {
    ...front,
    results,
    setPlan(p: Plan, r?: ResponseReader) {
      plan = p;
      reader = r;
    },
    /** The result of the last forward, once the exchange is over. */
    async lastResult(): Promise<ForwardResult> {
      for (let i = 0; i < 200 && results.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      return results[results.length - 1]!;
    },
  };
}

function call(url: string, overrides: Partial<BackendCall> = {}, req?: IncomingMessage, body?: Buffer): BackendCall {
  const headers: Record<string, string[]> = {};
  if (req) for (const [name, values] of Object.entries(req.headersDistinct)) if (values) headers[name] = values;
  return {
    url,
    method: req?.method ?? 'GET',
    headers,
    body: body && body.length ? body : undefined,
    clientIp: req?.socket.remoteAddress ?? '127.0.0.1',
    connectTimeoutSeconds: 60,
    readTimeoutSeconds: 10,
    sendTimeoutSeconds: 10,
    ...overrides,
  };
}

// ---------------------------------------------------------------- pure header rules

/** undici's flat header list as name → values, in the order the pairs come. */
function asRecord(list: string[]): Record<string, string[]> {
  const byName = new Map<string, string[]>();
  for (let i = 0; i < list.length; i += 2) byName.set(list[i]!, [...(byName.get(list[i]!) ?? []), list[i + 1]!]);
  return Object.fromEntries(byName);
}

describe('header rules (pure)', () => {
  it('hop-by-hop headers are dropped, names lower-cased, values of the same name merged', () => {
    expect(
      withoutHopByHop({
        Connection: ['keep-alive'],
        'Keep-Alive': ['timeout=5'],
        TE: ['trailers'],
        Trailer: ['x-sum'],
        'Transfer-Encoding': ['chunked'],
        Upgrade: ['websocket'],
        'Proxy-Authorization': ['Basic abc'],
        'Proxy-Connection': ['keep-alive'],
        'X-Custom': ['a'],
        'x-custom': ['b'],
        Accept: 'text/plain',
      }),
    ).toEqual({ 'x-custom': ['a', 'b'], accept: ['text/plain'] });
  });

  it('Forwarded for= quotes and brackets IPv6, leaves IPv4 bare, unmaps IPv4-mapped IPv6', () => {
    expect(forwardedFor('192.0.2.43')).toBe('for=192.0.2.43');
    expect(forwardedFor('2001:db8:cafe::17')).toBe('for="[2001:db8:cafe::17]"');
    expect(forwardedFor('::ffff:10.1.2.3')).toBe('for=10.1.2.3');
    expect(forwardedFor('')).toBe('for=unknown');
  });

  it('the backend request: Host rewritten, client named, chains appended, Expect and Content-Length dropped', () => {
    const list = backendRequestHeaders(
      {
        host: ['gateway.example.com'],
        'x-forwarded-for': ['203.0.113.7, 198.51.100.1'],
        forwarded: ['for=203.0.113.7'],
        'x-real-ip': ['6.6.6.6'],
        expect: ['100-continue'],
        'content-length': ['999'],
        connection: ['close'],
        authorization: ['Bearer abc'],
        'user-agent': ['curl/8.5.0'],
        'X-Forwarded-For': ['192.0.2.200'],
        'Proxy-Authorization': ['Basic abc'],
        constructor: ['a header like any other'],
        'x-multi': ['1', '2'],
      },
      '2001:db8::1',
      'backend.internal:8443',
    );
    expect(list.slice(0, 2)).toEqual(['host', 'backend.internal:8443']);
    expect(asRecord(list)).toEqual({
      host: ['backend.internal:8443'],
      authorization: ['Bearer abc'],
      'user-agent': ['curl/8.5.0'],
      'x-real-ip': ['2001:db8::1'],
      'x-forwarded-for': ['203.0.113.7, 198.51.100.1, 192.0.2.200, 2001:db8::1'],
      forwarded: ['for=203.0.113.7, for="[2001:db8::1]"'],
      constructor: ['a header like any other'],
      'x-multi': ['1', '2'],
    });
  });

  it('without a User-Agent the backend sees "Oracle API Gateway"; without chains they start with the client', () => {
    expect(asRecord(backendRequestHeaders({}, '::ffff:192.0.2.9', 'b'))).toEqual({
      host: ['b'],
      'x-real-ip': ['192.0.2.9'],
      'x-forwarded-for': ['192.0.2.9'],
      forwarded: ['for=192.0.2.9'],
      'user-agent': ['Oracle API Gateway'],
    });
  });

  it('response headers lose hop-by-hop ones and become arrays', () => {
    expect(backendResponseHeaders({ 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'], connection: 'close', 'keep-alive': 'timeout=5', 'proxy-authenticate': 'Basic', 'transfer-encoding': 'chunked' })).toEqual({
      'content-type': ['text/plain'],
      'set-cookie': ['a=1', 'b=2'],
    });
  });

  it('the backend URL is split as written: path and query untouched, an empty path becomes /', () => {
    expect(splitBackendUrl('http://Example.COM:80/a/../b%2F?x=San+Jos%C3%A9&y')).toEqual({ origin: 'http://example.com', host: 'example.com', path: '/a/../b%2F?x=San+Jos%C3%A9&y' });
    expect(splitBackendUrl('https://api.weather.gov')).toEqual({ origin: 'https://api.weather.gov', host: 'api.weather.gov', path: '/' });
    expect(splitBackendUrl('https://h:8443?q=1#frag')).toEqual({ origin: 'https://h:8443', host: 'h:8443', path: '/?q=1' });
    expect(splitBackendUrl('http://[::1]:9000/x')).toEqual({ origin: 'http://[::1]:9000', host: '[::1]:9000', path: '/x' });
    expect(() => splitBackendUrl('ftp://h/x')).toThrow('backend URL "ftp://h/x" is not an http(s) URL');
  });

  it('errors map to 502 (unreachable) or 504 (no timely answer)', () => {
    const t = { connectTimeoutSeconds: 60, readTimeoutSeconds: 10, sendTimeoutSeconds: 10 };
    const coded = (code: string, message: string) => Object.assign(new Error(message), { code });
    expect(backendFailure(coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'), t)).toEqual({ status: 502, message: 'Bad Gateway', reason: 'connect ECONNREFUSED 127.0.0.1:9' });
    expect(backendFailure(coded('ENOTFOUND', 'getaddrinfo ENOTFOUND x.invalid'), t)).toEqual({ status: 502, message: 'Bad Gateway', reason: 'getaddrinfo ENOTFOUND x.invalid' });
    expect(backendFailure(coded('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'), t)).toEqual({ status: 502, message: 'Bad Gateway', reason: 'connect timeout after 60 s' });
    expect(backendFailure(coded('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'), t)).toEqual({ status: 504, message: 'Gateway Timeout', reason: 'read timeout after 10 s' });
    expect(backendFailure(coded('UND_ERR_SOCKET', 'other side closed'), t)).toEqual({ status: 502, message: 'Bad Gateway', reason: 'the backend closed the connection (other side closed)' });
    expect(backendFailure(new BackendTimeout({ status: 504, message: 'Gateway Timeout', reason: 'send timeout after 2.5 s' }), t)).toEqual({ status: 504, message: 'Gateway Timeout', reason: 'send timeout after 2.5 s' });
  });
});

// ---------------------------------------------------------------- HTTP backend against live servers

describe('HTTP backend: forwarding to the echo backend', () => {
  let echo: RunningServer;
  let backends: HttpBackends;
  let front: Awaited<ReturnType<typeof startFront>>;
  beforeAll(async () => {
    echo = await startEchoBackend({ port: 0, host: '127.0.0.1' });
    backends = new HttpBackends();
    front = await startFront(backends);
  });
  afterAll(async () => {
    await front.stop();
    await backends.close();
    await echo.stop();
  });

  it('GET: the URL as written (route path not appended), query kept byte for byte, Host rewritten, client named, hop-by-hop gone', async () => {
    front.setPlan((req, body) => call(`${echo.url}/base/p%20q?own=1&client=2&city=San+Jos%C3%A9&flag`, {}, req, body));
    const reply = await send(`${front.url}/deployment/route/extra?ignored=1`, {
      headers: {
        'X-Forwarded-For': '203.0.113.7',
        Forwarded: 'for=203.0.113.7;proto=https',
        'X-Real-IP': '6.6.6.6',
        'Keep-Alive': 'timeout=5',
        TE: 'trailers',
        Upgrade: 'websocket',
        'Proxy-Authorization': 'Basic Zm9vOmJhcg==',
        'X-Custom': 'kept',
        'User-Agent': 'test-client/1',
      },
    });
    expect(reply.status).toBe(200);
    const echoed = JSON.parse(reply.body) as EchoedRequest;
    expect(echoed.method).toBe('GET');
    expect(echoed.url).toBe('/base/p%20q?own=1&client=2&city=San+Jos%C3%A9&flag');
    expect(echoed.path).toBe('/base/p%20q');
    expect(echoed.query).toEqual({ own: '1', client: '2', city: 'San José', flag: '' });
    // `connection: keep-alive` is the backend hop's own header, set by the gateway's connection pool.
    expect(echoed.headers).toEqual({
      host: `127.0.0.1:${echo.port}`,
      connection: 'keep-alive',
      'x-forwarded-for': '203.0.113.7, 127.0.0.1',
      forwarded: 'for=203.0.113.7;proto=https, for=127.0.0.1',
      'x-real-ip': '127.0.0.1',
      'x-custom': 'kept',
      'user-agent': 'test-client/1',
    });
    expect(reply.headers['x-front']).toBe('transformed');
    expect(await front.lastResult()).toEqual({ ok: true, status: 200 });
  });

  it('a URL without a path reaches the backend at /', async () => {
    front.setPlan((req, body) => call(echo.url, {}, req, body));
    const echoed = JSON.parse((await send(`${front.url}/anything`)).body) as EchoedRequest;
    expect(echoed.url).toBe('/');
  });

  it('POST: a chunked client body arrives whole, with its own Content-Length, no Transfer-Encoding or Expect', async () => {
    front.setPlan((req, body) => call(`${echo.url}/orders`, {}, req, body));
    const reply = await send(`${front.url}/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":"tea","qty":2}', chunked: true });
    const echoed = JSON.parse(reply.body) as EchoedRequest;
    expect(echoed.method).toBe('POST');
    expect(echoed.body).toBe('{"item":"tea","qty":2}');
    expect(echoed.json).toEqual({ item: 'tea', qty: 2 });
    expect(echoed.headers['content-length']).toBe('22');
    expect(echoed.headers['transfer-encoding']).toBeUndefined();
    expect(echoed.headers['expect']).toBeUndefined();
  });

  it('an IPv6 client is bracketed and quoted in Forwarded', async () => {
    front.setPlan((req, body) => call(`${echo.url}/v6`, { clientIp: '2001:db8:cafe::17' }, req, body));
    const echoed = JSON.parse((await send(`${front.url}/x`)).body) as EchoedRequest;
    expect(echoed.headers['forwarded']).toBe('for="[2001:db8:cafe::17]"');
    expect(echoed.headers['x-forwarded-for']).toBe('2001:db8:cafe::17');
    expect(echoed.headers['x-real-ip']).toBe('2001:db8:cafe::17');
  });
});

describe('HTTP backend: the backend answer is passed through', () => {
  let backend: Awaited<ReturnType<typeof listenHttp>>;
  let backends: HttpBackends;
  let front: Awaited<ReturnType<typeof startFront>>;
  beforeAll(async () => {
    backend = await listenHttp((req, res) => {
      if (req.url === '/created') {
        res.writeHead(201, [
          ['Content-Type', 'text/plain'],
          ['Content-Length', '7'],
          ['Set-Cookie', 'a=1'],
          ['Set-Cookie', 'b=2'],
          ['X-Backend', 'yes'],
        ]);
        res.end('made it');
      } else if (req.url === '/hop-by-hop') {
        // Trailer forces chunked framing on the backend's side.
        res.writeHead(200, [
          ['Keep-Alive', 'timeout=5'],
          ['Proxy-Authenticate', 'Basic realm="x"'],
          ['Trailer', 'x-sum'],
          ['X-Backend', 'yes'],
        ]);
        res.addTrailers({ 'x-sum': '42' });
        res.end('body');
      } else if (req.url === '/teapot') {
        res.writeHead(418, { 'content-type': 'application/json' });
        res.end('{"error":"teapot"}');
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: '/elsewhere' });
        res.end();
      } else {
        res.writeHead(204);
        res.end();
      }
    });
    backends = new HttpBackends();
    front = await startFront(backends);
  });
  afterAll(async () => {
    await front.stop();
    await backends.close();
    await backend.stop();
  });

  it('status, body and end-to-end headers (set-cookie twice) reach the client', async () => {
    front.setPlan((req, body) => call(`${backend.url}/created`, {}, req, body));
    const reply = await send(`${front.url}/x`);
    expect(reply.status).toBe(201);
    expect(reply.body).toBe('made it');
    expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(reply.headers['x-backend']).toBe('yes');
    expect(reply.headers['x-front']).toBe('transformed');
    expect(reply.headers['content-length']).toBe('7');
    expect(reply.headers['content-type']).toBe('text/plain');
  });

  it('hop-by-hop response headers (Keep-Alive, Proxy-*, Trailer) do not reach the client', async () => {
    front.setPlan((req, body) => call(`${backend.url}/hop-by-hop`, {}, req, body));
    const reply = await send(`${front.url}/x`);
    expect([reply.status, reply.body, reply.headers['x-backend']]).toEqual([200, 'body', 'yes']);
    expect(reply.headers['proxy-authenticate']).toBeUndefined();
    expect(reply.headers['trailer']).toBeUndefined();
    expect(reply.headers['keep-alive']).toBeUndefined();
  });

  it('error statuses and redirects are the backend’s, not the gateway’s', async () => {
    front.setPlan((req, body) => call(`${backend.url}${req.url}`, {}, req, body));
    const teapot = await send(`${front.url}/teapot`);
    expect([teapot.status, teapot.body]).toEqual([418, '{"error":"teapot"}']);
    const redirect = await send(`${front.url}/redirect`);
    expect([redirect.status, redirect.headers['location']]).toEqual([302, '/elsewhere']);
    const empty = await send(`${front.url}/nothing`);
    expect([empty.status, empty.body]).toEqual([204, '']);
  });

  it('HEAD gets the headers and no body', async () => {
    front.setPlan((req, body) => call(`${backend.url}/created`, {}, req, body));
    const reply = await send(`${front.url}/x`, { method: 'HEAD' });
    expect([reply.status, reply.body, reply.headers['content-length']]).toEqual([201, '', '7']);
  });
});

describe('HTTP backend: failures and timeouts', () => {
  let backends: HttpBackends;
  let front: Awaited<ReturnType<typeof startFront>>;
  const servers: Array<{ stop: () => Promise<void> }> = [];
  beforeAll(async () => {
    backends = new HttpBackends();
    front = await startFront(backends);
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
    front.results.length = 0;
  });
  afterAll(async () => {
    await front.stop();
    await backends.close();
  });

  it('connection refused → 502 Bad Gateway with the system reason', async () => {
    const port = await closedPort();
    front.setPlan((req, body) => call(`http://127.0.0.1:${port}/x`, {}, req, body));
    const reply = await send(`${front.url}/x`);
    expect([reply.status, reply.body]).toEqual([502, '{"code":502,"message":"Bad Gateway"}']);
    expect(await front.lastResult()).toEqual({ ok: false, status: 502, message: 'Bad Gateway', reason: `connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('a host that does not resolve → 502', async () => {
    // A bounded connect timeout keeps the test short where no resolver answers at all.
    front.setPlan((req, body) => call('http://no-such-backend.invalid/x', { connectTimeoutSeconds: 3 }, req, body));
    const reply = await send(`${front.url}/x`);
    expect(reply.status).toBe(502);
    const result = await front.lastResult();
    expect(result).toMatchObject({ ok: false, status: 502, message: 'Bad Gateway' });
    expect((result as { reason: string }).reason).toMatch(/^(getaddrinfo (ENOTFOUND|EAI_AGAIN) no-such-backend\.invalid|connect timeout after 3 s)$/);
  });

  it('connect timeout (a TLS handshake that never completes) → 502 in time', async () => {
    const silent = await listenTcp(() => {});
    servers.push(silent);
    front.setPlan((req, body) => call(`https://127.0.0.1:${silent.port}/x`, { connectTimeoutSeconds: 0.3 }, req, body));
    const started = performance.now();
    const reply = await send(`${front.url}/x`);
    const elapsed = performance.now() - started;
    expect(reply.status).toBe(502);
    expect(await front.lastResult()).toEqual({ ok: false, status: 502, message: 'Bad Gateway', reason: 'connect timeout after 0.3 s' });
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('read timeout (a backend that never sends its headers) → 504 in time', async () => {
    const hanging = await listenHttp(() => {});
    servers.push(hanging);
    front.setPlan((req, body) => call(`${hanging.url}/x`, { readTimeoutSeconds: 0.3 }, req, body));
    const started = performance.now();
    const reply = await send(`${front.url}/x`);
    const elapsed = performance.now() - started;
    expect([reply.status, reply.body]).toEqual([504, '{"code":504,"message":"Gateway Timeout"}']);
    expect(await front.lastResult()).toEqual({ ok: false, status: 504, message: 'Gateway Timeout', reason: 'read timeout after 0.3 s' });
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('send timeout (a backend that stops reading a large body) → 504, by the send timeout, not the read timeout', async () => {
    const deaf = await listenTcp(() => {}, { pauseOnConnect: true });
    servers.push(deaf);
    const big = Buffer.alloc(16 * 1024 * 1024, 0x61);
    front.setPlan((req) => call(`http://127.0.0.1:${deaf.port}/upload`, { method: 'POST', body: big, sendTimeoutSeconds: 0.4, readTimeoutSeconds: 30 }, req));
    const started = performance.now();
    const reply = await send(`${front.url}/x`, { method: 'POST', body: 'small' });
    const elapsed = performance.now() - started;
    expect(reply.status).toBe(504);
    expect(await front.lastResult()).toEqual({ ok: false, status: 504, message: 'Gateway Timeout', reason: 'send timeout after 0.4 s' });
    expect(elapsed).toBeLessThan(5_000);
  });

  it('a backend that reads a large body slowly but steadily is not cut: the send timeout is the gap between two writes', async () => {
    // Larger than the socket buffers (several MB on loopback), so the upload itself lasts past the send timeout.
    const bodyBytes = 20 * 1024 * 1024;
    const slowReader = await listenTcp((socket) => {
      let head = '';
      let expected = Infinity;
      let got = 0;
      let burst = 0;
      socket.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (expected === Infinity) {
          head += chunk.toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end >= 0) expected = end + 4 + bodyBytes;
        }
        if (got >= expected) {
          socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
          return;
        }
        // A megabyte, then a pause well under the send timeout: about 20 MB/s, so the upload takes about a second.
        burst += chunk.length;
        if (burst >= 1024 * 1024) {
          burst = 0;
          socket.pause();
          setTimeout(() => socket.resume(), 50);
        }
      });
    });
    servers.push(slowReader);
    front.setPlan((req) => call(`http://127.0.0.1:${slowReader.port}/upload`, { method: 'POST', body: Buffer.alloc(bodyBytes, 0x62), sendTimeoutSeconds: 0.4 }, req));
    const started = performance.now();
    const reply = await send(`${front.url}/x`, { method: 'POST', body: 'small' });
    const elapsed = performance.now() - started;
    expect([reply.status, reply.body]).toEqual([200, 'ok']);
    expect(await front.lastResult()).toEqual({ ok: true, status: 200 });
    expect(elapsed).toBeGreaterThan(600);
  });

  it('a backend that resets mid-body: the status already went out, so the client connection is cut', async () => {
    const resetting = await listenHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
      res.write('first bytes');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    servers.push(resetting);
    front.setPlan((req, body) => call(`${resetting.url}/x`, {}, req, body));
    const reply = await send(`${front.url}/x`);
    expect([reply.status, reply.body, reply.complete]).toEqual([200, 'first bytes', false]);
    const result = await front.lastResult();
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect((result as { incomplete?: string }).incomplete).toMatch(/^the backend closed the connection \(other side closed\)$/);
  });

  it('a body that stalls longer than the read timeout: cut after the read timeout', async () => {
    const stalling = await listenHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part one;');
    });
    servers.push(stalling);
    front.setPlan((req, body) => call(`${stalling.url}/x`, { readTimeoutSeconds: 0.3 }, req, body));
    const reply = await send(`${front.url}/x`);
    expect([reply.status, reply.body, reply.complete]).toEqual([200, 'part one;', false]);
    expect(await front.lastResult()).toEqual({ ok: true, status: 200, incomplete: 'read timeout after 0.3 s' });
  });

  it('a slow but steady body is not cut: the read timeout is the gap between two chunks', async () => {
    const trickling = await listenHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let n = 0;
      const tick = setInterval(() => {
        res.write(`${n};`);
        if (++n === 6) {
          clearInterval(tick);
          res.end();
        }
      }, 100);
    });
    servers.push(trickling);
    front.setPlan((req, body) => call(`${trickling.url}/x`, { readTimeoutSeconds: 0.3 }, req, body));
    const reply = await send(`${front.url}/x`);
    expect([reply.status, reply.body, reply.complete]).toEqual([200, '0;1;2;3;4;5;', true]);
    expect(await front.lastResult()).toEqual({ ok: true, status: 200 });
  });

  it('a client that leaves while the backend is thinking: the backend call is abandoned', async () => {
    let backendSawClose!: () => void;
    const closed = new Promise<void>((r) => (backendSawClose = r));
    const thinking = await listenHttp((req) => req.socket.on('close', () => backendSawClose()));
    servers.push(thinking);
    front.setPlan((req, body) => call(`${thinking.url}/x`, {}, req, body));
    const req = httpRequest(`${front.url}/x`, { agent: false });
    req.on('error', () => {});
    req.end();
    await new Promise((r) => setTimeout(r, 150));
    req.destroy();
    await closed;
    expect(await front.lastResult()).toEqual({ ok: false, status: 502, message: 'Bad Gateway', reason: 'the client closed the connection' });
  });

  it('an invalid backend URL → 502 without a network call', async () => {
    front.setPlan((req, body) => call('file:///etc/passwd', {}, req, body));
    const reply = await send(`${front.url}/x`);
    expect(reply.status).toBe(502);
    expect(await front.lastResult()).toEqual({ ok: false, status: 502, message: 'Bad Gateway', reason: 'backend URL "file:///etc/passwd" is not an http(s) URL' });
  });
});

describe('HTTP backend: connection reuse', () => {
  it('sequential calls to one origin share one keep-alive connection', async () => {
    const backend = await listenHttp((_req, res) => res.end('ok'));
    const backends = new HttpBackends();
    const front = await startFront(backends);
    try {
      front.setPlan((req, body) => call(`${backend.url}/x`, {}, req, body));
      for (let i = 0; i < 5; i++) expect((await send(`${front.url}/x`)).body).toBe('ok');
      expect(backend.connections()).toBe(1);
    } finally {
      await front.stop();
      await backends.close();
      await backend.stop();
    }
  });

  it('concurrent calls open at most maxSocketsPerOrigin connections and all succeed', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const backend = await listenHttp((_req, res) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      setTimeout(() => {
        inFlight--;
        res.end('ok');
      }, 100);
    });
    const backends = new HttpBackends({ maxSocketsPerOrigin: 2 });
    const front = await startFront(backends);
    try {
      front.setPlan((req, body) => call(`${backend.url}/x`, {}, req, body));
      const replies = await Promise.all(Array.from({ length: 6 }, () => send(`${front.url}/x`)));
      expect(replies.map((r) => r.body)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
      expect(backend.connections()).toBe(2);
      expect(maxInFlight).toBe(2);
    } finally {
      await front.stop();
      await backends.close();
      await backend.stop();
    }
  });
});

// ---------------------------------------------------------------- stock responses

describe('stock response', () => {
  const stock = (b: Partial<models.StockResponseBackend>): models.StockResponseBackend => ({ type: 'STOCK_RESPONSE_BACKEND', status: 200, ...b });

  it('status, body and headers as configured; a name given twice is sent twice', () => {
    expect(
      stockResponse(
        stock({
          status: 503,
          body: '{"status":"maintenance"}',
          headers: [
            { name: 'Content-Type', value: 'application/json' },
            { name: 'Set-Cookie', value: 'a=1' },
            { name: 'set-cookie', value: 'b=2' },
            { name: 'Retry-After', value: '120' },
          ],
        }),
      ),
    ).toEqual({ status: 503, headers: { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], 'retry-after': '120' }, body: '{"status":"maintenance"}' });
  });

  it('no body means an empty body; no Content-Type is invented', () => {
    expect(stockResponse(stock({ status: 204 }))).toEqual({ status: 204, headers: {}, body: '' });
    expect(stockResponse(stock({ status: 200, body: 'hello' }))).toEqual({ status: 200, headers: {}, body: 'hello' });
  });

  it('Content-Length and hop-by-hop headers are left to the gateway', () => {
    expect(
      stockResponse(
        stock({
          body: 'x',
          headers: [
            { name: 'Content-Length', value: '99' },
            { name: 'Transfer-Encoding', value: 'chunked' },
            { name: 'Connection', value: 'close' },
            { name: 'X-Kept', value: '' },
          ],
        }),
      ),
    ).toEqual({ status: 200, headers: { 'x-kept': '' }, body: 'x' });
  });
});

// ---------------------------------------------------------------- functions

describe('functions backend', () => {
  const fn = (functionId: string): models.OracleFunctionBackend => ({ type: 'ORACLE_FUNCTIONS_BACKEND', functionId });
  const local = (id: string) => (id === 'ocid1.fnfunc.oc1..hello' ? 'http://127.0.0.1:9999/hello' : undefined);

  it('a mapped function id gives its local URL; an unknown one is a 502', () => {
    expect(functionCall(fn('ocid1.fnfunc.oc1..hello'), local)).toEqual({ ok: true, url: 'http://127.0.0.1:9999/hello' });
    expect(functionCall(fn('ocid1.fnfunc.oc1..other'), local)).toEqual({
      ok: false,
      status: 502,
      message: 'Bad Gateway',
      reason: 'function ocid1.fnfunc.oc1..other has no local URL in the stack config, so it cannot be invoked',
    });
  });

  it('the invocation carries the client request in Fn HTTP-gateway headers', () => {
    expect(
      functionRequestHeaders(
        { method: 'PUT', requestUrl: '/test/fn/items/7?x=1', headers: { 'content-type': ['application/json'], Authorization: ['Bearer t'], 'x-multi': ['a', 'b'], host: ['gw'], connection: ['keep-alive'], 'content-length': ['2'] } },
        'CALL1',
        new Date('2026-01-02T03:04:05.000Z'),
      ),
    ).toEqual({
      'fn-call-id': ['CALL1'],
      'fn-deadline': ['2026-01-02T03:04:05.000Z'],
      'fn-intent': ['httprequest'],
      'fn-invoke-type': ['sync'],
      'fn-http-method': ['PUT'],
      'fn-http-request-url': ['/test/fn/items/7?x=1'],
      'fn-http-h-content-type': ['application/json'],
      'fn-http-h-authorization': ['Bearer t'],
      'fn-http-h-x-multi': ['a', 'b'],
      'content-type': ['application/json'],
    });
  });

  it('an Fn answer: status from Fn-Http-Status, headers from Fn-Http-H-*, platform headers dropped', () => {
    expect(
      functionResponse(200, {
        'fn-http-status': ['201'],
        'fn-http-h-location': ['/items/7'],
        'fn-http-h-content-type': ['application/json'],
        'content-type': ['text/plain'],
        'content-length': ['11'],
        'fn-call-id': ['CALL1'],
        'opc-request-id': ['platform'],
        'fn-http-h-connection': ['close'],
      }),
    ).toEqual({ status: 201, headers: { location: ['/items/7'], 'content-type': ['application/json'], 'content-length': ['11'] } });
    expect(functionResponse(200, { 'fn-http-h-x': ['1'] })).toEqual({ status: 200, headers: { x: ['1'] } });
  });

  it('a plain HTTP answer (no Fn-Http-* header) is relayed as it is', () => {
    expect(functionResponse(418, { 'content-type': ['text/plain'], 'x-a': ['1'] })).toEqual({ status: 418, headers: { 'content-type': ['text/plain'], 'x-a': ['1'] } });
  });

  it('end to end: the client gets the status and headers the function set', async () => {
    const fnServer = await listenHttp((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, { 'fn-http-status': '202', 'fn-http-h-x-method': String(req.headers['fn-http-method']), 'content-type': 'text/plain', 'fn-call-id': 'C' });
        res.end(`got ${Buffer.concat(chunks).toString()} via ${req.method}`);
      });
    });
    const backends = new HttpBackends();
    const front = await startFront(backends);
    try {
      front.setPlan((req, body) => {
        const headers = functionRequestHeaders({ method: req.method!, requestUrl: req.url!, headers: req.headersDistinct as Record<string, string[]> }, 'C', new Date(0));
        return call(`${fnServer.url}/call`, { method: 'POST', headers, body }, req);
      }, functionResponse);
      const reply = await send(`${front.url}/fn?x=1`, { method: 'PATCH', body: 'hi' });
      expect([reply.status, reply.body, reply.headers['x-method'], reply.headers['content-type'], reply.headers['fn-call-id']]).toEqual([202, 'got hi via POST', 'PATCH', 'text/plain', undefined]);
    } finally {
      await front.stop();
      await backends.close();
      await fnServer.stop();
    }
  });
});

// ---------------------------------------------------------------- dynamic routing

describe('dynamic routing', () => {
  const http = (url: string): models.HTTPBackend => ({ type: 'HTTP_BACKEND', url });
  const anyOf = (name: string, values: string[], isDefault = false): models.AnyOfSelectionKey => ({ type: 'ANY_OF', name, values, isDefault });
  const wildcard = (name: string, expression: string, isDefault = false): models.WildcardSelectionKey => ({ type: 'WILDCARD', name, expression, isDefault });
  const dynamic = (...routingBackends: models.DynamicRoutingTypeRoutingBackend[]): models.DynamicRoutingBackend => ({
    type: 'DYNAMIC_ROUTING_BACKEND',
    selectionSource: { type: 'SINGLE', selector: 'request.headers[x-tier]' } as models.SingleSelectionSourcePolicy,
    routingBackends,
  });
  const routes = dynamic(
    { key: wildcard('wild-first', 'prem*'), backend: http('http://wild-first') },
    { key: wildcard('wild-second', '*ium'), backend: http('http://wild-second') },
    { key: anyOf('exact', ['Premium', 'gold']), backend: http('http://exact') },
    { key: wildcard('plus', 'beta+'), backend: http('http://plus') },
    { key: anyOf('fallback', ['free'], true), backend: http('http://fallback') },
  );
  const pick = (values: string[] | undefined) => {
    const r = selectDynamicBackend(routes, values);
    return r.ok ? r.key : r.reason;
  };

  it('an exact ANY_OF match wins over wildcards listed before it, ignoring case', () => {
    expect(pick(['premium'])).toBe('exact');
    expect(pick(['PREMIUM'])).toBe('exact');
    expect(pick(['Gold'])).toBe('exact');
  });

  it('then the first matching wildcard in order, case-sensitively', () => {
    expect(pick(['premX'])).toBe('wild-first');
    expect(pick(['medium'])).toBe('wild-second');
    expect(pick(['MEDIUM'])).toBe('fallback');
    expect(pick(['PremX'])).toBe('fallback');
  });

  it('`+` needs at least one character, `*` none', () => {
    expect(pick(['beta'])).toBe('fallback');
    expect(pick(['beta2'])).toBe('plus');
    expect(pick(['prem'])).toBe('wild-first');
    expect(wildcardMatches('+ium', 'ium')).toBe(false);
    expect(wildcardMatches('+ium', 'xium')).toBe(true);
    expect(wildcardMatches('*', '')).toBe(true);
    expect(wildcardMatches('+', '')).toBe(false);
  });

  it('then the default; the default also matches its own values', () => {
    expect(pick(['bronze'])).toBe('fallback');
    expect(pick(['FREE'])).toBe('fallback');
  });

  it('only the first value of the selector counts; a missing one reads as ""', () => {
    expect(pick(['bronze', 'gold'])).toBe('fallback');
    expect(pick(['gold', 'bronze'])).toBe('exact');
    expect(pick(undefined)).toBe('fallback');
    expect(pick([])).toBe('fallback');
  });

  it('the selected backend is returned as configured', () => {
    expect(selectDynamicBackend(routes, ['gold'])).toEqual({ ok: true, key: 'exact', backend: { type: 'HTTP_BACKEND', url: 'http://exact' } });
  });

  it('no match and no default: a failure with the reason', () => {
    const noDefault = dynamic({ key: anyOf('a', ['a']), backend: http('http://a') });
    expect(selectDynamicBackend(noDefault, ['b'])).toEqual({ ok: false, reason: 'no routing backend matches "b" (the value of request.headers[x-tier]) and none is the default' });
  });

  it('a child backend type OCI does not allow under dynamic routing is a failure', () => {
    const nested = dynamic({ key: anyOf('inner', ['x']), backend: dynamic() as unknown as models.HTTPBackend });
    expect(selectDynamicBackend(nested, ['x'])).toEqual({ ok: false, reason: 'routing backend "inner" is a DYNAMIC_ROUTING_BACKEND, which a dynamic routing backend cannot send to' });
  });

  it('stock and function children are allowed', () => {
    const mixed = dynamic(
      { key: anyOf('stock', ['s']), backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200 } as models.StockResponseBackend },
      { key: anyOf('fn', ['f']), backend: { type: 'ORACLE_FUNCTIONS_BACKEND', functionId: 'ocid1.fnfunc.oc1..x' } as models.OracleFunctionBackend },
    );
    expect(selectDynamicBackend(mixed, ['S'])).toMatchObject({ ok: true, key: 'stock' });
    expect(selectDynamicBackend(mixed, ['f'])).toMatchObject({ ok: true, key: 'fn' });
  });
});
