import { describe, expect, it } from 'vitest';
import {
  authValueAsString,
  expandTemplate,
  parseRawQuery,
  readVariable,
  type RequestContext,
} from '../../gateway-emulator/pipeline/context-variables.js';
import type { GatewayRequest } from '../../gateway-emulator/pipeline/types.js';

function request(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  const rawQuery = overrides.rawQuery ?? 'city=San+Jos%C3%A9&tag=a&tag=b&Tag=C&empty=&flag&my%20key=v';
  return {
    method: 'GET',
    path: '/test/1',
    rawQuery,
    query: parseRawQuery(rawQuery),
    headers: { 'x-api-key': ['k1', 'k2'], 'content-type': ['application/json'], 'x-empty': [''] },
    host: 'acme.eu.example.com:8443',
    clientIp: '127.0.0.1',
    ...overrides,
  };
}

const claims = {
  sub: 'usecase2.user',
  'user.tenant.name': 'idcs-tenant',
  user: { tenant: { name: 'nested-not-dotted' } },
  scope: 'AnwendungReadA AnwendungWriteA',
  groups: ['g1', 'g2'],
  exp: 1767225600,
  admin: false,
  nothing: null,
  id_token_claims: { email: 'u@example.com' },
};

function ctx(overrides: Partial<RequestContext> = {}): RequestContext {
  return { request: request(), pathParams: { id: '42', rest: 'a%2Fb/c' }, auth: claims, ...overrides };
}

describe('readVariable', () => {
  it('request.path[...] gives the route parameter, encoding kept', () => {
    expect(readVariable('request.path[id]', ctx())).toEqual(['42']);
    expect(readVariable('request.path[rest]', ctx())).toEqual(['a%2Fb/c']);
    expect(readVariable('request.path[ID]', ctx())).toBeUndefined();
  });

  it('request.query[...] gives every value, case-sensitive names, encoding kept (San+José stays)', () => {
    expect(readVariable('request.query[city]', ctx())).toEqual(['San+Jos%C3%A9']);
    expect(readVariable('request.query[tag]', ctx())).toEqual(['a', 'b']);
    expect(readVariable('request.query[Tag]', ctx())).toEqual(['C']);
    expect(readVariable('request.query[TAG]', ctx())).toBeUndefined();
    expect(readVariable('request.query[empty]', ctx())).toEqual(['']);
    expect(readVariable('request.query[flag]', ctx())).toEqual(['']);
    expect(readVariable('request.query[my key]', ctx())).toEqual(['v']);
  });

  it('falls back to the parsed query when a request has no raw query', () => {
    const c = ctx({ request: request({ rawQuery: '', query: [['q', '1']] }) });
    expect(readVariable('request.query[q]', c)).toEqual(['1']);
  });

  it('request.headers[...] is case-insensitive and gives every value', () => {
    expect(readVariable('request.headers[X-Api-Key]', ctx())).toEqual(['k1', 'k2']);
    expect(readVariable('request.headers[x-empty]', ctx())).toEqual(['']);
    expect(readVariable('request.headers[x-missing]', ctx())).toBeUndefined();
    // A request built with mixed-case names (a test, the CLI) is read the same way.
    expect(readVariable('request.headers[x-mixed]', ctx({ request: request({ headers: { 'X-Mixed': ['m'] } }) }))).toEqual(['m']);
  });

  it('request.auth[...] reads a claim; a dot is part of the name', () => {
    expect(readVariable('request.auth[sub]', ctx())).toEqual(['usecase2.user']);
    expect(readVariable('request.auth[user.tenant.name]', ctx())).toEqual(['idcs-tenant']);
    expect(readVariable('request.auth[scope]', ctx())).toEqual(['AnwendungReadA AnwendungWriteA']);
    expect(readVariable('request.auth[groups]', ctx())).toEqual(['g1,g2']);
    expect(readVariable('request.auth[exp]', ctx())).toEqual(['1767225600']);
    expect(readVariable('request.auth[admin]', ctx())).toEqual(['false']);
    expect(readVariable('request.auth[nothing]', ctx())).toBeUndefined();
    expect(readVariable('request.auth[SUB]', ctx())).toBeUndefined();
  });

  it('request.auth[id_token_claims][claim] reads one level down (OIDC flow)', () => {
    expect(readVariable('request.auth[id_token_claims][email]', ctx())).toEqual(['u@example.com']);
    expect(readVariable('request.auth[id_token_claims][missing]', ctx())).toBeUndefined();
    expect(readVariable('request.auth[sub][x]', ctx())).toBeUndefined();
  });

  it('request.auth is empty without an authenticated caller, and never reads inherited properties', () => {
    expect(readVariable('request.auth[sub]', ctx({ auth: undefined }))).toBeUndefined();
    expect(readVariable('request.auth[constructor]', ctx())).toBeUndefined();
    expect(readVariable('request.auth[__proto__]', ctx())).toBeUndefined();
  });

  it('request.host and request.subdomain[suffix]', () => {
    expect(readVariable('request.host', ctx())).toEqual(['acme.eu.example.com:8443']);
    expect(readVariable('request.subdomain[example.com]', ctx())).toEqual(['acme.eu']);
    expect(readVariable('request.subdomain[EU.Example.com]', ctx())).toEqual(['acme']);
    expect(readVariable('request.subdomain[other.com]', ctx())).toBeUndefined();
    expect(readVariable('request.subdomain[acme.eu.example.com]', ctx())).toBeUndefined();
  });

  it('request.cert is always empty (no mutual TLS) and request.body is the body as text', () => {
    expect(readVariable('request.cert', ctx())).toBeUndefined();
    expect(readVariable('request.body', ctx())).toBeUndefined();
    expect(readVariable('request.body', ctx({ request: request({ body: Buffer.from('{"a":1}') }) }))).toEqual(['{"a":1}']);
  });

  it('unknown tables and malformed expressions read as absent', () => {
    for (const expression of ['request.usage_plan[id]', 'request.cookies[a]', 'headers[x-api-key]', 'request.headers', 'request.headers[a][b]', 'request.host[x]', '']) {
      expect(readVariable(expression, ctx()), expression).toBeUndefined();
    }
  });

  it('tolerates surrounding whitespace', () => {
    expect(readVariable('  request.path[id] ', ctx())).toEqual(['42']);
  });
});

describe('expandTemplate', () => {
  it('substitutes the FIRST value of each variable', () => {
    expect(expandTemplate('https://b/${request.path[rest]}?x', ctx())).toBe('https://b/a%2Fb/c?x');
    expect(expandTemplate('key=${request.headers[x-api-key]};tag=${request.query[tag]}', ctx())).toBe('key=k1;tag=a');
  });

  it('a missing variable becomes the empty string', () => {
    expect(expandTemplate('[${request.headers[x-missing]}][${request.auth[none]}]', ctx())).toBe('[][]');
    expect(expandTemplate('u=${request.auth[sub]}', ctx({ auth: undefined }))).toBe('u=');
  });

  it('writes claims with authValueAsString and keeps query encoding', () => {
    expect(expandTemplate('${request.auth[groups]}|${request.auth[exp]}|${request.query[city]}', ctx())).toBe('g1,g2|1767225600|San+Jos%C3%A9');
  });

  it('leaves ${...} that is no context variable as written', () => {
    expect(expandTemplate('price: ${amount} ${request.path[id]}', ctx())).toBe('price: ${amount} 42');
    expect(expandTemplate('no variables', ctx())).toBe('no variables');
  });
});

describe('authValueAsString', () => {
  it.each([
    ['text', 'text'],
    [42, '42'],
    [1.5, '1.5'],
    [-0.25, '-0.25'],
    [true, 'true'],
    [false, 'false'],
    [null, ''],
    [undefined, ''],
    [['a', 'b', 3], 'a,b,3'],
    [[], ''],
    [[{ k: 1 }, 'x'], '{"k":1},x'],
    [{ tenant: 'acme', n: 1 }, '{"tenant":"acme","n":1}'],
  ])('%j → %j', (value, text) => {
    expect(authValueAsString(value)).toBe(text);
  });
});

describe('parseRawQuery', () => {
  it('splits without decoding', () => {
    expect(parseRawQuery('a=1&b&c=x%20y&&d=e=f&+=%2B')).toEqual([
      ['a', '1'],
      ['b', ''],
      ['c', 'x%20y'],
      ['d', 'e=f'],
      ['+', '%2B'],
    ]);
    expect(parseRawQuery('')).toEqual([]);
  });
});
