/**
 * The limits that protect the gateway process (reference §6): the header block (8 KB → 431), the
 * request body (20 MB → 413, declared or streamed), and slow clients (header read 15 s, whole
 * request 30 s → 408 and the connection closed). The caps are tested on the running stack; the
 * timeouts on a data plane started with short ones (the same code path, only the two numbers
 * differ), and the running stack's own settings are checked to be OCI's.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { KOA_TIMEOUTS, timeoutCheckInterval, type RunningServer } from '../../common/http.js';
import { HttpBackends } from '../../gateway-emulator/backends/http-backend.js';
import { DATA_PLANE_TIMEOUTS, MAX_BODY_BYTES, MAX_HEADER_BYTES, startDataPlane } from '../../gateway-emulator/data-plane.js';
import { DecisionLog } from '../../gateway-emulator/decision-log.js';
import { AuthorizerCache } from '../../gateway-emulator/pipeline/authenticate-custom.js';
import { JwksCache } from '../../gateway-emulator/pipeline/jwks-cache.js';
import { RateLimiter } from '../../gateway-emulator/pipeline/rate-limit.js';
import type { RunningStack } from '../../stack/stack.js';
import { http } from '../support/iam.js';
import { startTestStack } from '../support/stack.js';

interface RawExchange {
  /** Everything the server sent. */
  text: string;
  /** ms from connecting to the first byte of the answer (NaN: none came). */
  answeredAfterMs: number;
  /** ms from connecting to the server closing the connection (or the client giving up). */
  closedAfterMs: number;
  closedByServer: boolean;
}

/** What the driving code of {@link rawExchange} can see while it writes. */
interface ExchangeState {
  closed: boolean;
  answered: boolean;
  /** Everything the server sent so far. */
  text: string;
}

/**
 * A raw TCP client: connects, lets `drive` write (slowly, if it likes), collects what comes back
 * until the server closes the connection or `giveUpMs` passes.
 */
async function rawExchange(port: number, drive: (socket: Socket, state: ExchangeState) => Promise<void> | void, giveUpMs = 5_000): Promise<RawExchange> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const began = performance.now();
  const state: ExchangeState = { closed: false, answered: false, text: '' };
  let answeredAfterMs = Number.NaN;
  socket.on('data', (chunk: Buffer) => {
    if (!state.answered) answeredAfterMs = performance.now() - began;
    state.answered = true;
    state.text += chunk.toString('latin1');
  });
  // Writes after the server closed fail with EPIPE/ECONNRESET: expected here.
  socket.on('error', () => undefined);
  const done = new Promise<boolean>((resolve) => {
    socket.once('close', () => {
      state.closed = true;
      resolve(true);
    });
    setTimeout(() => resolve(false), giveUpMs).unref();
  });
  void Promise.resolve(drive(socket, state)).catch(() => undefined);
  const closedByServer = await done;
  const closedAfterMs = performance.now() - began;
  socket.destroy();
  return { text: state.text, answeredAfterMs, closedAfterMs, closedByServer };
}

/** Writes one chunk of a chunked body, waiting for the socket to drain. */
async function writeChunk(socket: Socket, chunk: Buffer): Promise<void> {
  socket.write(`${chunk.length.toString(16)}\r\n`);
  socket.write(chunk);
  if (!socket.write('\r\n')) await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
}

/** Writes raw bytes, waiting for the socket to drain. */
async function writeRaw(socket: Socket, bytes: Buffer): Promise<void> {
  if (!socket.write(bytes)) await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
}

const statusLine = (text: string) => text.split('\r\n')[0];
const bodyOf = (text: string) => text.slice(text.indexOf('\r\n\r\n') + 4);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('size caps on the running gateway', () => {
  let stack: RunningStack;
  let port: number;
  beforeAll(async () => {
    stack = await startTestStack();
    port = stack.gateway.dataPlane.port;
    const res = await http(`${stack.gateway.controlPlane.url}/20190501/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pathPrefix: '/caps', specification: { routes: [{ path: '/r', methods: ['GET', 'POST'], backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body: 'ok' } }] } }),
    });
    expect(res.status, res.text).toBe(200);
  });
  afterAll(() => stack?.stop());

  /** A GET whose whole header block (request line, headers, blank line) is `bytes` long. */
  const headerBlock = (bytes: number) => {
    const head = 'GET /caps/r HTTP/1.1\r\nHost: gw.local\r\nX-Pad: ';
    const tail = '\r\nConnection: close\r\n\r\n';
    return head + 'p'.repeat(bytes - head.length - tail.length) + tail;
  };

  it('a header block of 8 KB passes; 100 bytes more is a 431 in the gateway error shape, and the connection is closed', async () => {
    expect(MAX_HEADER_BYTES).toBe(8 * 1024);
    const fits = await rawExchange(port, (s) => void s.write(headerBlock(MAX_HEADER_BYTES)));
    expect(statusLine(fits.text)).toBe('HTTP/1.1 200 OK');

    const over = await rawExchange(port, (s) => void s.write(headerBlock(MAX_HEADER_BYTES + 100)));
    expect(over.closedByServer).toBe(true);
    expect(statusLine(over.text)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(over.text).toMatch(/\r\nopc-request-id: [0-9A-F]{32}\/[0-9A-F]{32}\/[0-9A-F]{32}\r\n/);
    expect(over.text).toMatch(/\r\ncontent-type: application\/json\r\n/);
    expect(JSON.parse(bodyOf(over.text))).toEqual({ code: 431, message: 'Request Header Fields Too Large' });
    // The process is fine: the next client is served.
    expect((await http(`${stack.gateway.dataPlane.url}/caps/r`)).status).toBe(200);
  });

  const MB = Buffer.alloc(1024 * 1024, 0x62);

  it('a body of exactly 20 MB is read; a declared 20 MB + 1 is a 413 at once, before any of it is sent', async () => {
    expect(MAX_BODY_BYTES).toBe(20 * 1024 * 1024);
    const exact = await http(`${stack.gateway.dataPlane.url}/caps/r`, { method: 'POST', body: Buffer.alloc(MAX_BODY_BYTES, 0x61) });
    expect(exact.status).toBe(200);

    // Content-Length one over the cap, and no body: the answer does not wait for it.
    const declared = await rawExchange(port, (s) => void s.write(`POST /caps/r HTTP/1.1\r\nHost: gw.local\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`), 600);
    expect(declared.answeredAfterMs).toBeLessThan(500);
    expect(statusLine(declared.text)).toBe('HTTP/1.1 413 Payload Too Large');
    expect(declared.text).toMatch(/\r\nopc-request-id: [0-9A-F/]{98}\r\n/);
    expect(JSON.parse(bodyOf(declared.text))).toEqual({ code: 413, message: 'Request Entity Too Large' });
  });

  it('a chunked body growing past 20 MB gets its 413 while still sending; the rest is drained and the connection serves the next request', async () => {
    let sentWhenAnswered = Number.NaN;
    const streamed = await rawExchange(port, async (s, state) => {
      s.write('POST /caps/r HTTP/1.1\r\nHost: gw.local\r\nTransfer-Encoding: chunked\r\n\r\n');
      for (let i = 1; i <= 30 && !state.closed; i++) {
        await writeChunk(s, MB);
        if (state.answered && Number.isNaN(sentWhenAnswered)) sentWhenAnswered = i;
      }
      s.write('0\r\n\r\n');
      // The same connection, once the refused body has ended where its framing said.
      s.write('GET /caps/r HTTP/1.1\r\nHost: gw.local\r\nConnection: close\r\n\r\n');
    });
    const answers = streamed.text.split(/(?=HTTP\/1\.1 )/);
    expect(answers.map(statusLine)).toEqual(['HTTP/1.1 413 Payload Too Large', 'HTTP/1.1 200 OK']);
    expect(JSON.parse(bodyOf(answers[0]!))).toEqual({ code: 413, message: 'Request Entity Too Large' });
    // The 413 came as the body crossed 20 MB (plus what the socket buffers hold), not at its end.
    expect(sentWhenAnswered).toBeLessThan(30);
    expect(streamed.closedByServer).toBe(true);
  });

  it('a refused body is drained at most 20 MB further: a client that keeps sending is cut, after it got its 413', async () => {
    let sentMb = 0;
    const endless = await rawExchange(port, async (s, state) => {
      s.write(`POST /caps/r HTTP/1.1\r\nHost: gw.local\r\nContent-Length: ${200 * MB.length}\r\n\r\n`);
      for (; sentMb < 200 && !state.closed; sentMb++) await writeRaw(s, MB);
    });
    expect(statusLine(endless.text)).toBe('HTTP/1.1 413 Payload Too Large');
    expect(endless.closedByServer).toBe(true);
    // 20 MB drained, plus what the kernel's socket buffers held.
    expect(sentMb).toBeLessThan(60);
  });
});

describe('slow clients', () => {
  const SHORT = { headersTimeoutMs: 400, requestTimeoutMs: 1_000 };
  /** How late a cut may come: node sweeps its connections every timeoutCheckInterval(headers) ms. */
  const SLACK_MS = timeoutCheckInterval(SHORT.headersTimeoutMs) + 400;
  let plane: RunningServer;

  beforeAll(async () => {
    const clock = new ControllableClock();
    // No deployments: every request is a 404, but the body is read (and timed) before the decision.
    plane = await startDataPlane(
      {
        clock,
        jwks: new JwksCache({ clock }),
        rateLimiter: new RateLimiter({ clock }),
        authorizerCache: new AuthorizerCache({ clock }),
        functions: { urlFor: () => undefined },
        deployments: () => [],
        backends: new HttpBackends(),
        log: new DecisionLog(10),
        explainRefusals: false,
      },
      0,
      '127.0.0.1',
      SHORT,
    );
  });
  afterAll(() => plane?.stop());

  const expect408 = (exchange: RawExchange) => {
    expect(exchange.closedByServer).toBe(true);
    expect(statusLine(exchange.text)).toBe('HTTP/1.1 408 Request Timeout');
    expect(JSON.parse(bodyOf(exchange.text))).toEqual({ code: 408, message: 'Request Timeout' });
  };

  it('a client dribbling its headers (one line every 50 ms, never done) is cut at the header timeout with a 408', async () => {
    const exchange = await rawExchange(plane.port, async (s, state) => {
      s.write('GET /anything HTTP/1.1\r\nHost: gw.local\r\n');
      for (let i = 0; !state.closed && i < 200; i++) {
        await sleep(50);
        if (!state.closed) s.write(`X-Slow-${i}: still coming\r\n`);
      }
    });
    expect408(exchange);
    expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(SHORT.headersTimeoutMs - 20);
    expect(exchange.closedAfterMs).toBeLessThan(SHORT.headersTimeoutMs + SLACK_MS);
  });

  it('a client that connects and sends nothing is cut at the header timeout too', async () => {
    const exchange = await rawExchange(plane.port, () => undefined);
    expect408(exchange);
    expect(exchange.closedAfterMs).toBeLessThan(SHORT.headersTimeoutMs + SLACK_MS);
  });

  it('a body dribbled one byte every 50 ms is cut at the request timeout with a 408; other clients are served meanwhile', async () => {
    const slow = rawExchange(plane.port, async (s, state) => {
      s.write('POST /anything HTTP/1.1\r\nHost: gw.local\r\nContent-Length: 1000\r\n\r\n');
      for (let i = 0; !state.closed && i < 1000; i++) {
        await sleep(50);
        if (!state.closed) s.write('x');
      }
    });
    // The process is not held up by the slow one.
    const fast = await fetch(`${plane.url}/anything`);
    expect(fast.status).toBe(404);
    const exchange = await slow;
    expect408(exchange);
    expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(SHORT.requestTimeoutMs - 20);
    expect(exchange.closedAfterMs).toBeLessThan(SHORT.requestTimeoutMs + SLACK_MS);
  });

  it("the running stack uses OCI's timeouts, swept every second (node's default sweep is every 30 s)", async () => {
    expect(DATA_PLANE_TIMEOUTS).toEqual({ headersTimeoutMs: 15_000, requestTimeoutMs: 30_000 });
    const stack = await startTestStack();
    try {
      const servers: Array<[Server, { headersTimeoutMs: number; requestTimeoutMs: number }]> = [
        [stack.gateway.dataPlane.server, DATA_PLANE_TIMEOUTS],
        [stack.gateway.controlPlane.server, KOA_TIMEOUTS],
        [stack.iam.server, KOA_TIMEOUTS],
      ];
      for (const [server, timeouts] of servers) {
        expect(server.headersTimeout).toBe(timeouts.headersTimeoutMs);
        expect(server.requestTimeout).toBe(timeouts.requestTimeoutMs);
        expect((server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval).toBe(1_000);
      }
    } finally {
      await stack.stop();
    }
  });
});
