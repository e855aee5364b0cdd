import { describe, expect, it } from 'vitest';
import type { models } from 'oci-apigateway';
import { matchRoute, type DeploymentRoutes, type RouteMatch } from '../../gateway-emulator/pipeline/route-match.js';

const stock = { type: 'STOCK_RESPONSE_BACKEND', status: 200 } as models.StockResponseBackend;

function route(path: string, methods?: string[]): models.ApiSpecificationRoute {
  return { path, backend: stock, ...(methods ? { methods: methods as models.ApiSpecificationRoute.Methods[] } : {}) };
}

function deployment(id: string, pathPrefix: string, routes: models.ApiSpecificationRoute[]): DeploymentRoutes {
  return { id, pathPrefix, specification: { routes } };
}

/** The matched route's path and params, or the reason; so each expectation is one exact value. */
function summary(m: RouteMatch): { deployment: string; route: string; index: number; params: Record<string, string> } | string {
  return m.matched ? { deployment: m.deployment.id, route: m.route.path, index: m.routeIndex, params: m.pathParams } : m.reason;
}

describe('path prefix', () => {
  // The blog's deployments: /test and /test2, each with route /1.
  const blog = [deployment('d-test', '/test', [route('/1', ['GET'])]), deployment('d-test2', '/test2', [route('/1', ['GET'])])];

  it('routes the blog GET /test/1 and /test2/1 to their own deployments', () => {
    expect(summary(matchRoute(blog, 'GET', '/test/1'))).toEqual({ deployment: 'd-test', route: '/1', index: 0, params: {} });
    expect(summary(matchRoute(blog, 'GET', '/test2/1'))).toEqual({ deployment: 'd-test2', route: '/1', index: 0, params: {} });
  });

  it('matches the prefix as whole segments only', () => {
    expect(summary(matchRoute(blog, 'GET', '/testing/1'))).toBe('no deployment has path prefix matching /testing/1');
    expect(summary(matchRoute(blog, 'GET', '/foo'))).toBe('no deployment has path prefix matching /foo');
  });

  it('matches the prefix case-sensitively', () => {
    expect(summary(matchRoute(blog, 'GET', '/Test/1'))).toBe('no deployment has path prefix matching /Test/1');
  });

  it('gives the request to the longest matching prefix, which alone is searched', () => {
    const nested = [deployment('outer', '/api', [route('/{rest*}')]), deployment('inner', '/api/v2', [route('/items')])];
    expect(summary(matchRoute(nested, 'GET', '/api/v2/items'))).toEqual({ deployment: 'inner', route: '/items', index: 0, params: {} });
    expect(summary(matchRoute(nested, 'GET', '/api/v1/items'))).toEqual({ deployment: 'outer', route: '/{rest*}', index: 0, params: { rest: 'v1/items' } });
    // No fall-back to /api: /api/v2 owns every path below it.
    expect(summary(matchRoute(nested, 'GET', '/api/v2/other'))).toBe('no route of deployment inner (path prefix /api/v2) matches /other');
  });

  it('treats a trailing slash on the prefix like none, and a bare prefix as route /', () => {
    const d = [deployment('d', '/shop/', [route('/')])];
    expect(summary(matchRoute(d, 'GET', '/shop/'))).toEqual({ deployment: 'd', route: '/', index: 0, params: {} });
    expect(summary(matchRoute(d, 'GET', '/shop'))).toEqual({ deployment: 'd', route: '/', index: 0, params: {} });
    expect(summary(matchRoute(d, 'GET', '/shop/x'))).toBe('no route of deployment d (path prefix /shop/) matches /x');
  });

  it('a path that is not absolute matches nothing', () => {
    expect(summary(matchRoute(blog, 'GET', 'test/1'))).toBe('request path "test/1" does not start with /');
  });
});

describe('route paths', () => {
  const d = (routes: models.ApiSpecificationRoute[]) => [deployment('d', '/p', routes)];

  it('matches literal segments case-sensitively', () => {
    expect(summary(matchRoute(d([route('/Users')]), 'GET', '/p/users'))).toBe('no route of deployment d (path prefix /p) matches /users');
    expect(summary(matchRoute(d([route('/Users')]), 'GET', '/p/Users'))).toEqual({ deployment: 'd', route: '/Users', index: 0, params: {} });
  });

  it('distinguishes a trailing slash', () => {
    const routes = d([route('/a'), route('/a/')]);
    expect(summary(matchRoute(routes, 'GET', '/p/a'))).toEqual({ deployment: 'd', route: '/a', index: 0, params: {} });
    expect(summary(matchRoute(routes, 'GET', '/p/a/'))).toEqual({ deployment: 'd', route: '/a/', index: 1, params: {} });
    expect(summary(matchRoute(d([route('/a')]), 'GET', '/p/a/'))).toBe('no route of deployment d (path prefix /p) matches /a/');
  });

  it('{p} takes exactly one non-empty segment', () => {
    const routes = d([route('/users/{id}')]);
    expect(summary(matchRoute(routes, 'GET', '/p/users/42'))).toEqual({ deployment: 'd', route: '/users/{id}', index: 0, params: { id: '42' } });
    expect(summary(matchRoute(routes, 'GET', '/p/users/'))).toBe('no route of deployment d (path prefix /p) matches /users/');
    expect(summary(matchRoute(routes, 'GET', '/p/users/42/x'))).toBe('no route of deployment d (path prefix /p) matches /users/42/x');
    expect(summary(matchRoute(routes, 'GET', '/p/users'))).toBe('no route of deployment d (path prefix /p) matches /users');
  });

  it('{p*} takes zero or more segments, keyed without *, slashes kept (D-params example)', () => {
    const routes = d([route('/hello/{generic_welcome*}')]);
    const params = (path: string) => {
      const m = matchRoute(routes, 'GET', path);
      return m.matched ? m.pathParams : m.reason;
    };
    expect(params('/p/hello/')).toEqual({ generic_welcome: '' });
    expect(params('/p/hello/top.html')).toEqual({ generic_welcome: 'top.html' });
    expect(params('/p/hello/apac/introduction/')).toEqual({ generic_welcome: 'apac/introduction/' });
    expect(params('/p/hello')).toEqual({ generic_welcome: '' });
    expect(params('/p/hellox')).toBe('no route of deployment d (path prefix /p) matches /hellox');
  });

  it('several parameters in one route', () => {
    const m = matchRoute(d([route('/{org}/repos/{repo}/{file*}')]), 'GET', '/p/acme/repos/tool/src/main.ts');
    expect(summary(m)).toEqual({ deployment: 'd', route: '/{org}/repos/{repo}/{file*}', index: 0, params: { org: 'acme', repo: 'tool', file: 'src/main.ts' } });
  });

  it('keeps percent-encoding in parameter values as received', () => {
    const m = matchRoute(d([route('/city/{name}/{rest*}')]), 'GET', '/p/city/San%20Jos%C3%A9/a%2Fb/c+d');
    expect(summary(m)).toEqual({ deployment: 'd', route: '/city/{name}/{rest*}', index: 0, params: { name: 'San%20Jos%C3%A9', rest: 'a%2Fb/c+d' } });
  });

  it('a segment that only partly looks like a parameter is literal text', () => {
    const routes = d([route('/file.{ext}')]);
    expect(summary(matchRoute(routes, 'GET', '/p/file.{ext}'))).toEqual({ deployment: 'd', route: '/file.{ext}', index: 0, params: {} });
    expect(summary(matchRoute(routes, 'GET', '/p/file.txt'))).toBe('no route of deployment d (path prefix /p) matches /file.txt');
  });

  it('the empty route list matches nothing', () => {
    expect(summary(matchRoute([{ id: 'e', pathPrefix: '/e', specification: {} }], 'GET', '/e/x'))).toBe('no route of deployment e (path prefix /e) matches /x');
  });
});

describe('precedence between overlapping routes [I]', () => {
  const d = (routes: models.ApiSpecificationRoute[]) => [deployment('d', '/p', routes)];

  it('more literal segments win over spec order', () => {
    const routes = d([route('/users/{id}'), route('/users/me')]);
    expect(summary(matchRoute(routes, 'GET', '/p/users/me'))).toEqual({ deployment: 'd', route: '/users/me', index: 1, params: {} });
    expect(summary(matchRoute(routes, 'GET', '/p/users/7'))).toEqual({ deployment: 'd', route: '/users/{id}', index: 0, params: { id: '7' } });
  });

  it('{p} wins over {p*} with equal literals', () => {
    const routes = d([route('/files/{all*}'), route('/files/{one}')]);
    expect(summary(matchRoute(routes, 'GET', '/p/files/a'))).toEqual({ deployment: 'd', route: '/files/{one}', index: 1, params: { one: 'a' } });
    expect(summary(matchRoute(routes, 'GET', '/p/files/a/b'))).toEqual({ deployment: 'd', route: '/files/{all*}', index: 0, params: { all: 'a/b' } });
  });

  it('a literal route wins over a wildcard that matches zero segments', () => {
    const routes = d([route('/hello/{g*}'), route('/hello')]);
    expect(summary(matchRoute(routes, 'GET', '/p/hello'))).toEqual({ deployment: 'd', route: '/hello', index: 1, params: {} });
  });

  it('between equals, the earlier route wins', () => {
    const routes = d([route('/{a}/x'), route('/{b}/x')]);
    expect(summary(matchRoute(routes, 'GET', '/p/1/x'))).toEqual({ deployment: 'd', route: '/{a}/x', index: 0, params: { a: '1' } });
  });
});

describe('methods', () => {
  const d = (routes: models.ApiSpecificationRoute[]) => [deployment('d', '/test', routes)];

  it('absent methods and ANY accept every method', () => {
    expect(summary(matchRoute(d([route('/1')]), 'DELETE', '/test/1'))).toEqual({ deployment: 'd', route: '/1', index: 0, params: {} });
    expect(summary(matchRoute(d([route('/1', ['ANY'])]), 'PATCH', '/test/1'))).toEqual({ deployment: 'd', route: '/1', index: 0, params: {} });
  });

  it('a path match whose methods do not fit is a non-match naming the allowed methods', () => {
    expect(summary(matchRoute(d([route('/1', ['GET'])]), 'POST', '/test/1'))).toBe('route /1 does not accept POST (allowed: GET)');
    expect(summary(matchRoute(d([route('/1', ['GET'])]), 'HEAD', '/test/1'))).toBe('route /1 does not accept HEAD (allowed: GET)');
  });

  it('falls through to a less specific route whose methods fit', () => {
    const routes = d([route('/{id}', ['POST']), route('/1', ['GET'])]);
    expect(summary(matchRoute(routes, 'POST', '/test/1'))).toEqual({ deployment: 'd', route: '/{id}', index: 0, params: { id: '1' } });
    expect(summary(matchRoute(routes, 'GET', '/test/1'))).toEqual({ deployment: 'd', route: '/1', index: 1, params: {} });
    expect(summary(matchRoute(routes, 'PUT', '/test/1'))).toBe('route /1, /{id} does not accept PUT (allowed: GET, POST)');
  });

  it('the same path listed twice for different methods', () => {
    const routes = d([route('/1', ['GET']), route('/1', ['POST', 'PUT'])]);
    expect(summary(matchRoute(routes, 'PUT', '/test/1'))).toEqual({ deployment: 'd', route: '/1', index: 1, params: {} });
    expect(summary(matchRoute(routes, 'DELETE', '/test/1'))).toBe('route /1 does not accept DELETE (allowed: GET, POST, PUT)');
  });
});

describe('dot segments are never routed', () => {
  const d = [deployment('d', '/test', [route('/{all*}')])];

  it.each([
    ['/test/../admin', '..'],
    ['/test/a/./b', '.'],
    ['/test/%2e%2E/admin', '%2e%2E'],
    ['/test/.%2E', '.%2E'],
    ['/test/x/..%2F..%2Fetc', '..%2F..%2Fetc'],
    ['/test/x/..%5Cwin', '..%5Cwin'],
    ['/test/x/..\\win', '..\\win'],
  ])('%s', (path, segment) => {
    expect(summary(matchRoute(d, 'GET', path))).toBe(`request path ${path} contains the dot segment ${JSON.stringify(segment)}`);
  });

  it('dots inside a segment are ordinary characters', () => {
    expect(summary(matchRoute(d, 'GET', '/test/a..b/.well-known/x.%2e'))).toEqual({ deployment: 'd', route: '/{all*}', index: 0, params: { all: 'a..b/.well-known/x.%2e' } });
  });
});

it('stays fast on a long path against several wildcards', () => {
  const d = [deployment('d', '/w', [route('/{a*}/x/{b*}/y/{c*}/z')])];
  // Every segment is x or y, so each wildcard can stop almost anywhere; only `z` is missing.
  const path = `/w/${Array.from({ length: 1000 }, () => 'x/y').join('/')}`;
  const started = performance.now();
  expect(summary(matchRoute(d, 'GET', path))).toBe('no route of deployment d (path prefix /w) matches ' + path.slice(2));
  expect(performance.now() - started).toBeLessThan(2000);
});

describe('routes are parsed once per stored specification', () => {
  it('a stored (frozen) specification matches the same on every request', () => {
    const d = [Object.freeze(deployment('d', '/test', [route('/{id}', ['GET']), route('/1', ['GET'])]))];
    Object.freeze(d[0]!.specification);
    for (let i = 0; i < 3; i++) {
      expect(summary(matchRoute(d, 'GET', '/test/1'))).toEqual({ deployment: 'd', route: '/1', index: 1, params: {} });
      expect(summary(matchRoute(d, 'GET', `/test/x${i}`))).toEqual({ deployment: 'd', route: '/{id}', index: 0, params: { id: `x${i}` } });
    }
  });

  it("a caller's own specification is read as it is now, even after it changed", () => {
    const spec: models.ApiSpecification = { routes: [route('/1', ['GET'])] };
    const d: DeploymentRoutes[] = [{ id: 'd', pathPrefix: '/test', specification: spec }];
    expect(summary(matchRoute(d, 'GET', '/test/1'))).toEqual({ deployment: 'd', route: '/1', index: 0, params: {} });
    spec.routes = [route('/2', ['GET'])];
    expect(summary(matchRoute(d, 'GET', '/test/1'))).toBe('no route of deployment d (path prefix /test) matches /1');
    expect(summary(matchRoute(d, 'GET', '/test/2'))).toEqual({ deployment: 'd', route: '/2', index: 0, params: {} });
  });
});
