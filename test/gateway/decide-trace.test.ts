/**
 * The decision trace of requests that pass: entries that come out the same for every request of a
 * stored deployment are shared (built once, frozen), yet each request's trace still says what was
 * matched for it: its own path parameters, the backend URL it was sent to.
 */
import type { models } from 'oci-apigateway';
import { describe, expect, it } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { deepFreeze } from '../../common/freeze.js';
import { AuthorizerCache } from '../../gateway-emulator/pipeline/authenticate-custom.js';
import { JwksCache } from '../../gateway-emulator/pipeline/jwks-cache.js';
import { decide, type Decision, type PipelineDeps } from '../../gateway-emulator/pipeline/pipeline.js';
import { RateLimiter } from '../../gateway-emulator/pipeline/rate-limit.js';
import type { DeploymentRoutes } from '../../gateway-emulator/pipeline/route-match.js';
import type { GatewayRequest } from '../../gateway-emulator/pipeline/types.js';

const clock = new ControllableClock();
const deps: PipelineDeps = {
  clock,
  jwks: new JwksCache({ clock, fetchJwks: async () => Promise.reject(new Error('no JWKS here')) }),
  rateLimiter: new RateLimiter({ clock }),
  authorizerCache: new AuthorizerCache({ clock }),
  functions: { urlFor: () => undefined },
};

const http = (url: string): models.HTTPBackend => ({ type: 'HTTP_BACKEND', url }) as models.HTTPBackend;
const stored: DeploymentRoutes = deepFreeze({
  id: 'd1',
  pathPrefix: '/shop',
  specification: {
    routes: [
      { path: '/items', methods: ['GET'], backend: http('http://backend.local/items') },
      { path: '/items/{id}', methods: ['GET'], backend: http('http://backend.local/items/${request.path[id]}') },
    ],
  } as models.ApiSpecification,
});

const get = (path: string, rawQuery = ''): GatewayRequest => ({
  method: 'GET',
  path,
  rawQuery,
  query: rawQuery ? rawQuery.split('&').map((pair) => pair.split('=') as [string, string]) : [],
  headers: { host: ['gw.local'] },
  host: 'gw.local',
  clientIp: '127.0.0.1',
});

const check = (decision: Decision, name: string) => decision.checks.find((c) => c.check === name);

describe('decision trace of accepted requests', () => {
  it('a route without parameters: the same frozen route and backend entries on every request', async () => {
    const first = await decide(get('/shop/items'), [stored], deps);
    const second = await decide(get('/shop/items'), [stored], deps);
    expect(first.outcome).toBe('accepted');
    expect(check(first, 'route')).toEqual({ check: 'route', passed: true, message: 'matched /shop/items', found: { methods: ['GET'], pathParams: {} } });
    expect(check(second, 'route')).toBe(check(first, 'route'));
    expect(Object.isFrozen(check(first, 'route'))).toBe(true);
    expect(check(first, 'backend')).toEqual({ check: 'backend', passed: true, message: 'HTTP_BACKEND http://backend.local/items' });
    expect(check(second, 'backend')).toBe(check(first, 'backend'));
    expect(first).toMatchObject({ method: 'GET', path: '/shop/items', deploymentId: 'd1', pathPrefix: '/shop', routePath: '/items' });
  });

  it("a route with parameters: each request's own parameters and backend URL", async () => {
    const a = await decide(get('/shop/items/a1'), [stored], deps);
    const b = await decide(get('/shop/items/b2', 'x=1'), [stored], deps);
    expect(check(a, 'route')).toMatchObject({ message: 'matched /shop/items/{id}', found: { pathParams: { id: 'a1' } } });
    expect(check(b, 'route')).toMatchObject({ message: 'matched /shop/items/{id}', found: { pathParams: { id: 'b2' } } });
    expect(check(a, 'backend')?.message).toBe('HTTP_BACKEND http://backend.local/items/a1');
    expect(check(b, 'backend')?.message).toBe('HTTP_BACKEND http://backend.local/items/b2?x=1');
  });

  it('a query on a route without parameters names the URL actually called', async () => {
    const withQuery = await decide(get('/shop/items', 'page=2'), [stored], deps);
    expect(check(withQuery, 'backend')?.message).toBe('HTTP_BACKEND http://backend.local/items?page=2');
    const plain = await decide(get('/shop/items'), [stored], deps);
    expect(check(plain, 'backend')?.message).toBe('HTTP_BACKEND http://backend.local/items');
  });
});
