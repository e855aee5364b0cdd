/**
 * The gateway's data plane: reads a request once into a `GatewayRequest`, asks the pipeline for
 * a decision, executes it (answer, stock response or backend call), and logs it. Plain node:http
 * rather than Koa: this is the hot path the bench measures, and it has no routes of its own.
 */
import { randomFillSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HARNESS_REASON_HEADER } from '../common/errors.js';
import { answerClientError, BodyError, DRAIN_LIMITS, drainRequest, headerSafe, listenServer, readRequestBytes, timeoutCheckInterval, type RunningServer } from '../common/http.js';
import type { HttpBackends } from './backends/http-backend.js';
import type { DecisionLog } from './decision-log.js';
import { parseRawQuery } from './pipeline/context-variables.js';
import { decide, type PipelineDeps } from './pipeline/pipeline.js';
import type { DeploymentRoutes } from './pipeline/route-match.js';
import { gatewayError, type CheckResult, type GatewayAnswer, type GatewayRequest } from './pipeline/types.js';

/** OCI's limits: request bodies up to 20 MB, the header block up to 8 KB (reference §6). */
export const MAX_BODY_BYTES = 20 * 1024 * 1024;
export const MAX_HEADER_BYTES = 8 * 1024;

/**
 * How long a client may take (reference §6: header and body read timeouts of 15 s each): the
 * header block within `headersTimeoutMs` of the connection's first byte, the whole request
 * (headers and body) within `requestTimeoutMs`. A client that is later gets a 408 and the
 * connection is closed. Tests pass shorter values; the defaults are OCI's.
 */
export interface DataPlaneTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export const DATA_PLANE_TIMEOUTS: DataPlaneTimeouts = { headersTimeoutMs: 15_000, requestTimeoutMs: 30_000 };

export interface DataPlaneDeps extends PipelineDeps {
  deployments: () => ReadonlyArray<DeploymentRoutes>;
  backends: HttpBackends;
  log: DecisionLog;
  /** Opt-in: refusals carry their reason in `x-harness-reason`. */
  explainRefusals: boolean;
}

/**
 * Random bytes for request ids, 48 per id, drawn from a pool refilled by one `randomFillSync` per
 * 256 ids. Three `randomBytes(16)` calls per request were 9 % of the gateway's CPU under load
 * (bench/, `--cpu-prof`); an id only has to be unique, not secret, so pooling costs nothing.
 */
const ID_BYTES = 48;
const idPool = Buffer.alloc(ID_BYTES * 256);
let idPoolOffset = idPool.length;

/** A new OCI request id: three 32-hex-digit uppercase segments joined by `/` (reference §4). */
export function newRequestId(): string {
  if (idPoolOffset + ID_BYTES > idPool.length) {
    randomFillSync(idPool);
    idPoolOffset = 0;
  }
  const hex = idPool.toString('hex', idPoolOffset, idPoolOffset + ID_BYTES).toUpperCase();
  idPoolOffset += ID_BYTES;
  return `${hex.slice(0, 32)}/${hex.slice(32, 64)}/${hex.slice(64)}`;
}

/** OCI's request id: the caller's, or a new one. */
function requestId(req: IncomingMessage): string {
  const given = req.headers['opc-request-id'];
  if (typeof given === 'string' && /^[\w./:-]{1,98}$/.test(given)) return given;
  return newRequestId();
}

function clientIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export function toGatewayRequest(req: IncomingMessage, body: Buffer | undefined): GatewayRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  return {
    method: req.method ?? 'GET',
    path: q < 0 ? url : url.slice(0, q),
    rawQuery,
    query: parseRawQuery(rawQuery),
    // Node builds this once per request (names lower-cased, every value an array); the pipeline
    // never changes it: transformations and the backend step work on copies.
    headers: req.headersDistinct as Record<string, string[]>,
    host: req.headers.host ?? '',
    clientIp: clientIp(req),
    body: body && body.length ? body : undefined,
  };
}

function writeAnswer(res: ServerResponse, answer: GatewayAnswer, id: string, reason?: string): void {
  res.statusCode = answer.status;
  for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
  res.setHeader('opc-request-id', id);
  if (reason) res.setHeader(HARNESS_REASON_HEADER, headerSafe(reason));
  res.end(answer.body);
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: DataPlaneDeps): Promise<void> {
  const id = requestId(req);
  const timeMs = deps.clock.nowMs();
  let body: Buffer;
  try {
    body = await readRequestBytes(req, MAX_BODY_BYTES);
  } catch (err) {
    if (!(err instanceof BodyError)) throw err;
    // 413: the answer goes out at once; the rest of the body is read and discarded (bounded), so a
    // client still sending gets it instead of a reset (drainRequest). 400: the client left mid-body.
    if (err.status !== 413) res.setHeader('connection', 'close');
    writeAnswer(res, gatewayError(err.status, err.status === 413 ? 'Request Entity Too Large' : 'Bad Request'), id);
    if (err.status === 413) drainRequest(req, { maxBytes: MAX_BODY_BYTES, maxMs: DRAIN_LIMITS.maxMs });
    return;
  }
  const request = toGatewayRequest(req, body);
  const decision = await decide(request, deps.deployments(), deps);
  if (decision.outcome === 'refused') {
    deps.log.record(decision, { timeMs, requestId: id, status: decision.answer.status });
    const reason = deps.explainRefusals && decision.answer.status >= 400 ? `${decision.reason.check}: ${decision.reason.message}` : undefined;
    writeAnswer(res, decision.answer, id, reason);
    return;
  }
  if (decision.plan.kind === 'answer') {
    const answer = decision.plan.answer;
    const headers: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(answer.headers)) headers[k] = Array.isArray(v) ? v : [v];
    deps.log.record(decision, { timeMs, requestId: id, status: answer.status });
    writeAnswer(res, { ...answer, headers: decision.responseHeaders(headers) }, id);
    return;
  }
  const result = await deps.backends.forward(
    decision.plan.call,
    res,
    (_status, headers) => ({ ...decision.responseHeaders(headers), 'opc-request-id': [id] }),
    decision.plan.readResponse,
  );
  if (result.ok) {
    // A backend that failed after its status went out: the client connection was cut; say so.
    const backendFailure: CheckResult | undefined = result.incomplete ? { check: 'backend', passed: false, message: result.incomplete } : undefined;
    deps.log.record(decision, { timeMs, requestId: id, status: result.status, ...(backendFailure ? { backendFailure } : {}) });
    return;
  }
  const failure: CheckResult = { check: 'backend', passed: false, message: result.reason };
  deps.log.record(decision, { timeMs, requestId: id, status: result.status, backendFailure: failure });
  if (!res.headersSent) writeAnswer(res, gatewayError(result.status, result.message), id, deps.explainRefusals ? `backend: ${result.reason}` : undefined);
  else res.destroy();
}

export async function startDataPlane(deps: DataPlaneDeps, port: number, host: string, timeouts: DataPlaneTimeouts = DATA_PLANE_TIMEOUTS): Promise<RunningServer> {
  const server: Server = createServer(
    {
      // maxHeaderSize makes node refuse a header block over OCI's 8 KB (431, see answerClientError).
      maxHeaderSize: MAX_HEADER_BYTES,
      // Node enforces headersTimeout and requestTimeout only when it sweeps its connections, every
      // 30 s by default: a client dribbling its headers was cut after 30 to 45 s, not 15 s.
      connectionsCheckingInterval: timeoutCheckInterval(timeouts.headersTimeoutMs),
    },
    (req, res) => {
      handle(req, res, deps).catch((err: unknown) => {
        console.error(`gateway: internal error on ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
        if (!res.headersSent) writeAnswer(res, gatewayError(500, 'Internal Server Error'), requestId(req));
        else res.destroy();
      });
    },
  );
  // Node's own refusals (431 over 8 KB, 408, a malformed request) in the gateway's error shape.
  server.on(
    'clientError',
    answerClientError((status, message) => ({ contentType: 'application/json', body: String(gatewayError(status, message).body) }), newRequestId),
  );
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  return listenServer(server, port, host);
}
