/**
 * ORACLE_FUNCTIONS_BACKEND: the route's function, emulated by a local HTTP endpoint that the stack
 * config maps the function OCID to (reference §1.8 [I]). The gateway POSTs the request body to it.
 *
 * OCI invokes a function through Fn's HTTP-gateway protocol: the invocation is a POST whose body is
 * the client's body, and the client's request travels in headers — `Fn-Http-Method`,
 * `Fn-Http-Request-Url` and one `Fn-Http-H-<name>` per client header; the function answers with
 * `Fn-Http-Status` and `Fn-Http-H-<name>` headers (fnproject FDKs, `HTTPGatewayContext`).
 * `functionRequestHeaders` builds those headers and `functionResponse` reads such an answer, so a
 * local stand-in written against an FDK sees what it would see in OCI. A plain HTTP server that
 * sends no `Fn-Http-*` header is relayed as it answers.
 */
import type { models } from 'oci-apigateway';
import type { BackendFailure } from './http-backend.js';
import { isHopByHop } from './http-backend.js';

/** Largest request body a function backend accepts [C D-limits]; larger bodies never reach the function. */
export const FUNCTION_MAX_BODY_BYTES = 6 * 1024 * 1024;

/** OCI Functions' default function timeout; the invocation deadline a function sees. */
export const FUNCTION_TIMEOUT_SECONDS = 30;

/** Where the function runs locally; an OCID the stack config does not map cannot be invoked (502, as when the Functions service fails [C D-authfn]). */
export function functionCall(backend: models.OracleFunctionBackend, urlFor: (functionId: string) => string | undefined): { ok: true; url: string } | ({ ok: false } & BackendFailure) {
  const url = urlFor(backend.functionId);
  if (!url) {
    return { ok: false, status: 502, message: 'Bad Gateway', reason: `function ${backend.functionId} has no local URL in the stack config, so it cannot be invoked` };
  }
  return { ok: true, url };
}

/**
 * The headers of the invocation, in Fn's HTTP-gateway protocol: the client's method and request
 * URL (path and query as received), each client header as `fn-http-h-<name>` (hop-by-hop ones
 * excepted), `content-type` also unprefixed (Fn passes it on the invocation itself), plus the
 * call id, the deadline and `fn-intent: httprequest`.
 */
export function functionRequestHeaders(
  request: { method: string; requestUrl: string; headers: Readonly<Record<string, ReadonlyArray<string>>> },
  callId: string,
  deadline: Date,
): Record<string, string[]> {
  const out: Record<string, string[]> = {
    'fn-call-id': [callId],
    'fn-deadline': [deadline.toISOString()],
    'fn-intent': ['httprequest'],
    'fn-invoke-type': ['sync'],
    'fn-http-method': [request.method],
    'fn-http-request-url': [request.requestUrl],
  };
  for (const [name, values] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (isHopByHop(lower) || lower === 'host' || lower === 'content-length') continue;
    (out[`fn-http-h-${lower}`] ??= []).push(...values);
  }
  const contentType = Object.entries(request.headers).find(([n]) => n.toLowerCase() === 'content-type')?.[1];
  if (contentType?.length) out['content-type'] = [...contentType];
  return out;
}

/**
 * The function's answer as the client gets it. With Fn's protocol (any `fn-http-*` header): the
 * status from `Fn-Http-Status` (200 when absent), the headers from `Fn-Http-H-*`, plus
 * `content-type` and the body's `content-length`; the platform's other headers stay behind.
 * Without it, the answer is relayed as it is.
 */
export function functionResponse(status: number, headers: Record<string, string[]>): { status: number; headers: Record<string, string[]> } {
  const names = Object.keys(headers).map((n) => n.toLowerCase());
  if (!names.some((n) => n.startsWith('fn-http-'))) return { status, headers };
  let answerStatus = 200;
  const out: Record<string, string[]> = {};
  let plainContentType: string[] | undefined;
  let contentLength: string[] | undefined;
  for (const [name, values] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'fn-http-status') {
      const code = Number(values[0]);
      if (Number.isInteger(code) && code >= 100 && code <= 599) answerStatus = code;
    } else if (lower.startsWith('fn-http-h-')) {
      const target = lower.slice('fn-http-h-'.length);
      // The body's length is the platform's to state; hop-by-hop headers never pass a gateway.
      if (target && target !== 'content-length' && !isHopByHop(target)) (out[target] ??= []).push(...values);
    } else if (lower === 'content-type') {
      plainContentType = values;
    } else if (lower === 'content-length') {
      contentLength = values;
    }
  }
  if (!out['content-type'] && plainContentType?.length) out['content-type'] = [...plainContentType];
  if (contentLength?.length) out['content-length'] = [...contentLength];
  return { status: answerStatus, headers: out };
}
