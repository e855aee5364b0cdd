/**
 * HTTP_BACKEND: one call to the backend, its answer streamed to the client as it arrives.
 *
 * What OCI does and we copy (reference §1.8, §4, §6):
 * - the backend URL is used as written; the caller expands `${request.path[..]}` in its path and
 *   appends the (transformed) client query to the URL's own query, so `BackendCall.url` is final;
 * - `Host` is rewritten to the backend's host, `X-Real-IP` and `Forwarded: for=` name the client,
 *   the client is appended to any `X-Forwarded-For` / `Forwarded` chain the request brought;
 * - hop-by-hop headers are not forwarded, in either direction;
 * - three timeouts: connect (default 60 s) → 502, send (10 s) → 504, read (10 s, waiting for the
 *   headers and between two body chunks) → 504; refused, reset or unresolvable backends → 502;
 * - the backend's status and headers are passed through (after the route's response transformations,
 *   which the caller applies in `onResponse`).
 *
 * Connections are pooled per origin with keep-alive (undici), at most `maxSocketsPerOrigin` each.
 * The timeouts run on real time, not the harness clock: they bound real I/O, and a test that moves
 * the token clock must not make a healthy backend time out.
 */
import type { ServerResponse } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from '../../common/undici.js';

/**
 * One call to an HTTP backend, as the pipeline planned it.
 *
 * `url` is the final URL: scheme, host, the path with context variables already substituted, and
 * the query — the URL's own query first, then the client's query after request transformations
 * (`?own=1&client=2`). It is sent as written (no normalisation of `..`, encoding kept).
 */
export interface BackendCall {
  url: string;
  method: string;
  /** Header names in any case; after request transformations. Hop-by-hop headers are removed here, not by the caller. */
  headers: Record<string, string[]>;
  body: Buffer | undefined;
  /** The client's address as the gateway sees it (IPv4, or IPv6 without brackets). */
  clientIp: string;
  connectTimeoutSeconds: number;
  readTimeoutSeconds: number;
  sendTimeoutSeconds: number;
  isSslVerifyDisabled?: boolean;
}

export type BackendFailure = {
  status: 502 | 504;
  message: string /* 'Bad Gateway' | 'Gateway Timeout' */;
  /** Why, for the decision log: 'connect ECONNREFUSED 127.0.0.1:9', 'read timeout after 10 s'. */
  reason: string;
};

/** The answer as the backend gave it, turned into the status and headers the gateway passes on. */
export type ResponseReader = (status: number, headers: Record<string, string[]>) => { status: number; headers: Record<string, string[]> };

export type ForwardResult =
  /** `incomplete`: the status was already sent when the backend failed; the client connection was cut. */
  | { ok: true; status: number; incomplete?: string }
  | ({ ok: false } & BackendFailure);

/** OCI's HTTP_BACKEND defaults, used when a timeout is missing or not a positive number [C D-http]. */
export const DEFAULT_TIMEOUTS = { connectTimeoutSeconds: 60, readTimeoutSeconds: 10, sendTimeoutSeconds: 10 } as const;

/** Headers that describe one connection, never the message: not forwarded to the backend, nor back. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export function isHopByHop(name: string): boolean {
  const lower = name.toLowerCase();
  return HOP_BY_HOP.has(lower) || lower.startsWith('proxy-');
}

/** The headers without hop-by-hop ones, names lower-cased, values of names differing only in case merged. */
export function withoutHopByHop(headers: Readonly<Record<string, ReadonlyArray<string> | string | undefined>>): Record<string, string[]> {
  // No prototype: a header named `constructor` or `__proto__` is a header like any other, not
  // Object.prototype's (a `constructor` request header made the lookup below throw: a 500).
  const out: Record<string, string[]> = Object.create(null);
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (isHopByHop(lower)) continue;
    const values = typeof value === 'string' ? [value] : [...value];
    const merged = out[lower];
    if (merged) merged.push(...values);
    else out[lower] = values;
  }
  return out;
}

/** A socket on a dual-stack listener reports IPv4 clients as `::ffff:a.b.c.d`; the gateway names them as IPv4. */
export function plainClientIp(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

/** The RFC 7239 `for=` element: IPv6 in quotes and brackets (`for="[2001:db8::1]"`), IPv4 bare. */
export function forwardedFor(clientIp: string): string {
  return forwardedForPlain(plainClientIp(clientIp));
}

/** {@link forwardedFor} of an address already made plain (the backend call has one at hand). */
function forwardedForPlain(ip: string): string {
  if (ip === '') return 'for=unknown';
  return ip.includes(':') ? `for="[${ip}]"` : `for=${ip}`;
}

/**
 * The headers the backend receives, as undici's flat `[name, value, name, value, ...]` list
 * (names lower-cased; a header with several values is several pairs): the request's (transformed)
 * headers without hop-by-hop ones, `Host` set to the backend's host, the client named in
 * `X-Real-IP`, `X-Forwarded-For` and `Forwarded`. `Expect` and `Content-Length` are dropped
 * because the gateway has read the whole body and sends its own length. A request without
 * `User-Agent` gets `Oracle API Gateway` (reference §1.8).
 *
 * One pass straight into the list undici takes: no per-request header object (a null-prototype
 * dictionary, so a header named `constructor` was safe) to build, delete from and spread (bench/).
 */
export function backendRequestHeaders(headers: Readonly<Record<string, ReadonlyArray<string>>>, clientIp: string, backendHost: string): string[] {
  const client = plainClientIp(clientIp);
  // The header order a backend sees starts with Host, as from any HTTP client.
  const list: string[] = ['host', backendHost];
  let forwardedForChain = '';
  let forwardedChain = '';
  let userAgent = false;
  for (const name in headers) {
    const values = headers[name];
    if (values === undefined || values.length === 0) continue;
    const lower = name.toLowerCase();
    switch (lower) {
      case 'host':
      case 'content-length':
      case 'expect':
      // X-Real-IP is a protected header [C D-xf]: the gateway's value, never the client's.
      case 'x-real-ip':
        continue;
      case 'x-forwarded-for':
        forwardedForChain += `${values.join(', ')}, `;
        continue;
      case 'forwarded':
        forwardedChain += `${values.join(', ')}, `;
        continue;
      case 'user-agent':
        userAgent = true;
        break;
      default:
        if (isHopByHop(lower)) continue;
    }
    for (let i = 0; i < values.length; i++) list.push(lower, values[i]!);
  }
  list.push('x-real-ip', client, 'x-forwarded-for', `${forwardedForChain}${client}`, 'forwarded', `${forwardedChain}${forwardedForPlain(client)}`);
  if (!userAgent) list.push('user-agent', 'Oracle API Gateway');
  return list;
}

/** The backend's response headers as the client may get them: hop-by-hop ones removed, values as arrays. */
export function backendResponseHeaders(headers: IncomingHttpHeaders | Readonly<Record<string, string | string[] | undefined>>): Record<string, string[]> {
  return withoutHopByHop(headers as Record<string, string | string[] | undefined>);
}

/** A timeout the gateway itself enforced, carrying the failure it stands for. */
export class BackendTimeout extends Error {
  constructor(readonly failure: BackendFailure) {
    super(failure.reason);
  }
}

/** The client went away before the exchange was over; there is no one left to answer. */
class ClientGone extends Error {
  constructor() {
    super('the client closed the connection');
  }
}

const BAD_GATEWAY = 'Bad Gateway';
const GATEWAY_TIMEOUT = 'Gateway Timeout';

function seconds(value: number, fallback: number): number {
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function timeoutFailure(kind: 'connect' | 'read' | 'send', s: number): BackendFailure {
  // Connect failures mean "could not reach the backend" (502); read and send mean "reached, no timely answer" (504).
  return kind === 'connect'
    ? { status: 502, message: BAD_GATEWAY, reason: `connect timeout after ${s} s` }
    : { status: 504, message: GATEWAY_TIMEOUT, reason: `${kind} timeout after ${s} s` };
}

/**
 * The gateway's answer for an error of the backend call (reference §4: unreachable → 502, no timely
 * answer → 504). `reason` keeps the system's own wording so a user can search for it.
 */
export function backendFailure(err: unknown, call: Pick<BackendCall, 'connectTimeoutSeconds' | 'readTimeoutSeconds' | 'sendTimeoutSeconds'>): BackendFailure {
  if (err instanceof BackendTimeout) return err.failure;
  const e = (err ?? {}) as { code?: string; message?: string; cause?: { message?: string } };
  const message = e.message || String(err);
  switch (e.code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return timeoutFailure('connect', seconds(call.connectTimeoutSeconds, DEFAULT_TIMEOUTS.connectTimeoutSeconds));
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return timeoutFailure('read', seconds(call.readTimeoutSeconds, DEFAULT_TIMEOUTS.readTimeoutSeconds));
    case 'UND_ERR_SOCKET':
      return { status: 502, message: BAD_GATEWAY, reason: `the backend closed the connection (${message})` };
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
      return { status: 502, message: BAD_GATEWAY, reason: `the backend request is not valid HTTP: ${message}` };
    default: {
      const cause = e.cause?.message && !message.includes(e.cause.message) ? ` (${e.cause.message})` : '';
      // ECONNREFUSED, ECONNRESET, ENOTFOUND, EAI_AGAIN, EHOSTUNREACH, TLS certificate errors…: node's message names the address.
      return { status: 502, message: BAD_GATEWAY, reason: `${message}${cause}` };
    }
  }
}

/** The parts of a backend URL undici needs, taken from the text so the path is sent exactly as written. */
export function splitBackendUrl(url: string): { origin: string; host: string; path: string } {
  const match = /^(https?):\/\/([^/?#]+)([^#]*)/i.exec(url);
  if (!match) throw new TypeError(`backend URL "${url}" is not an http(s) URL`);
  const { origin, host } = originOf(`${match[1]}://${match[2]}`);
  const rest = match[3] ?? '';
  const path = rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest;
  return { origin, host, path };
}

/**
 * `scheme://authority` parsed by WHATWG URL (IDNA, default ports, IPv6), remembered: a deployment
 * has a handful of backends, and `new URL` per request was 1.5 % of the gateway's CPU (bench/).
 * Bounded: cleared when a pathological spec (dynamic routing over many hosts) fills it.
 */
const ORIGINS = new Map<string, { origin: string; host: string }>();
const MAX_ORIGINS = 1_000;

function originOf(authority: string): { origin: string; host: string } {
  let known = ORIGINS.get(authority);
  if (!known) {
    const parsed = new URL(authority);
    known = { origin: parsed.origin, host: parsed.host };
    if (ORIGINS.size >= MAX_ORIGINS) ORIGINS.clear();
    ORIGINS.set(authority, known);
  }
  return known;
}

/** Request bodies go out in chunks of this size so a backend that stops reading is noticed (send timeout). */
const BODY_CHUNK_BYTES = 64 * 1024;

function bodyStream(body: Buffer, onPull: () => void): Readable {
  let offset = 0;
  return new Readable({
    highWaterMark: BODY_CHUNK_BYTES,
    read() {
      onPull();
      const end = Math.min(offset + BODY_CHUNK_BYTES, body.length);
      if (end > offset) this.push(body.subarray(offset, end));
      offset = end;
      if (offset >= body.length) this.push(null);
    },
  });
}

export class HttpBackends {
  private readonly maxSocketsPerOrigin: number;
  /** One pool set per connection-level setting (connect timeout, TLS verification): sockets made under one are never used for another. */
  private readonly agents = new Map<string, Agent>();

  constructor(options: { maxSocketsPerOrigin?: number } = {}) {
    this.maxSocketsPerOrigin = options.maxSocketsPerOrigin ?? 64;
  }

  /**
   * Forwards the call, then calls `onResponse` with the backend's status and headers (hop-by-hop
   * removed) so the caller can transform them, then streams the body into `res`. Resolves once the
   * exchange is over; `ok: false` means nothing was written to `res` and the caller answers the failure.
   * `readResponse` changes how the backend's answer is read (the Fn HTTP-gateway protocol for functions).
   */
  forward(
    call: BackendCall,
    res: ServerResponse,
    onResponse: (status: number, headers: Record<string, string[]>) => Record<string, string[]>,
    readResponse?: ResponseReader,
  ): Promise<ForwardResult> {
    return new Promise((resolve) => {
      new Exchange(call, res, onResponse, readResponse, resolve).start((connectMs, verify) => this.agentFor(connectMs, verify));
    });
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(
      agents.map(async (agent) => {
        // Calls still running get a grace period, then their sockets are cut, so shutdown never hangs.
        const grace = setTimeout(() => void agent.destroy().catch(() => {}), 2_000);
        await agent.close().catch(() => {});
        clearTimeout(grace);
      }),
    );
  }

  private agentFor(connectMs: number, verifyTls: boolean): Agent {
    const key = `${connectMs}/${verifyTls}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        connections: this.maxSocketsPerOrigin,
        pipelining: 1,
        // undici's own header/body timers are off: the exchange runs OCI's read and send timeouts itself.
        headersTimeout: 0,
        bodyTimeout: 0,
        connect: { timeout: connectMs, rejectUnauthorized: verifyTls },
      });
      this.agents.set(key, agent);
    }
    return agent;
  }
}

type Phase = 'waiting' | 'sending' | 'awaiting-headers' | 'streaming' | 'done';

type TimeoutKind = 'connect' | 'read' | 'send';

/**
 * One backend call from dispatch to the last byte, with the deadline of the phase it is in.
 *
 * The deadline moves on every chunk (the read timeout runs between two chunks), but the timer
 * does not: a pending timer due before the new deadline is left alone and, when it fires, waits
 * for the rest. Re-creating a Node timer at each phase and chunk cost four setTimeout and four
 * clearTimeout per request on the gateway's hot path (bench/); now a fast call sets one or two.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private phase: Phase = 'waiting';
  private controller: Dispatcher.DispatchController | undefined;
  /** Set when the call is given up before undici handed it a socket. */
  private abandoned: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires (performance.now() ms). */
  private timerDue = 0;
  /** When the current phase times out (performance.now() ms); Infinity while no timeout runs. */
  private deadline = Infinity;
  private timeoutKind: TimeoutKind = 'connect';
  private timeoutS = 0;
  private status = 0;
  private readonly connectS: number;
  private readonly readS: number;
  private readonly sendS: number;
  // Bound once in the constructor (a class-field arrow costs a `__name` call per exchange under tsx).
  private readonly onClientClose: () => void;
  private readonly onTimer: () => void;

  constructor(
    private readonly call: BackendCall,
    private readonly res: ServerResponse,
    private readonly onResponse: (status: number, headers: Record<string, string[]>) => Record<string, string[]>,
    private readonly readResponse: ResponseReader | undefined,
    private readonly resolve: (result: ForwardResult) => void,
  ) {
    this.connectS = seconds(call.connectTimeoutSeconds, DEFAULT_TIMEOUTS.connectTimeoutSeconds);
    this.readS = seconds(call.readTimeoutSeconds, DEFAULT_TIMEOUTS.readTimeoutSeconds);
    this.sendS = seconds(call.sendTimeoutSeconds, DEFAULT_TIMEOUTS.sendTimeoutSeconds);
    this.onClientClose = this.clientClosed.bind(this);
    this.onTimer = this.timerFired.bind(this);
  }

  private clientClosed(): void {
    if (this.phase !== 'done' && !this.res.writableFinished) this.giveUp(new ClientGone());
  }

  start(agentFor: (connectMs: number, verifyTls: boolean) => Agent): void {
    let target: { origin: string; host: string; path: string };
    try {
      target = splitBackendUrl(this.call.url);
    } catch (err) {
      this.settle({ ok: false, status: 502, message: BAD_GATEWAY, reason: (err as Error).message });
      return;
    }
    const connectMs = Math.ceil(this.connectS * 1000);
    const body = this.call.body && this.call.body.length > 0 ? this.call.body : undefined;
    const headers = backendRequestHeaders(this.call.headers, this.call.clientIp, target.host);
    if (body) headers.push('content-length', String(body.length));
    this.res.once('close', this.onClientClose);
    // Waiting for a free socket and connecting (DNS, TCP, TLS) share the connect timeout.
    this.arm('connect', this.connectS);
    try {
      agentFor(connectMs, !this.call.isSslVerifyDisabled).dispatch(
        {
          origin: target.origin,
          path: target.path,
          method: this.call.method as Dispatcher.HttpMethod,
          headers,
          body: body ? this.uploadOf(body) : null,
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        this,
      );
    } catch (err) {
      this.finishWithError(err);
    }
  }

  private uploadOf(body: Buffer): Readable {
    const stream = bodyStream(body, () => {
      // Each pull means the socket took the previous chunk: the backend is still reading.
      if (this.phase === 'sending') this.arm('send', this.sendS);
    });
    stream.once('end', () => {
      if (this.phase === 'sending') this.awaitHeaders();
    });
    return stream;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abandoned) {
      controller.abort(this.abandoned);
      return;
    }
    if (this.call.body && this.call.body.length > 0) {
      this.phase = 'sending';
      this.arm('send', this.sendS);
    } else {
      this.awaitHeaders();
    }
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (this.phase === 'done' || statusCode < 200) return; // 1xx informational answers are not relayed
    this.disarm();
    const read = this.readResponse ?? ((status: number, h: Record<string, string[]>) => ({ status, headers: h }));
    let head: { status: number; headers: Record<string, string[]> };
    try {
      head = read(statusCode, backendResponseHeaders(headers));
      const finalHeaders = this.onResponse(head.status, head.headers);
      this.res.writeHead(head.status, finalHeaders);
    } catch (err) {
      // A header the client cannot be sent (invalid after a transformation): nothing has gone out yet.
      this.phase = 'done';
      controller.abort(err as Error);
      this.settle({ ok: false, status: 502, message: BAD_GATEWAY, reason: `the backend's answer could not be relayed: ${(err as Error).message}` });
      return;
    }
    this.status = head.status;
    this.phase = 'streaming';
    this.armRead();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.phase !== 'streaming') return;
    this.armRead();
    if (!this.res.write(chunk)) {
      // The client reads slower than the backend sends: wait for it, without blaming the backend.
      this.disarm();
      controller.pause();
      this.res.once('drain', () => {
        if (this.phase !== 'streaming') return;
        this.armRead();
        controller.resume();
      });
    }
  }

  onResponseEnd(): void {
    if (this.phase !== 'streaming') return;
    this.res.end();
    this.settle({ ok: true, status: this.status });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.finishWithError(err);
  }

  private awaitHeaders(): void {
    this.phase = 'awaiting-headers';
    this.armRead();
  }

  private armRead(): void {
    this.arm('read', this.readS);
  }

  /** The phase now times out `seconds` from now. */
  private arm(kind: TimeoutKind, seconds: number): void {
    this.timeoutKind = kind;
    this.timeoutS = seconds;
    const ms = Math.ceil(seconds * 1000);
    this.deadline = performance.now() + ms;
    if (this.timer !== undefined) {
      // Fires no later than the deadline: it will wait for the rest then.
      if (this.timerDue <= this.deadline) return;
      clearTimeout(this.timer);
    }
    this.timerDue = this.deadline;
    this.timer = setTimeout(this.onTimer, ms);
  }

  /** No timeout runs (the client is not reading, or the answer is being relayed); a pending timer finds nothing due. */
  private disarm(): void {
    this.deadline = Infinity;
  }

  private timerFired(): void {
    this.timer = undefined;
    if (this.phase === 'done' || this.deadline === Infinity) return;
    const left = this.deadline - performance.now();
    if (left > 0) {
      this.timerDue = this.deadline;
      this.timer = setTimeout(this.onTimer, Math.ceil(left));
      return;
    }
    this.giveUp(new BackendTimeout(timeoutFailure(this.timeoutKind, this.timeoutS)));
  }

  private clearTimer(): void {
    this.deadline = Infinity;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Stops the call for a reason of the gateway's own (a timeout, the client leaving). */
  private giveUp(reason: Error): void {
    if (this.phase === 'done') return;
    if (this.controller) this.controller.abort(reason);
    else this.abandoned = reason;
    this.finishWithError(reason);
  }

  private finishWithError(err: unknown): void {
    if (this.phase === 'done') return;
    const failure: BackendFailure = err instanceof ClientGone ? { status: 502, message: BAD_GATEWAY, reason: err.message } : backendFailure(err, this.call);
    if (this.phase === 'streaming') {
      // The status is already on the wire: cutting the connection is the only way to tell the client the body is incomplete.
      this.res.destroy();
      this.settle({ ok: true, status: this.status, incomplete: failure.reason });
      return;
    }
    this.settle({ ok: false, ...failure });
  }

  private settle(result: ForwardResult): void {
    this.phase = 'done';
    this.clearTimer();
    this.res.off('close', this.onClientClose);
    this.resolve(result);
  }
}
