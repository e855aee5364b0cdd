import { describe, expect, it } from 'vitest';
import type { models } from 'oci-apigateway';
import { parseRawQuery, type RequestContext } from '../../gateway-emulator/pipeline/context-variables.js';
import {
  encodeQueryComponent,
  PROTECTED_REQUEST_HEADERS,
  PROTECTED_RESPONSE_HEADERS,
  serializeQuery,
  transformQuery,
  transformRequestHeaders,
  transformResponseHeaders,
} from '../../gateway-emulator/pipeline/transform.js';
import type { GatewayRequest } from '../../gateway-emulator/pipeline/types.js';

const ORIGINAL_HEADERS = {
  authorization: ['Bearer abc'],
  'x-api-key': ['k1', 'k2'],
  'x-old': ['old-value'],
  accept: ['application/json'],
  cookie: ['session=1'],
};
const RAW_QUERY = 'city=San+Jos%C3%A9&tag=a&tag=b&Tag=C&page=2';

function ctx(auth: Record<string, unknown> = { sub: 'usecase2.user', groups: ['g1', 'g2'], 'user.tenant.name': 'acme' }): RequestContext {
  const request: GatewayRequest = {
    method: 'GET',
    path: '/test/users/42',
    rawQuery: RAW_QUERY,
    query: parseRawQuery(RAW_QUERY),
    headers: ORIGINAL_HEADERS,
    host: 'gw.example.com',
    clientIp: '10.0.0.1',
  };
  return { request, pathParams: { id: '42' }, auth };
}

const headersCopy = (): Record<string, string[]> => Object.fromEntries(Object.entries(ORIGINAL_HEADERS).map(([k, v]) => [k, [...v]]));
type IfExists = models.SetHeaderPolicyItem.IfExists;
const set = (name: string, values: string[], ifExists?: string): models.SetHeaderPolicyItem => ({ name, values, ...(ifExists ? { ifExists: ifExists as IfExists } : {}) });

describe('request header transformations', () => {
  it('no policy changes nothing', () => {
    expect(transformRequestHeaders(undefined, headersCopy(), ctx())).toEqual({ headers: ORIGINAL_HEADERS, checks: [] });
  });

  it('set: adds a header per value, with context variables (D-xf example: the caller as a header)', () => {
    const policy: models.HeaderTransformationPolicy = {
      setHeaders: { items: [set('X-User', ['${request.auth[sub]}']), set('X-Groups', ['${request.auth[groups]}', 'static']), set('X-Tenant', ['t=${request.auth[user.tenant.name]};id=${request.path[id]}'])] },
    };
    const out = transformRequestHeaders(policy, headersCopy(), ctx()).headers;
    expect([out['x-user'], out['x-groups'], out['x-tenant']]).toEqual([['usecase2.user'], ['g1,g2', 'static'], ['t=acme;id=42']]);
  });

  it('set: OVERWRITE (the default) replaces, APPEND adds, SKIP keeps', () => {
    const run = (ifExists?: string) => transformRequestHeaders({ setHeaders: { items: [set('x-api-key', ['new'], ifExists)] } }, headersCopy(), ctx()).headers['x-api-key'];
    expect(run()).toEqual(['new']);
    expect(run('OVERWRITE')).toEqual(['new']);
    expect(run('APPEND')).toEqual(['k1', 'k2', 'new']);
    expect(run('SKIP')).toEqual(['k1', 'k2']);
    // SKIP and APPEND on a header the request does not have simply set it.
    const absent = (ifExists: string) => transformRequestHeaders({ setHeaders: { items: [set('x-new', ['v'], ifExists)] } }, headersCopy(), ctx()).headers['x-new'];
    expect([absent('SKIP'), absent('APPEND')]).toEqual([['v'], ['v']]);
  });

  it('set: header names are case-insensitive and come out lower-cased', () => {
    const out = transformRequestHeaders({ setHeaders: { items: [set('X-API-KEY', ['upper'])] } }, { 'X-Api-Key': ['a'], Accept: ['*/*'] }, ctx()).headers;
    expect(out).toEqual({ 'x-api-key': ['upper'], accept: ['*/*'] });
  });

  it('set: a missing context variable gives an empty value', () => {
    expect(transformRequestHeaders({ setHeaders: { items: [set('x-user', ['${request.auth[sub]}'])] } }, {}, { ...ctx(), auth: undefined }).headers).toEqual({ 'x-user': [''] });
  });

  it('rename: the new name gets the original values, the old name goes', () => {
    const out = transformRequestHeaders({ renameHeaders: { items: [{ from: 'X-Old', to: 'X-New' }] } }, headersCopy(), ctx()).headers;
    expect([out['x-old'], out['x-new']]).toEqual([undefined, ['old-value']]);
    // A rename of a header the request does not have does nothing.
    expect(transformRequestHeaders({ renameHeaders: { items: [{ from: 'x-none', to: 'x-other' }] } }, headersCopy(), ctx()).headers).toEqual(ORIGINAL_HEADERS);
  });

  it('rename onto an existing header replaces it [I]', () => {
    const out = transformRequestHeaders({ renameHeaders: { items: [{ from: 'x-old', to: 'accept' }] } }, headersCopy(), ctx()).headers;
    expect(out.accept).toEqual(['old-value']);
  });

  it('filter BLOCK removes the listed headers, case-insensitively', () => {
    const out = transformRequestHeaders({ filterHeaders: { type: 'BLOCK' as models.FilterHeaderPolicy.Type, items: [{ name: 'Authorization' }, { name: 'x-none' }] } }, headersCopy(), ctx());
    expect(Object.keys(out.headers)).toEqual(['x-api-key', 'x-old', 'accept', 'cookie']);
    expect(out.checks).toEqual([]);
  });

  it('filter ALLOW runs after set and rename, and protected headers survive it', () => {
    const policy: models.HeaderTransformationPolicy = {
      setHeaders: { items: [set('x-user', ['${request.auth[sub]}']), set('x-dropped', ['d'])] },
      renameHeaders: { items: [{ from: 'x-old', to: 'x-renamed' }] },
      filterHeaders: { type: 'ALLOW' as models.FilterHeaderPolicy.Type, items: [{ name: 'Accept' }, { name: 'x-user' }, { name: 'x-renamed' }] },
    };
    expect(transformRequestHeaders(policy, headersCopy(), ctx()).headers).toEqual({
      accept: ['application/json'],
      cookie: ['session=1'],
      'x-user': ['usecase2.user'],
      'x-renamed': ['old-value'],
    });
  });

  it('context variables read the ORIGINAL request, not earlier transformations', () => {
    const policy: models.HeaderTransformationPolicy = {
      setHeaders: { items: [set('x-api-key', ['replaced']), set('x-copy', ['${request.headers[x-api-key]}']), set('x-renamed-copy', ['${request.headers[x-old]}'])] },
      renameHeaders: { items: [{ from: 'x-old', to: 'x-moved' }] },
    };
    const out = transformRequestHeaders(policy, headersCopy(), ctx()).headers;
    expect([out['x-api-key'], out['x-copy'], out['x-renamed-copy'], out['x-old'], out['x-moved']]).toEqual([['replaced'], ['k1'], ['old-value'], undefined, ['old-value']]);
  });

  it('protected request headers are never changed, and the trace says why', () => {
    const base: Record<string, string[]> = { ...headersCopy(), 'x-forwarded-for': ['1.2.3.4'], origin: ['https://app'] };
    const policy: models.HeaderTransformationPolicy = {
      setHeaders: { items: [set('X-Forwarded-For', ['6.6.6.6']), set('x-ok', ['1'])] },
      renameHeaders: { items: [{ from: 'cookie', to: 'x-cookie' }, { from: 'x-old', to: 'x-real-ip' }] },
      filterHeaders: { type: 'BLOCK' as models.FilterHeaderPolicy.Type, items: [{ name: 'Origin' }, { name: 'accept' }] },
    };
    const out = transformRequestHeaders(policy, base, ctx());
    expect(out.headers).toEqual({
      authorization: ['Bearer abc'],
      'x-api-key': ['k1', 'k2'],
      'x-old': ['old-value'],
      cookie: ['session=1'],
      'x-forwarded-for': ['1.2.3.4'],
      origin: ['https://app'],
      'x-ok': ['1'],
    });
    expect(out.checks).toEqual([
      { check: 'requestHeaderTransformation', passed: false, message: 'Header transformation skipped: set x-forwarded-for: x-forwarded-for is a protected request header', expected: 'a header that is not protected', found: 'x-forwarded-for' },
      { check: 'requestHeaderTransformation', passed: false, message: 'Header transformation skipped: rename cookie: cookie is a protected request header', expected: 'a header that is not protected', found: 'cookie' },
      { check: 'requestHeaderTransformation', passed: false, message: 'Header transformation skipped: rename x-old to x-real-ip: x-real-ip is a protected request header', expected: 'a header that is not protected', found: 'x-real-ip' },
      { check: 'requestHeaderTransformation', passed: false, message: 'Header transformation skipped: block origin: origin is a protected request header', expected: 'a header that is not protected', found: 'origin' },
    ]);
  });

  it('every documented protected request header is refused', () => {
    expect([...PROTECTED_REQUEST_HEADERS]).toEqual(['cdn-loop', 'connection', 'content-length', 'cookie', 'keep-alive', 'opc-request-id', 'origin', 'proxy-authorization', 'te', 'transfer-encoding', 'upgrade', 'x-forwarded-for', 'x-real-ip']);
    for (const name of PROTECTED_REQUEST_HEADERS) {
      const out = transformRequestHeaders({ setHeaders: { items: [set(name, ['x'])] } }, {}, ctx());
      expect([out.headers, out.checks.length], name).toEqual([{}, 1]);
    }
  });

  it('a value with control characters (header injection) is skipped whole, with the reason', () => {
    const evil = { 'x-evil': ['a\r\nx-admin: true'] };
    const c: RequestContext = { ...ctx(), request: { ...ctx().request, headers: evil } };
    const out = transformRequestHeaders({ setHeaders: { items: [set('x-copy', ['ok', '${request.headers[x-evil]}'])] } }, {}, c);
    expect(out).toEqual({
      headers: {},
      checks: [
        {
          check: 'requestHeaderTransformation',
          passed: false,
          message: 'Header transformation skipped: set x-copy would produce an invalid header value (control characters or characters beyond Latin-1)',
          expected: 'HTAB, SP, visible ASCII or obs-text',
          found: 'a\r\nx-admin: true',
        },
      ],
    });
  });

  it('a claim beyond Latin-1 cannot go into a header', () => {
    const out = transformRequestHeaders({ setHeaders: { items: [set('x-name', ['${request.auth[name]}'])] } }, {}, ctx({ name: 'Zoë 😀' }));
    expect([out.headers, out.checks[0]?.found]).toEqual([{}, 'Zoë 😀']);
  });

  it('an invalid header name is skipped', () => {
    const out = transformRequestHeaders({ setHeaders: { items: [set('', ['v']), set('bad name', ['v'])] }, renameHeaders: { items: [{ from: 'x-old', to: 'x:y' }] } }, headersCopy(), ctx());
    expect(out.headers).toEqual(ORIGINAL_HEADERS);
    expect(out.checks.map((c) => c.message)).toEqual([
      'Header transformation skipped: set "": not a valid header name',
      'Header transformation skipped: set "bad name": not a valid header name',
      'Header transformation skipped: rename x-old to "x:y": not a valid header name',
    ]);
  });
});

describe('response header transformations', () => {
  const backend = (): Record<string, string[]> => ({
    'content-type': ['application/json'],
    server: ['backend/1.0'],
    'access-control-allow-origin': ['*'],
    'strict-transport-security': ['max-age=1'],
    'set-cookie': ['a=1', 'b=2'],
  });

  it('set, rename and filter work on the response, reading the request context', () => {
    const policy: models.HeaderTransformationPolicy = {
      setHeaders: { items: [set('X-Served-For', ['${request.auth[sub]}']), set('cookie', ['allowed-on-response'])] },
      renameHeaders: { items: [{ from: 'server', to: 'x-backend' }] },
      filterHeaders: { type: 'BLOCK' as models.FilterHeaderPolicy.Type, items: [{ name: 'set-cookie' }] },
    };
    expect(transformResponseHeaders(policy, backend(), ctx())).toEqual({
      headers: {
        'content-type': ['application/json'],
        'access-control-allow-origin': ['*'],
        'strict-transport-security': ['max-age=1'],
        'x-served-for': ['usecase2.user'],
        cookie: ['allowed-on-response'],
        'x-backend': ['backend/1.0'],
      },
      checks: [],
    });
  });

  it('protected response headers (access-control-*, strict-transport-security, ...) are never changed', () => {
    const policy: models.HeaderTransformationPolicy = {
      setHeaders: { items: [set('Access-Control-Allow-Origin', ['https://evil']), set('retry-after', ['1'])] },
      filterHeaders: { type: 'ALLOW' as models.FilterHeaderPolicy.Type, items: [{ name: 'content-type' }] },
    };
    const out = transformResponseHeaders(policy, backend(), ctx());
    expect(out.headers).toEqual({ 'content-type': ['application/json'], 'access-control-allow-origin': ['*'], 'strict-transport-security': ['max-age=1'] });
    expect(out.checks.map((c) => c.message)).toEqual([
      'Header transformation skipped: set access-control-allow-origin: access-control-allow-origin is a protected response header',
      'Header transformation skipped: set retry-after: retry-after is a protected response header',
    ]);
    expect(out.checks[0]?.check).toBe('responseHeaderTransformation');
    expect(PROTECTED_RESPONSE_HEADERS.has('x-frame-options')).toBe(true);
  });
});

describe('query parameter transformations', () => {
  const query = () => parseRawQuery(RAW_QUERY);
  type QIfExists = models.SetQueryParameterPolicyItem.IfExists;
  const qset = (name: string, values: string[], ifExists?: string): models.SetQueryParameterPolicyItem => ({ name, values, ...(ifExists ? { ifExists: ifExists as QIfExists } : {}) });
  const run = (policy: models.QueryParameterTransformationPolicy, c = ctx()) => serializeQuery(transformQuery(policy, query(), c).query);

  it('no policy changes nothing, encoding kept', () => {
    expect(serializeQuery(transformQuery(undefined, query(), ctx()).query)).toBe(RAW_QUERY);
  });

  it('set OVERWRITE replaces in place, APPEND adds after the last, SKIP keeps; names are case-sensitive', () => {
    expect(run({ setQueryParameters: { items: [qset('tag', ['x'])] } })).toBe('city=San+Jos%C3%A9&tag=x&Tag=C&page=2');
    expect(run({ setQueryParameters: { items: [qset('tag', ['x', 'y'], 'APPEND')] } })).toBe('city=San+Jos%C3%A9&tag=a&tag=b&tag=x&tag=y&Tag=C&page=2');
    expect(run({ setQueryParameters: { items: [qset('tag', ['x'], 'SKIP')] } })).toBe(RAW_QUERY);
    expect(run({ setQueryParameters: { items: [qset('TAG', ['x'], 'SKIP')] } })).toBe(`${RAW_QUERY}&TAG=x`);
  });

  it('set with context variables keeps their encoding as received (San+José stays)', () => {
    const policy = { setQueryParameters: { items: [qset('where', ['${request.query[city]}']), qset('user', ['${request.auth[sub]}']), qset('id', ['${request.path[id]}'])] } };
    expect(run(policy)).toBe(`${RAW_QUERY}&where=San+Jos%C3%A9&user=usecase2.user&id=42`);
  });

  it('a set value cannot smuggle parameters: &, #, spaces and non-ASCII are encoded', () => {
    const c: RequestContext = { ...ctx(), request: { ...ctx().request, headers: { 'x-v': ['a&admin=true#frag zoë'] } } };
    expect(run({ setQueryParameters: { items: [qset('v', ['${request.headers[x-v]}'])] } }, c)).toBe(`${RAW_QUERY}&v=a%26admin=true%23frag%20zo%C3%AB`);
  });

  it('rename keeps the values; filter BLOCK and ALLOW run last', () => {
    expect(run({ renameQueryParameters: { items: [{ from: 'tag', to: 'label' }] } })).toBe('city=San+Jos%C3%A9&label=a&label=b&Tag=C&page=2');
    expect(run({ filterQueryParameters: { type: 'BLOCK' as models.FilterQueryParameterPolicy.Type, items: [{ name: 'tag' }, { name: 'city' }] } })).toBe('Tag=C&page=2');
    expect(
      run({
        setQueryParameters: { items: [qset('added', ['1'])] },
        renameQueryParameters: { items: [{ from: 'page', to: 'p' }] },
        filterQueryParameters: { type: 'ALLOW' as models.FilterQueryParameterPolicy.Type, items: [{ name: 'Tag' }, { name: 'added' }, { name: 'p' }] },
      }),
    ).toBe('Tag=C&p=2&added=1');
  });

  it('rename onto an existing name replaces it [I]', () => {
    expect(run({ renameQueryParameters: { items: [{ from: 'Tag', to: 'tag' }] } })).toBe('city=San+Jos%C3%A9&tag=C&page=2');
  });

  it('names written encoded on the wire match their plain form', () => {
    const out = transformQuery({ filterQueryParameters: { type: 'BLOCK' as models.FilterQueryParameterPolicy.Type, items: [{ name: 'my key' }] } }, parseRawQuery('my%20key=1&my+key=2&k=3'), ctx());
    expect(serializeQuery(out.query)).toBe('k=3');
  });

  it('context variables read the original query, not the transformed one', () => {
    expect(run({ setQueryParameters: { items: [qset('tag', ['new']), qset('was', ['${request.query[tag]}'])] } })).toBe('city=San+Jos%C3%A9&tag=new&Tag=C&page=2&was=a');
  });

  it('an empty name is skipped with the reason', () => {
    const out = transformQuery({ setQueryParameters: { items: [qset('', ['v'])] } }, query(), ctx());
    expect(out).toEqual({
      query: query(),
      checks: [{ check: 'queryParameterTransformation', passed: false, message: 'Query parameter transformation skipped: set with an empty name', expected: 'a parameter name', found: '' }],
    });
  });
});

describe('encodeQueryComponent', () => {
  it.each([
    ['plain-._~', false, 'plain-._~'],
    ['San+Jos%C3%A9', false, 'San+Jos%C3%A9'],
    ['100%', false, '100%25'],
    ['a b&c#d', false, 'a%20b%26c%23d'],
    ['k=v', false, 'k=v'],
    ['k=v', true, 'k%3Dv'],
    ['é😀', false, '%C3%A9%F0%9F%98%80'],
    ['\r\n', false, '%0D%0A'],
  ])('%j (name: %s) → %j', (text, isName, encoded) => {
    expect(encodeQueryComponent(text, isName)).toBe(encoded);
  });
});
