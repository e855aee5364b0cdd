/**
 * Case (b) of the gateway bench: a bare reverse proxy, `http-proxy` with a keep-alive agent (its
 * default agent opens a connection per request and collapses under load; reference
 * security-and-performance.md B.2), forwarding every request to BENCH_TARGET as the gateway
 * would: Host rewritten to the backend's, X-Forwarded-* added. No policy of any kind.
 */
import { Agent, createServer } from 'node:http';
import httpProxy from 'http-proxy';
import { emit, serveCommands } from './protocol.js';

const target = process.env.BENCH_TARGET;
if (!target) throw new Error('BENCH_TARGET (the echo backend URL) is required');

// As many upstream sockets as the gateway's HttpBackends keeps per origin (64).
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const proxy = httpProxy.createProxyServer({ target, agent, changeOrigin: true, xfwd: true });
proxy.on('error', (_err, _req, res) => {
  if ('writeHead' in res && !res.headersSent) {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end('{"code":502,"message":"Bad Gateway"}');
  } else res.destroy();
});
const server = createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 120_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };
serveCommands();
emit({ ready: true, port, url: `http://127.0.0.1:${port}` });
