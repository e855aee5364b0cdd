/** The echo backend of CONTRACT.md: any method, any path → 200 JSON of the request it got. */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../common/http.js';
import { echoOf, startEchoBackend } from '../../gateway-emulator/backends/echo-server.js';

/** A plain node request: only the headers given, plus Host and Connection. */
function send(url: string, init: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('echo backend', () => {
  let echo: RunningServer;
  beforeAll(async () => {
    echo = await startEchoBackend({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => echo.stop());

  it('GET on any path: method, raw path, decoded query (repeated names as arrays), the request target, headers, empty body', async () => {
    const reply = await send(`${echo.url}/any/deep%20path?a=1&a=2&city=San+Jos%C3%A9&flag`, { headers: { 'X-Custom': 'v', Authorization: 'Bearer t' } });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(reply.body)).toEqual({
      method: 'GET',
      path: '/any/deep%20path',
      query: { a: ['1', '2'], city: 'San José', flag: '' },
      url: '/any/deep%20path?a=1&a=2&city=San+Jos%C3%A9&flag',
      headers: { 'x-custom': 'v', authorization: 'Bearer t', host: `127.0.0.1:${echo.port}`, connection: 'close' },
      body: '',
    });
  });

  it('POST JSON: the body as text and parsed', async () => {
    const reply = await send(`${echo.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"item":"tea","qty":2}' });
    const echoed = JSON.parse(reply.body);
    expect([echoed.method, echoed.body, echoed.json]).toEqual(['POST', '{"item":"tea","qty":2}', { item: 'tea', qty: 2 }]);
  });

  it('a +json media type is parsed too; text and broken JSON stay text only', async () => {
    const problem = JSON.parse((await send(`${echo.url}/p`, { method: 'PUT', headers: { 'content-type': 'application/problem+json' }, body: '{"title":"x"}' })).body);
    expect(problem.json).toEqual({ title: 'x' });
    const text = JSON.parse((await send(`${echo.url}/t`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"not":"parsed"}' })).body);
    expect([text.body, 'json' in text]).toEqual(['{"not":"parsed"}', false]);
    const broken = JSON.parse((await send(`${echo.url}/b`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{broken' })).body);
    expect([broken.body, 'json' in broken]).toEqual(['{broken', false]);
  });

  it('every method is echoed, including DELETE and PATCH; HEAD gets no body', async () => {
    for (const method of ['DELETE', 'PATCH', 'OPTIONS']) {
      const reply = await send(`${echo.url}/m`, { method });
      expect([reply.status, JSON.parse(reply.body).method]).toEqual([200, method]);
    }
    const head = await send(`${echo.url}/m`, { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('a body over the common 1 MiB limit is still echoed (OCI forwards up to 20 MB)', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const reply = await send(`${echo.url}/big`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: big });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).body.length).toBe(2 * 1024 * 1024);
  });

  it('GET /_harness/health is the one path that is not echoed; other methods on it are', async () => {
    const health = await send(`${echo.url}/_harness/health`);
    expect([health.status, JSON.parse(health.body)]).toEqual([200, { status: 'UP', component: 'echo-backend' }]);
    const posted = await send(`${echo.url}/_harness/health`, { method: 'POST', body: 'hi' });
    expect([posted.status, JSON.parse(posted.body).path, JSON.parse(posted.body).body]).toEqual([200, '/_harness/health', 'hi']);
  });

  it('every response carries an opc-request-id: the caller’s, or a generated one', async () => {
    expect((await send(`${echo.url}/id`)).headers['opc-request-id']).toMatch(/^[0-9A-F]{32}$/);
    expect((await send(`${echo.url}/id`, { headers: { 'opc-request-id': 'GATEWAY-ID/1' } })).headers['opc-request-id']).toBe('GATEWAY-ID/1');
  });

  it('echoOf (pure): a request without a query has an empty query object', () => {
    expect(echoOf('GET', '/x', { host: 'h' }, Buffer.alloc(0))).toEqual({ method: 'GET', path: '/x', query: {}, url: '/x', headers: { host: 'h' }, body: '' });
  });
});
