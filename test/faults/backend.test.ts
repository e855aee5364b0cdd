/**
 * Faults of an HTTP backend, through the gateway's data plane, each timed: refused (502), closed or
 * reset before the answer (502), reset in the middle of the body (the status is out: the client
 * connection is cut), no headers within `readTimeoutInSeconds` (504), a body that stalls (cut) or
 * only trickles (fine: the read timeout is per gap), a backend that never reads the request body
 * (send timeout, 504), and a connect that never completes (a listener with a full backlog on
 * loopback: 502 after `connectTimeoutInSeconds`). Reference §1.8, §4: unreachable → 502, no timely
 * answer → 504 [I for the split].
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { closedPort, expectGatewayError, expectWithin, listenHttp, listenTcp, onRequestHead, printTimings, send, sleep, startGatewayUnderTest, type GatewayUnderTest, type TestServer } from './support.js';

/** The timeouts of these deployments, in seconds: short, so each fault costs well under a second. */
const READ_S = 0.5;
const SEND_S = 0.5;
const CONNECT_S = 0.5;
const SLACK_MS = 600;

let gateway: GatewayUnderTest;
const servers: TestServer[] = [];
let backlogHolder: ChildProcess | undefined;
const fillers: Socket[] = [];

function httpRoute(path: string, url: string, timeouts: { connectTimeoutInSeconds?: number; readTimeoutInSeconds?: number; sendTimeoutInSeconds?: number } = {}) {
  return {
    path,
    methods: ['GET', 'POST'],
    backend: { type: 'HTTP_BACKEND', url, connectTimeoutInSeconds: CONNECT_S, readTimeoutInSeconds: READ_S, sendTimeoutInSeconds: SEND_S, ...timeouts },
  };
}

async function tcp(onSocket: (socket: Socket) => void): Promise<string> {
  const server = await listenTcp(onSocket);
  servers.push(server);
  return `${server.url}/backend`;
}

/**
 * A loopback port whose listener never accepts (its process is blocked) and whose accept queue is
 * full: a SYN to it is dropped, so a connect neither succeeds nor is refused. Linux queues up to
 * backlog + 1 finished handshakes; the filler connections take those places.
 */
async function unacceptingPort(): Promise<number> {
  const script = [
    "const s = require('node:net').createServer();",
    "s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {",
    "  process.stdout.write(s.address().port + '\\n');",
    '  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);',
    '});',
  ].join('\n');
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  backlogHolder = child;
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.once('exit', (code) => reject(new Error(`backlog holder exited with ${code}`)));
  });
  for (let i = 0; i < 16; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    fillers.push(socket);
    const connected = await Promise.race([new Promise<boolean>((r) => socket.once('connect', () => r(true))), sleep(300).then(() => false)]);
    if (!connected) return port; // this SYN was dropped: the queue is full
  }
  throw new Error('the listener kept accepting connections: cannot build a connect that hangs');
}

beforeAll(async () => {
  const clock = new ControllableClock();
  gateway = await startGatewayUnderTest({ clock });

  const refused = `http://127.0.0.1:${await closedPort()}/backend`;
  const closesAtOnce = await tcp((socket) => onRequestHead(socket, () => socket.end()));
  const resetsAtOnce = await tcp((socket) => onRequestHead(socket, () => socket.resetAndDestroy()));
  const resetsMidBody = await tcp((socket) =>
    onRequestHead(socket, () => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\n${'a'.repeat(100)}`);
      setTimeout(() => socket.resetAndDestroy(), 50);
    }),
  );
  const neverAnswers = await tcp((socket) => onRequestHead(socket, () => {}));
  const answersLate = await tcp((socket) =>
    onRequestHead(socket, () => setTimeout(() => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\nlate'), READ_S * 1000 * 0.5)),
  );
  const stallsInBody = await tcp((socket) =>
    onRequestHead(socket, () => socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\n${'b'.repeat(100)}`)),
  );
  const trickles = await tcp((socket) =>
    onRequestHead(socket, () => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 6\r\nconnection: close\r\n\r\n');
      let sent = 0;
      const tick = setInterval(() => {
        if (socket.destroyed) return clearInterval(tick);
        socket.write('t');
        if (++sent === 6) {
          clearInterval(tick);
          socket.end();
        }
      }, READ_S * 1000 * 0.4);
    }),
  );
  // Never reads: the request body fills the socket buffers and the gateway's writes stop.
  const neverReads = await tcp((socket) => socket.pause());
  const healthy = await listenHttp((_req, res) => res.end('fine'));
  servers.push(healthy);

  gateway.deploy('/b', {
    routes: [
      httpRoute('/refused', refused),
      httpRoute('/closed', closesAtOnce),
      httpRoute('/reset', resetsAtOnce),
      httpRoute('/reset-mid-body', resetsMidBody),
      httpRoute('/hangs', neverAnswers),
      httpRoute('/late-headers', answersLate),
      httpRoute('/stalls', stallsInBody),
      httpRoute('/trickles', trickles),
      httpRoute('/never-reads', neverReads),
      httpRoute('/unaccepted', `http://127.0.0.1:${await unacceptingPort()}/backend`),
      httpRoute('/healthy', `${healthy.url}/`),
    ],
  });
});

afterAll(async () => {
  printTimings();
  for (const socket of fillers) socket.destroy();
  if (backlogHolder && backlogHolder.exitCode === null) backlogHolder.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.stop()));
  await gateway?.stop();
});

const at = (route: string) => `${gateway.url}/b${route}`;

describe('backend unreachable: 502', () => {
  it('connection refused: 502 at once', async () => {
    const reply = await send(at('/refused'));
    expectGatewayError(reply, 502, 'Bad Gateway');
    expect(gateway.lastDecision().reason?.message).toMatch(/ECONNREFUSED/);
    expectWithin('backend refuses', reply.ms, { max: SLACK_MS });
  });

  it('connect never completes (full backlog): 502 after connectTimeoutInSeconds', async () => {
    const reply = await send(at('/unaccepted'));
    expectGatewayError(reply, 502, 'Bad Gateway');
    expect(gateway.lastDecision().reason?.message).toBe(`connect timeout after ${CONNECT_S} s`);
    expectWithin('connect timeout', reply.ms, { min: CONNECT_S * 1000 - 50, max: CONNECT_S * 1000 + SLACK_MS });
  });
});

describe('backend fails before its answer: 502', () => {
  it('closes the connection without answering', async () => {
    const reply = await send(at('/closed'));
    expectGatewayError(reply, 502, 'Bad Gateway');
    expectWithin('backend closes before answering', reply.ms, { max: SLACK_MS });
  });

  it('resets the connection without answering', async () => {
    const reply = await send(at('/reset'));
    expectGatewayError(reply, 502, 'Bad Gateway');
    expectWithin('backend resets before answering', reply.ms, { max: SLACK_MS });
  });
});

describe('backend resets in the middle of the body', () => {
  it('the status and the bytes already relayed stay; the client connection is cut', async () => {
    const reply = await send(at('/reset-mid-body'));
    expect(reply.status).toBe(200);
    expect(reply.complete).toBe(false);
    expect(reply.body).toBe('a'.repeat(100));
    expectWithin('backend resets mid-body', reply.ms, { max: SLACK_MS });
    const decision = gateway.lastDecision();
    expect(decision.status).toBe(200);
    expect(decision.reason?.check).toBe('backend');
  });
});

describe('backend slow: the read timeout', () => {
  it('no headers within readTimeoutInSeconds: 504 at the timeout', async () => {
    const reply = await send(at('/hangs'));
    expectGatewayError(reply, 504, 'Gateway Timeout');
    expect(gateway.lastDecision().reason?.message).toBe(`read timeout after ${READ_S} s`);
    expectWithin('backend sends no headers', reply.ms, { min: READ_S * 1000 - 50, max: READ_S * 1000 + SLACK_MS });
  });

  it('headers late but within the timeout: the answer goes through', async () => {
    const reply = await send(at('/late-headers'));
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('late');
  });

  it('body stalls after the headers: the client connection is cut one read timeout after the last bytes', async () => {
    const reply = await send(at('/stalls'));
    expect(reply.status).toBe(200);
    expect(reply.complete).toBe(false);
    expect(reply.body).toBe('b'.repeat(100));
    expect(gateway.lastDecision().reason?.message).toBe(`read timeout after ${READ_S} s`);
    expectWithin('backend body stalls', reply.ms, { min: READ_S * 1000 - 50, max: READ_S * 1000 + SLACK_MS });
  });

  it('body trickles, each gap under the timeout, the whole longer than it: complete', async () => {
    const reply = await send(at('/trickles'));
    expect(reply.status).toBe(200);
    expect(reply.complete).toBe(true);
    expect(reply.body).toBe('tttttt');
    expect(reply.ms).toBeGreaterThan(READ_S * 1000 * 2);
  });
});

describe('backend does not read the request body: the send timeout', () => {
  it('504 one send timeout after the socket stopped taking bytes', async () => {
    const reply = await send(at('/never-reads'), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(19 * 1024 * 1024, 1) });
    expectGatewayError(reply, 504, 'Gateway Timeout');
    expect(gateway.lastDecision().reason?.message).toBe(`send timeout after ${SEND_S} s`);
    expectWithin('backend never reads the body (incl. uploading 19 MB)', reply.ms, { min: SEND_S * 1000 - 50, max: SEND_S * 1000 + SLACK_MS + 1000 });
  });
});

describe('after the faults', () => {
  it('a healthy backend on the same gateway still answers', async () => {
    const reply = await send(at('/healthy'));
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('fine');
  });
});
