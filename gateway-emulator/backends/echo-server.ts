/**
 * The echo backend of CONTRACT.md, the demo upstream behind the seeded deployments: any method,
 * any path answers 200 with JSON describing the request it got, so a user (or a test) can see what
 * the gateway forwarded — the rewritten `Host`, the forwarding headers, the query, the body.
 *
 * The one exception is `GET /_harness/health` (every component has it; CONTRACT.md), which
 * answers the health document instead of an echo.
 */
import Koa from 'koa';
import { errorMapper, listen, opcRequestId, readRawBytes, type RunningServer } from '../../common/http.js';

/** OCI's request body limit [C D-limits]: anything the gateway forwards, the echo can show. */
const MAX_ECHO_BODY_BYTES = 20 * 1024 * 1024;

export interface EchoedRequest {
  method: string;
  /** The path as received, percent-encoding kept. */
  path: string;
  /** The query parameters, decoded; a name sent several times has an array of values. */
  query: Record<string, string | string[]>;
  /** The request target as received (path and query), so the exact query encoding is visible. */
  url: string;
  /** Header names lower-cased; repeated headers joined with ", " (set-cookie kept as an array), as node reads them. */
  headers: Record<string, string | string[] | undefined>;
  /** The body as UTF-8 text ("" when there is none). */
  body: string;
  /** The body parsed, when it is JSON (a JSON media type and valid JSON). */
  json?: unknown;
}

export function echoOf(method: string, url: string, headers: Record<string, string | string[] | undefined>, body: Buffer): EchoedRequest {
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  // No prototype: a parameter named `constructor` or `__proto__` is echoed like any other.
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(queryAt < 0 ? '' : url.slice(queryAt + 1))) {
    const existing = query[name];
    query[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  const text = body.toString('utf8');
  const echoed: EchoedRequest = { method, path, query, url, headers, body: text };
  const type = headers['content-type'];
  if (typeof type === 'string' && /^[^;]*[/+]json\s*(;|$)/i.test(type) && text.trim() !== '') {
    try {
      echoed.json = JSON.parse(text);
    } catch {
      // Not JSON after all: the text is still there.
    }
  }
  return echoed;
}

export function startEchoBackend(options: { port: number; host: string }): Promise<RunningServer> {
  const app = new Koa();
  app.use(opcRequestId());
  app.use(errorMapper('oci'));
  app.use(async (ctx) => {
    if (ctx.method === 'GET' && ctx.path === '/_harness/health') {
      ctx.body = { status: 'UP', component: 'echo-backend' };
      return;
    }
    const body = await readRawBytes(ctx, MAX_ECHO_BODY_BYTES);
    ctx.status = 200;
    ctx.body = echoOf(ctx.method, ctx.req.url ?? '/', ctx.req.headers, body);
  });
  return listen(app, options.port, options.host);
}
