/**
 * HTTP for attack tests: node:http rather than fetch, because fetch merges a repeated header into
 * one comma-joined value and normalises what it sends; an attack must reach the server byte for
 * byte (a header twice, a tab, a no-break space, a raw `+` in the query). Plus a tiny JSON server
 * that counts every request it receives (the attacker's key set, a JWKS with odd keys).
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body as JSON when it is JSON, else undefined. */
  json: unknown;
}

/** GET `base` + `path` (path and query sent as written) with exactly these header lines (an array value: one line per element). */
export function rawGet(base: string, path: string, headers: Record<string, string | string[]> = {}): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export interface CountingServer {
  url: string;
  /** Every request received, as `METHOD path`. */
  readonly hits: string[];
  stop(): Promise<void>;
}

/** Serves fixed JSON (or text) bodies by path on an ephemeral port; 404 elsewhere. Records every request. */
export async function startCountingServer(routes: Record<string, { body: unknown; contentType?: string }>): Promise<CountingServer> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    const route = routes[(req.url ?? '/').split('?')[0]!];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const text = typeof route.body === 'string' ? route.body : JSON.stringify(route.body);
    res.writeHead(200, { 'content-type': route.contentType ?? 'application/json' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
