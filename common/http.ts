/**
 * Koa basics every component of the stack shares: `opc-request-id` on every response, one error
 * mapper for the three error shapes, a bounded body reader and the health route.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import Koa, { type Context, type Middleware } from 'koa';
import { HARNESS_REASON_HEADER, OAuthError, OciError, ScimError } from './errors.js';

/** Largest request body any endpoint reads (IDCS forms and SCIM bodies are far smaller). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** OCI answers every call with an `opc-request-id`; a caller's own id is echoed back. */
export function opcRequestId(): Middleware {
  return async (ctx, next) => {
    const given = ctx.get('opc-request-id');
    const id = /^[\w./:-]{1,98}$/.test(given) ? given : randomBytes(16).toString('hex').toUpperCase();
    ctx.set('opc-request-id', id);
    ctx.state.requestId = id;
    await next();
  };
}

/**
 * Writes our typed errors in their own shapes; anything else is our bug, answered as a 500 in
 * the component's shape and logged, never a crash.
 */
/** `oci` is OCI's control-plane shape: `{code: "InvalidParameter", message}` with string codes. */
export type ErrorShape = 'oauth' | 'scim' | 'oci';

export function errorMapper(fallbackShape: ErrorShape | ((ctx: Context) => ErrorShape), log: (msg: string) => void = console.error): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      writeError(ctx, err, typeof fallbackShape === 'function' ? fallbackShape(ctx) : fallbackShape, log);
    }
  };
}

export function writeError(ctx: Context, err: unknown, fallbackShape: ErrorShape, log: (msg: string) => void = console.error): void {
  if (err instanceof OAuthError) {
    ctx.status = err.status;
    ctx.set({ ...err.headers, [HARNESS_REASON_HEADER]: headerSafe(err.reason), 'cache-control': 'no-store', pragma: 'no-cache' });
    ctx.body = err.body();
  } else if (err instanceof ScimError) {
    ctx.status = err.status;
    ctx.set(HARNESS_REASON_HEADER, headerSafe(err.reason));
    ctx.body = err.body();
  } else if (err instanceof OciError) {
    ctx.status = err.status;
    ctx.set({ ...err.headers, [HARNESS_REASON_HEADER]: headerSafe(err.reason) });
    ctx.body = err.body();
  } else if (err instanceof BodyError) {
    ctx.status = err.status;
    ctx.set(HARNESS_REASON_HEADER, headerSafe(err.message));
    // Answered before the rest of the body is read: drained (bounded) so the client gets the answer.
    if (err.status === 413) drainRequest(ctx.req);
    ctx.body =
      fallbackShape === 'oauth'
        ? { error: 'invalid_request', error_description: err.message }
        : fallbackShape === 'scim'
          ? new ScimError(err.status, err.message, 'error.common.validation.invalidRequest').body()
          : { code: err.status === 413 ? 'RequestEntityTooLarge' : 'InvalidParameter', message: err.message };
  } else {
    log(`internal error on ${ctx.method} ${ctx.path}: ${(err as Error)?.stack ?? String(err)}`);
    ctx.status = 500;
    ctx.body =
      fallbackShape === 'oauth'
        ? { error: 'server_error', error_description: 'Internal error in the harness.' }
        : fallbackShape === 'scim'
          ? new ScimError(500, 'Internal error in the harness.', 'error.common.exception.internal').body()
          : { code: 'InternalServerError', message: 'Internal error in the harness.' };
  }
}

/** Header values must be visible ASCII; reasons quote user input, so strip the rest. */
export function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 1000);
}

export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the raw request body as UTF-8, refusing more than `limit` bytes with 413. */
export async function readRawBody(ctx: Context, limit = MAX_BODY_BYTES): Promise<string> {
  return (await readRawBytes(ctx, limit)).toString('utf8');
}

/** Reads the raw request body bytes (signatures are over bytes), refusing more than `limit` with 413. */
export function readRawBytes(ctx: Context, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return readRequestBytes(ctx.req, limit);
}

const NO_BODY = Buffer.alloc(0);

/**
 * Reads a node request's body, refusing more than `limit` bytes with a 413 `BodyError` (a client
 * that leaves mid-body gives a 400 instead of a wait forever). Koa routes and the gateway's data
 * plane both read bodies through it.
 */
export function readRequestBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  // A request that announces no body (most GETs) has none to read (RFC 9112 §6.3).
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return Promise.resolve(NO_BODY);
  const declared = Number(req.headers['content-length'] || '0');
  if (declared > limit) return Promise.reject(new BodyError(413, `request body over ${limit} bytes`));
  // Plain 'data'/'end' events: an async iterator costs measurably more per small form (bench/).
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(new BodyError(413, `request body over ${limit} bytes`));
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new BodyError(400, `the request body could not be read: ${err.message}`));
    };
    // A client that goes away mid-body never sends 'end': settle instead of waiting forever.
    const onClose = () => onError(new Error('the client closed the connection'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** How much of a refused body {@link drainRequest} reads and discards at most, and for how long. */
export const DRAIN_LIMITS = { maxBytes: 20 * 1024 * 1024, maxMs: 5_000 } as const;

/**
 * After a 413 sent before the body was read: reads the rest of the body and throws it away, up to
 * `maxBytes` or `maxMs`, then cuts the connection if the body has still not ended.
 *
 * Closing at once (`Connection: close`, as node does) loses the answer: the client is still
 * sending, the server closes a socket with unread data, and the kernel answers with a reset that
 * can reach the client before it has read the 413 (a chunked 25 MB upload to the gateway got no
 * answer in some runs of test/load/limits.test.ts). Reading on is nginx's "lingering close"; the
 * connection then even stays usable (keep-alive), since the request ended where its framing said.
 * Nothing read is kept, so memory stays bounded; the bounds stop a client from streaming forever.
 */
export function drainRequest(req: IncomingMessage, limits: { maxBytes: number; maxMs: number } = DRAIN_LIMITS): void {
  if (req.complete || req.destroyed) return;
  let discarded = 0;
  const cut = () => {
    cleanup();
    req.socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limits.maxBytes) cut();
  };
  const timer = setTimeout(cut, limits.maxMs);
  timer.unref();
  const cleanup = () => {
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', cleanup);
    req.off('close', cleanup);
  };
  req.on('data', onData);
  req.once('end', cleanup);
  req.once('close', cleanup);
  req.resume();
}

/**
 * Parses an `application/x-www-form-urlencoded` body with the platform's URLSearchParams, not
 * a `qs`-style parser: OAuth forms are flat, `a[b]=c` must stay a plain name, and a parameter
 * sent twice must stay visible so the caller can refuse it (RFC 6749 §3.2).
 */
export async function readForm(ctx: Context): Promise<URLSearchParams> {
  const type = ctx.get('content-type');
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new BodyError(400, `Content-Type must be application/x-www-form-urlencoded (got "${type || 'none'}")`);
  }
  return new URLSearchParams(await readRawBody(ctx));
}

/** Reads a JSON body (any JSON media type, or none), with a clear 400 when it is not JSON. */
export async function readJson(ctx: Context): Promise<unknown> {
  return parseJsonBody(await readRawBody(ctx));
}

/** Parses a JSON body already read; an empty body is `{}`. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BodyError(400, `request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** A Koa app listening on a port, with a clean stop. */
export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

/** The timeouts of the Koa servers `listen` starts (the IAM, the gateway's control plane, the echo backend). */
export const KOA_TIMEOUTS = { headersTimeoutMs: 20_000, requestTimeoutMs: 30_000 } as const;

/**
 * How often node:http looks for connections over `headersTimeout` / `requestTimeout`. Node only
 * enforces the two when it sweeps its connections, every 30 s by default, so a 15 s header timeout
 * really cut a slow client somewhere between 30 and 45 s. A sweep per second (or a quarter of a
 * shorter timeout, for tests) keeps the cut within that of the configured time; a sweep only
 * walks the open connections.
 */
export function timeoutCheckInterval(headersTimeoutMs: number): number {
  return Math.max(25, Math.min(1_000, Math.floor(headersTimeoutMs / 4)));
}

/** The status and body of an answer to a request node could not parse (431, 408, 400). */
export type ClientErrorBody = (status: number, message: string) => { contentType: string; body: string };

/** The body of a component's error shape, for errors met before any route (`clientError`). */
export function shapedClientError(shape: ErrorShape): ClientErrorBody {
  return (status, message) => {
    const body =
      shape === 'oauth'
        ? { error: 'invalid_request', error_description: message }
        : shape === 'scim'
          ? new ScimError(status, message, 'error.common.validation.invalidRequest').body()
          : { code: status === 431 ? 'RequestHeaderFieldsTooLarge' : status === 408 ? 'RequestTimeout' : 'InvalidParameter', message };
    return { contentType: 'application/json', body: JSON.stringify(body) };
  };
}

/**
 * Answers what node:http meets before a request reaches a handler (a header block over the limit,
 * a header or request timeout, a malformed request) in the component's own error shape with an
 * `opc-request-id`, where node's default handler writes a bare status line. As node does, nothing
 * is written once an answer on this connection has begun, and the connection is closed.
 */
export function answerClientError(errorBody: ClientErrorBody, newId: () => string): (err: NodeJS.ErrnoException, socket: Duplex) => void {
  return (err, socket) => {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (err.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const answer = errorBody(status, STATUS_CODES[status] ?? 'Bad Request');
      const body = Buffer.from(answer.body);
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: ${answer.contentType}\r\ncontent-length: ${body.length}\r\n` +
          `opc-request-id: ${newId()}\r\nconnection: close\r\n\r\n`,
      );
      // A HEAD is answered without a body (RFC 9110 §9.3.2): a client reads none, and takes the
      // bytes for a response it did not ask for ("Data after Connection: close" in node's client).
      const rawPacket = (err as NodeJS.ErrnoException & { rawPacket?: Buffer }).rawPacket;
      if (!rawPacket?.subarray(0, 5).equals(Buffer.from('HEAD '))) socket.write(body);
    }
    socket.destroy();
  };
}

export async function listen(app: Koa, port: number, host: string, shape: ErrorShape = 'oci'): Promise<RunningServer> {
  const server = createServer({ connectionsCheckingInterval: timeoutCheckInterval(KOA_TIMEOUTS.headersTimeoutMs) }, app.callback());
  server.on('clientError', answerClientError(shapedClientError(shape), () => randomBytes(16).toString('hex').toUpperCase()));
  // Bound slow clients: a request that has not sent its headers in 20 s, or headers and body in 30 s, is dropped.
  server.requestTimeout = KOA_TIMEOUTS.requestTimeoutMs;
  server.headersTimeout = KOA_TIMEOUTS.headersTimeoutMs;
  return listenServer(server, port, host);
}

/** Listens with any node:http server; `stop` closes idle connections and cuts busy ones after 2 s. */
export async function listenServer(server: Server, port: number, host: string): Promise<RunningServer> {
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    server,
    port: actual,
    url: `http://${urlHost}:${actual}`,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeIdleConnections();
        // Connections still busy after a grace period are cut, so shutdown never hangs.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}
