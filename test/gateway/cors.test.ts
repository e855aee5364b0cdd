import { describe, expect, it } from 'vitest';
import type { models } from 'oci-apigateway';
import { effectiveCorsPolicy, evaluateCors } from '../../gateway-emulator/pipeline/cors.js';
import type { GatewayRequest } from '../../gateway-emulator/pipeline/types.js';

function request(method: string, headers: Record<string, string | string[]> = {}): GatewayRequest {
  const h: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = Array.isArray(v) ? v : [v];
  return { method, path: '/v1/items', rawQuery: '', query: [], headers: h, host: 'gw.local', clientIp: '127.0.0.1' };
}

const preflight = (origin: string, method: string, extra: Record<string, string> = {}) =>
  request('OPTIONS', { origin, 'access-control-request-method': method, ...extra });

const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';

const APP: models.CorsPolicy = {
  allowedOrigins: ['https://app.example.com'],
  allowedMethods: ['PUT', 'DELETE'],
  allowedHeaders: ['Authorization', 'Content-Type'],
  exposedHeaders: ['opc-request-id', 'X-Total'],
  isAllowCredentialsEnabled: false,
  maxAgeInSeconds: 600,
};

describe('what is CORS at all', () => {
  it('without a policy or without Origin nothing happens', () => {
    expect(evaluateCors(undefined, preflight('https://app.example.com', 'PUT'))).toEqual({ kind: 'not-cors' });
    expect(evaluateCors(APP, request('GET'))).toEqual({ kind: 'not-cors' });
    expect(evaluateCors(APP, request('OPTIONS', { 'access-control-request-method': 'PUT' }))).toEqual({ kind: 'not-cors' });
  });

  it('an OPTIONS request without Access-Control-Request-Method is an actual request', () => {
    expect(evaluateCors(APP, request('OPTIONS', { origin: 'https://app.example.com' }))).toEqual({
      kind: 'actual',
      headers: {
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-expose-headers': 'opc-request-id, X-Total',
        vary: 'Origin',
      },
    });
  });
});

describe('preflight', () => {
  it('answers 204 with the configured methods, headers and max age for an allowed origin', () => {
    expect(evaluateCors(APP, preflight('https://app.example.com', 'PUT', { 'access-control-request-headers': 'authorization, content-type' }))).toEqual({
      kind: 'preflight',
      status: 204,
      headers: {
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-allow-methods': 'PUT, DELETE',
        'access-control-allow-headers': 'Authorization, Content-Type',
        'access-control-max-age': '600',
        vary: PREFLIGHT_VARY,
      },
    });
  });

  it('refuses an origin that is not listed, compared by scheme, host and port', () => {
    expect(evaluateCors(APP, preflight('https://evil.example.com', 'PUT'))).toEqual({
      kind: 'preflight-refused',
      reason: "origin 'https://evil.example.com' is not in allowedOrigins [https://app.example.com]",
    });
    expect(evaluateCors(APP, preflight('http://app.example.com', 'PUT')).kind).toBe('preflight-refused');
    expect(evaluateCors(APP, preflight('https://app.example.com:8443', 'PUT')).kind).toBe('preflight-refused');
  });

  it('treats scheme and host case-insensitively and a default port as absent', () => {
    const policy: models.CorsPolicy = { allowedOrigins: ['HTTPS://App.Example.com:443/'], allowedMethods: ['PUT'] };
    const outcome = evaluateCors(policy, preflight('https://app.example.com', 'PUT'));
    expect(outcome).toEqual({
      kind: 'preflight',
      status: 204,
      headers: { 'access-control-allow-origin': 'https://app.example.com', 'access-control-allow-methods': 'PUT', vary: PREFLIGHT_VARY },
    });
    const withPort: models.CorsPolicy = { allowedOrigins: ['http://localhost:3000'] };
    expect(evaluateCors(withPort, preflight('http://localhost:3000', 'GET')).kind).toBe('preflight');
    expect(evaluateCors(withPort, preflight('http://localhost:3001', 'GET')).kind).toBe('preflight-refused');
  });

  it('answers * for a wildcard origin without credentials, and echoes the origin with credentials', () => {
    const open: models.CorsPolicy = { allowedOrigins: ['*'], allowedMethods: ['GET'] };
    expect(evaluateCors(open, preflight('https://any.example.org', 'GET'))).toEqual({
      kind: 'preflight',
      status: 204,
      headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET', vary: PREFLIGHT_VARY },
    });
    const credentialed: models.CorsPolicy = { ...open, isAllowCredentialsEnabled: true };
    expect(evaluateCors(credentialed, preflight('https://any.example.org', 'GET'))).toEqual({
      kind: 'preflight',
      status: 204,
      headers: {
        'access-control-allow-origin': 'https://any.example.org',
        'access-control-allow-methods': 'GET',
        'access-control-allow-credentials': 'true',
        vary: PREFLIGHT_VARY,
      },
    });
  });

  it('prefers an exact entry over * (echoes the origin)', () => {
    const policy: models.CorsPolicy = { allowedOrigins: ['*', 'https://app.example.com'] };
    const outcome = evaluateCors(policy, preflight('https://app.example.com', 'GET'));
    expect(outcome.kind === 'preflight' && outcome.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = evaluateCors(policy, preflight('https://other.example.com', 'GET'));
    expect(other.kind === 'preflight' && other.headers['access-control-allow-origin']).toBe('*');
  });

  it('matches the null origin of file: pages only with a null entry (or *)', () => {
    const files: models.CorsPolicy = { allowedOrigins: ['null'] };
    const outcome = evaluateCors(files, preflight('null', 'GET'));
    expect(outcome.kind === 'preflight' && outcome.headers['access-control-allow-origin']).toBe('null');
    expect(evaluateCors(APP, preflight('null', 'GET')).kind).toBe('preflight-refused');
    const open = evaluateCors({ allowedOrigins: ['*'] }, preflight('null', 'GET'));
    expect(open.kind === 'preflight' && open.headers['access-control-allow-origin']).toBe('*');
  });

  it('with empty allowedMethods allows only the simple methods', () => {
    const policy: models.CorsPolicy = { allowedOrigins: ['https://app.example.com'], allowedMethods: [] };
    expect(evaluateCors(policy, preflight('https://app.example.com', 'POST'))).toEqual({
      kind: 'preflight',
      status: 204,
      headers: { 'access-control-allow-origin': 'https://app.example.com', 'access-control-allow-methods': 'GET, HEAD, POST', vary: PREFLIGHT_VARY },
    });
    expect(evaluateCors(policy, preflight('https://app.example.com', 'PUT'))).toEqual({
      kind: 'preflight-refused',
      reason: "method 'PUT' is not in allowedMethods [] (empty: only GET, HEAD, POST)",
    });
  });

  it('refuses a method that is not listed, but never a simple one', () => {
    expect(evaluateCors(APP, preflight('https://app.example.com', 'PATCH'))).toEqual({
      kind: 'preflight-refused',
      reason: "method 'PATCH' is not in allowedMethods [PUT, DELETE]",
    });
    expect(evaluateCors(APP, preflight('https://app.example.com', 'GET')).kind).toBe('preflight');
  });

  it('refuses request headers that are not listed (case-insensitive names)', () => {
    expect(
      evaluateCors(APP, preflight('https://app.example.com', 'PUT', { 'access-control-request-headers': 'AUTHORIZATION,x-debug, X-Trace' })),
    ).toEqual({
      kind: 'preflight-refused',
      reason: "header(s) 'x-debug', 'x-trace' not in allowedHeaders [Authorization, Content-Type]",
    });
  });

  it('answers a configured * with the method and headers the preflight asked for', () => {
    const policy: models.CorsPolicy = { allowedOrigins: ['https://app.example.com'], allowedMethods: ['*'], allowedHeaders: ['*'], isAllowCredentialsEnabled: true };
    expect(
      evaluateCors(policy, preflight('https://app.example.com', 'PATCH', { 'access-control-request-headers': 'Authorization, X-Custom' })),
    ).toEqual({
      kind: 'preflight',
      status: 204,
      headers: {
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-allow-methods': 'PATCH',
        'access-control-allow-headers': 'authorization, x-custom',
        'access-control-allow-credentials': 'true',
        vary: PREFLIGHT_VARY,
      },
    });
    // Nothing asked for: no Allow-Headers at all.
    const bare = evaluateCors(policy, preflight('https://app.example.com', 'DELETE'));
    expect(bare.kind === 'preflight' && Object.keys(bare.headers)).toEqual([
      'access-control-allow-origin',
      'access-control-allow-methods',
      'access-control-allow-credentials',
      'vary',
    ]);
  });

  it('sends Max-Age only when it is above 0', () => {
    const zero = evaluateCors({ ...APP, maxAgeInSeconds: 0 }, preflight('https://app.example.com', 'PUT'));
    expect(zero.kind === 'preflight' && 'access-control-max-age' in zero.headers).toBe(false);
    const one = evaluateCors({ ...APP, maxAgeInSeconds: 1 }, preflight('https://app.example.com', 'PUT'));
    expect(one.kind === 'preflight' && one.headers['access-control-max-age']).toBe('1');
  });
});

describe('actual requests', () => {
  it('gets Allow-Origin, Expose-Headers and Vary, and Allow-Credentials when enabled', () => {
    expect(evaluateCors({ ...APP, isAllowCredentialsEnabled: true }, request('GET', { origin: 'https://app.example.com' }))).toEqual({
      kind: 'actual',
      headers: {
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-allow-credentials': 'true',
        'access-control-expose-headers': 'opc-request-id, X-Total',
        vary: 'Origin',
      },
    });
  });

  it('gets no methods, headers or max age (those are preflight-only)', () => {
    expect(evaluateCors({ allowedOrigins: ['*'], allowedMethods: ['PUT'], allowedHeaders: ['X-A'], maxAgeInSeconds: 60 }, request('PUT', { origin: 'https://x.test' }))).toEqual({
      kind: 'actual',
      headers: { 'access-control-allow-origin': '*', vary: 'Origin' },
    });
  });

  it('from an origin that is not allowed goes on without CORS headers', () => {
    expect(evaluateCors(APP, request('GET', { origin: 'https://evil.example.com' }))).toEqual({
      kind: 'actual-no-match',
      reason: "origin 'https://evil.example.com' is not in allowedOrigins [https://app.example.com]",
    });
  });
});

describe('effectiveCorsPolicy', () => {
  it('takes the route policy as a whole when there is one, else the deployment policy', () => {
    const deployment: models.CorsPolicy = { allowedOrigins: ['https://a.test'], allowedMethods: ['PUT'] };
    const route: models.CorsPolicy = { allowedOrigins: ['https://b.test'] };
    expect(effectiveCorsPolicy(deployment, route)).toBe(route);
    expect(effectiveCorsPolicy(deployment, undefined)).toBe(deployment);
    expect(effectiveCorsPolicy(undefined, route)).toBe(route);
    expect(effectiveCorsPolicy(undefined, undefined)).toBeUndefined();
    // Not merged: the deployment's PUT does not leak into the route's answer.
    const outcome = evaluateCors(effectiveCorsPolicy(deployment, route), preflight('https://b.test', 'PUT'));
    expect(outcome.kind).toBe('preflight-refused');
  });
});
