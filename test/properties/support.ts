/**
 * Shared pieces of the property-based suites (fast-check): a raw HTTP client with a per-request
 * timeout (so a hang fails the property instead of the test run), the error shapes each service
 * must answer in, and a few generators of hostile text and bytes.
 *
 * A raw node:http client rather than fetch: fetch normalises paths (`..`, `%2e`), refuses odd
 * header values and always sends UTF-8, and these properties are about what a server does with
 * exactly the bytes a hostile client sends.
 */
import { request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import { expect } from 'vitest';
import { blogJwtAuthentication } from '../../gateway-emulator/spec/examples.js';

/**
 * A failing property prints its seed and shrink path (`{ seed: …, path: "…" }`); `FC_SEED=<seed>
 * npx vitest run test/properties/<file>` replays every property of the file from that seed.
 */
if (process.env.FC_SEED) fc.configureGlobal({ seed: Number(process.env.FC_SEED) });

/** Longest any single request may take before the property counts it as a hang. */
export const REQUEST_TIMEOUT_MS = 5_000;

export interface RawResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface RawRequest {
  method?: string;
  /** The request target exactly as sent (path and query); node refuses only bytes outside 0x21–0xff. */
  path: string;
  /** An array value sends the header once per element. */
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
  agent?: Agent;
  timeoutMs?: number;
}

/** One request; rejects with `hang: …` when no complete answer arrives within the timeout. */
export function rawRequest(baseUrl: string, options: RawRequest): Promise<RawResult> {
  const url = new URL(baseUrl);
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`hang: no answer within ${timeoutMs} ms to ${options.method ?? 'GET'} ${options.path.slice(0, 200)}`));
    }, timeoutMs);
    // A body is always framed by Content-Length: node's client sends the bytes of a HEAD, GET or
    // DELETE body without any framing, which the server then reads as the start of a next request.
    const headers = { ...options.headers };
    if (options.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: options.method ?? 'GET', path: options.path, headers, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

/** What a failed expectation prints: enough to replay the case by hand. */
export const show = (res: RawResult) => `${res.status} ${res.text.slice(0, 400)}${res.headers['x-harness-reason'] ? ` (x-harness-reason: ${res.headers['x-harness-reason']})` : ''}`;

const OAUTH_ERRORS = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'];

/** The token endpoint: a token response, or a 4xx `{error, error_description}` (RFC 6749 §5.2). */
export function expectTokenAnswer(res: RawResult): 'ok' | 'refused' {
  expect(res.status, show(res)).not.toBeGreaterThanOrEqual(500);
  if (res.status === 200) {
    expect(res.json, show(res)).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer', expires_in: expect.any(Number) });
    expect(res.headers['cache-control'], show(res)).toBe('no-store');
    return 'ok';
  }
  expect(res.status, show(res)).toBeGreaterThanOrEqual(400);
  expect(Object.keys(res.json ?? {}).sort(), show(res)).toEqual(['error', 'error_description']);
  expect(OAUTH_ERRORS, show(res)).toContain(res.json.error);
  expect(typeof res.json.error_description, show(res)).toBe('string');
  return 'refused';
}

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const IDCS_ERROR_SCHEMA = 'urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error';

/** The admin API's 4xx: `{schemas: [Error, IDCS Error], status: "<n>", detail, scimType?}`. */
export function expectScimError(res: RawResult): void {
  expect(res.status, show(res)).toBeGreaterThanOrEqual(400);
  expect(res.status, show(res)).toBeLessThan(500);
  const body = res.json;
  expect(body?.schemas, show(res)).toEqual([SCIM_ERROR_SCHEMA, IDCS_ERROR_SCHEMA]);
  expect(body.status, show(res)).toBe(String(res.status));
  expect(typeof body.detail, show(res)).toBe('string');
  expect(body.detail.length, show(res)).toBeGreaterThan(0);
  if (body.scimType !== undefined) expect(typeof body.scimType, show(res)).toBe('string');
  expect(Object.keys(body).filter((k) => !['schemas', 'detail', 'status', 'scimType', IDCS_ERROR_SCHEMA].includes(k)), show(res)).toEqual([]);
}

/** The control plane's 4xx: OCI's `{code: "<Name>", message}`. */
export function expectOciControlError(res: RawResult, codes?: string[]): void {
  expect(res.status, show(res)).toBeGreaterThanOrEqual(400);
  expect(res.status, show(res)).toBeLessThan(500);
  expect(Object.keys(res.json ?? {}).sort(), show(res)).toEqual(['code', 'message']);
  expect(typeof res.json.code, show(res)).toBe('string');
  if (codes) expect(codes, show(res)).toContain(res.json.code);
  expect(typeof res.json.message, show(res)).toBe('string');
}

/** The data plane's own answers: `{code: <status>, message}` (the 401 writes message first). */
export function expectGatewayError(res: RawResult): void {
  expect(res.status, show(res)).toBeGreaterThanOrEqual(400);
  expect(res.status, show(res)).toBeLessThan(500);
  expect(res.json, show(res)).toEqual({ code: res.status, message: expect.any(String) });
}

// ---------------------------------------------------------------------------------------------
// Generators

/** Header values node will send: tab, visible ASCII, space, and obs-text bytes (latin-1). */
export const headerValue = (maxLength = 80): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
        { weight: 1, arbitrary: fc.constant(0x09) },
        { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
      ),
      { maxLength },
    )
    .map((codes) => String.fromCharCode(...codes).trim());

/** Text with the characters parsers trip over: quotes, brackets, escapes, percent signs, unicode. */
export const trickyText = (maxLength = 40): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom('"', "'", '\\', '[', ']', '(', ')', '.', ':', '%', '+', '=', '&', ';', ',', ' ', '\t', '\n', '\u0000', '*', '/', '$', '{', '}'),
        fc.string({ unit: 'grapheme', maxLength: 3 }),
        fc.string({ maxLength: 4 }),
        fc.constantFrom('%2F', '%2e', '%ZZ', '%E9', '%C3%A9', '%', '\u00e9', '\u{1F600}', '\uD800', 'urn:', 'eq', 'and', 'or', 'not', 'null', 'true'),
      ),
      { maxLength },
    )
    .map((parts) => parts.join(''));

/** Text `encodeURIComponent` takes (no lone surrogate halves). */
export const wellFormed = (text: string): boolean => {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

/** A value generator of the "huge" kind, bounded so a run stays well under a second. */
export const hugeText = (): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom('a', '%', '%41', '\u00e9', '=', '&'), fc.integer({ min: 1_000, max: 200_000 })).map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)));

/** JSON values, including the keys that break naive object handling. */
export const hostileJson = (maxDepth = 4): fc.Arbitrary<unknown> =>
  fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      trickyText(20),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(trickyText(10), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'value', 'type', 'primary')), tie('value'), { maxKeys: 4 }),
    ),
  })).value;

/**
 * A deployment with what the data plane properties need: JWT authentication against the IAM
 * (anonymous access allowed where a route says ANONYMOUS), CORS, `{param}` and `{param*}` routes
 * to the echo backend with header transformations from context variables, a stock response and
 * a scope-checked route.
 */
export function richDeployment(pathPrefix: string, jwksUri: string, backendUrl: string, issuer: string): Record<string, any> {
  const fromRequest = {
    setHeaders: {
      items: [
        { name: 'X-From-Query', values: ['${request.query[q]}'], ifExists: 'OVERWRITE' },
        { name: 'X-From-Header', values: ['${request.headers[x-custom]}'], ifExists: 'APPEND' },
      ],
    },
  };
  return {
    pathPrefix,
    displayName: 'properties',
    compartmentId: 'ocid1.compartment.oc1..properties',
    gatewayId: 'ocid1.apigateway.oc1..properties',
    specification: {
      requestPolicies: {
        authentication: { ...blogJwtAuthentication(jwksUri, ['anwendung1'], { issuer, maxCacheDurationInHours: 1 }), isAnonymousAccessAllowed: true },
        cors: {
          allowedOrigins: ['https://app.example.com', 'http://localhost:3000'],
          allowedMethods: ['GET', 'POST', 'PUT'],
          allowedHeaders: ['Authorization', 'Content-Type', 'X-Custom'],
          exposedHeaders: ['opc-request-id'],
          isAllowCredentialsEnabled: true,
          maxAgeInSeconds: 600,
        },
      },
      routes: [
        {
          path: '/items/{id}',
          methods: ['GET', 'POST'],
          requestPolicies: { authorization: { type: 'AUTHENTICATION_ONLY' }, headerTransformations: fromRequest },
          backend: { type: 'HTTP_BACKEND', url: `${backendUrl}/items/\${request.path[id]}` },
        },
        {
          path: '/files/{rest*}',
          methods: ['ANY'],
          requestPolicies: { authorization: { type: 'ANONYMOUS' }, headerTransformations: fromRequest },
          backend: { type: 'HTTP_BACKEND', url: `${backendUrl}/files/\${request.path[rest]}` },
        },
        {
          path: '/stock',
          methods: ['GET'],
          requestPolicies: { authorization: { type: 'ANONYMOUS' } },
          backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body: '{"stock":true}', headers: [{ name: 'Content-Type', value: 'application/json' }] },
        },
        {
          path: '/secure/{p}',
          methods: ['GET'],
          requestPolicies: { authorization: { type: 'ANY_OF', allowedScope: ['AnwendungReadA'] } },
          backend: { type: 'HTTP_BACKEND', url: `${backendUrl}/secure/\${request.path[p]}` },
        },
      ],
    },
  };
}

/** Every path to a value inside `v` (objects and arrays), the root included. */
function pathsOf(v: unknown, at: PropertyKey[] = [], out: PropertyKey[][] = []): PropertyKey[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
}

/** One change at one path of a valid input (`where` picks the path): what a hand edit gets wrong. */
export type Mutation = { where: number; action: 'set' | 'delete' | 'rename' | 'wrap' | 'variable' | 'duplicate'; value: unknown; name: string };

export const mutationArb = (value: fc.Arbitrary<unknown>, name: fc.Arbitrary<string>, actions: ReadonlyArray<Mutation['action']>): fc.Arbitrary<Mutation> =>
  fc.record({ where: fc.nat(), action: fc.constantFrom(...actions), value, name });

/** Applies one mutation at one of the value's paths (a structured copy is changed and returned). */
export function mutate(input: unknown, m: Mutation): unknown {
  const root = { root: structuredClone(input) } as Record<PropertyKey, unknown>;
  const paths = pathsOf(root.root).map((p) => ['root', ...p]);
  const path = paths[m.where % paths.length]!;
  const key = path[path.length - 1]!;
  let parent: any = root;
  for (const k of path.slice(0, -1)) parent = parent[k as string];
  const current = parent[key as string];
  switch (m.action) {
    case 'set':
      parent[key as string] = m.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      break;
    case 'rename':
      if (!Array.isArray(parent) && key !== 'root') {
        delete parent[key as string];
        parent[m.name] = current;
      }
      break;
    case 'wrap':
      parent[key as string] = [current];
      break;
    case 'variable':
      parent[key as string] = `\${${m.name}}`;
      break;
    case 'duplicate':
      if (Array.isArray(parent)) parent.push(structuredClone(current));
      else parent[`${String(key)}2`] = structuredClone(current);
      break;
  }
  return root.root;
}
