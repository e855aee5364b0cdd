/**
 * Servers a test scripts: an HTTP server with its own handler, a TCP server handled byte by byte
 * (for backends and JWKS endpoints that misbehave), and a port that refuses connections. Each
 * counts what it received and `stop` cuts whatever is still open.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
