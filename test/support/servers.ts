/**
 * Servers a test scripts: an HTTP server with its own handler, a TCP server handled byte by byte
 * (for backends and JWKS endpoints that misbehave), and a port that refuses connections. Each
 * counts what it received and `stop` cuts whatever is still open. And the client those tests
 * call them with: one plain node request that reports a body cut short.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';

export interface TestServer {
  port: number;
  url: string;
  /** Requests (HTTP) or connections (TCP) received. */
  count(): number;
  /** TCP connections accepted (for HTTP: how many sockets the requests came over). */
  connections(): number;
  stop(): Promise<void>;
}

/** An HTTP server whose handler the test writes; every request counted; `stop` cuts what is open. */
export function listenHttp(handler: (req: IncomingMessage, res: ServerResponse) => void, port = 0): Promise<TestServer & { server: Server }> {
  let requests = 0;
  let connections = 0;
  const server = createServer((req, res) => {
    requests++;
    handler(req, res);
  });
  server.on('connection', () => connections++);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const p = (server.address() as AddressInfo).port;
      resolve({
        server,
        port: p,
        url: `http://127.0.0.1:${p}`,
        count: () => requests,
        connections: () => connections,
        stop: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

/** A TCP server whose connections the test handles byte by byte. */
export function listenTcp(onSocket: (socket: Socket) => void, options: { pauseOnConnect?: boolean } = {}): Promise<TestServer & { server: NetServer }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createNetServer({ pauseOnConnect: options.pauseOnConnect ?? false }, (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        server,
        port,
        url: `http://127.0.0.1:${port}`,
        count: () => connections,
        connections: () => connections,
        stop: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    }),
  );
}

/** A loopback port that was open a moment ago and is closed now: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const probe = await listenTcp(() => {});
  await probe.stop();
  return probe.port;
}

export interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  /** False when the connection was cut before the body was complete. */
  complete: boolean;
  /** From sending the request to the end of the body (or the cut). */
  ms: number;
}

/**
 * One plain node request (no extra headers of a fetch implementation) on a fresh connection (no
 * keep-alive pool between tests), timed. `chunked`: the body goes out in two writes without a
 * length, so node sends `Transfer-Encoding: chunked`.
 */
export function send(url: string, init: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer; chunked?: boolean } = {}): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const done = (complete: boolean) => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), complete, ms: performance.now() - started });
      };
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(res.complete));
      res.on('aborted', () => done(false));
      res.on('error', () => done(false));
      res.on('close', () => done(res.complete));
    });
    req.on('error', reject);
    if (init.chunked && init.body !== undefined) {
      const b = Buffer.from(init.body);
      req.write(b.subarray(0, 3));
      req.end(b.subarray(3));
    } else {
      req.end(init.body);
    }
  });
}
