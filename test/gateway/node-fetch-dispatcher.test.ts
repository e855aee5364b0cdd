/**
 * A process that runs the gateway (which uses undici 7) keeps Node's own fetch working: the
 * oci-apigateway SDK and other clients send requests with their own Content-Length through it,
 * which undici 7's dispatcher refused ("invalid content-length header") once it had taken over
 * Node's process-wide dispatcher slot (common/node-fetch-first.ts).
 */
import { createServer } from 'node:http';
import { expect, it } from 'vitest';
import '../../gateway-emulator/gateway.js';
import { request } from '../../common/undici.js';

it("Node's fetch sends a body with its own Content-Length, and undici's request still works", async () => {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => res.end(JSON.stringify({ length: req.headers['content-length'], body })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  try {
    const body = '{"pathPrefix":"/x"}';
    const response = await fetch(url, { method: 'POST', body, headers: { 'Content-Length': String(body.length), 'content-type': 'application/json' } });
    expect(await response.json()).toEqual({ length: String(body.length), body });
    const viaUndici = await request(url, { method: 'POST', body: 'abc' });
    expect(await viaUndici.body.json()).toEqual({ length: '3', body: 'abc' });
  } finally {
    server.close();
  }
});
