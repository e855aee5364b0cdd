/** The runner's pure parts: variables, capture paths, expectations and their matchers. */
import { describe, expect, it } from 'vitest';
import { parseCapturePath, readPath } from '../../scenarios/runner/capture.js';
import { checkExpectation, mismatches } from '../../scenarios/runner/expectations.js';
import { interpolate, UndefinedVariableError, variablesIn } from '../../scenarios/runner/interpolate.js';
import type { Observation } from '../../scenarios/runner/types.js';

describe('interpolate', () => {
  const vars = new Map<string, unknown>([
    ['suffix', 'k3f9a2'],
    ['audiences', ['a', 'b']],
    ['n', 3],
    ['iam.url', 'http://iam'],
  ]);

  it('replaces a whole-value variable by its value, of any type, and others as text', () => {
    expect(interpolate({ audiences: '${audiences}', n: '${n}', path: '/test-${suffix}/1', jwks: '${iam.url}/jwk', list: 'x ${audiences}' }, vars)).toEqual({
      audiences: ['a', 'b'],
      n: 3,
      path: '/test-k3f9a2/1',
      jwks: 'http://iam/jwk',
      list: 'x ["a","b"]',
    });
  });

  it('interpolates object keys, keeps $${ literal, leaves other values and the input alone', () => {
    const input = { 'claim${suffix}': 'v', literal: '$${suffix}', dollar: '$user.name', other: [true, null, 1] };
    expect(interpolate(input, vars)).toEqual({ 'claimk3f9a2': 'v', literal: '${suffix}', dollar: '$user.name', other: [true, null, 1] });
    expect(input['claim${suffix}']).toBe('v');
  });

  it('refuses an undefined variable by name', () => {
    expect(() => interpolate('Bearer ${token}', vars)).toThrow(UndefinedVariableError);
    expect(() => interpolate('Bearer ${token}', vars)).toThrow('${token} has no value');
  });

  it('lists the variables of a value, keys included, without repeats', () => {
    expect(variablesIn({ 'k${a}': ['${b}', 'x ${a}', '$${c}'] })).toEqual(['a', 'b']);
  });
});

describe('capture paths', () => {
  const observation: Observation = {
    status: 201,
    headers: { etag: 'W/"1"' },
    body: { id: 'app1', Resources: [{ id: 'r0' }], 'odd key': { 'urn:x': 5 } },
    accessToken: { header: { kid: 'SIGNING_KEY' }, claims: { aud: ['x', 'y'], 'urn:opc:idm:t.user': 'u' } },
  };
  const read = (path: string) => {
    const parsed = parseCapturePath(path);
    if (!parsed.ok) throw new Error(parsed.reason);
    return readPath(observation, parsed);
  };

  it('reads status, headers (any case), body paths, claims and the token header', () => {
    expect(read('status')).toEqual({ found: true, value: 201 });
    expect(read('headers.ETag')).toEqual({ found: true, value: 'W/"1"' });
    expect(read('body.Resources[0].id')).toEqual({ found: true, value: 'r0' });
    expect(read('body["odd key"]["urn:x"]')).toEqual({ found: true, value: 5 });
    expect(read('claims.aud')).toEqual({ found: true, value: ['x', 'y'] });
    expect(read('claims["urn:opc:idm:t.user"]')).toEqual({ found: true, value: 'u' });
    expect(read('tokenHeader.kid')).toEqual({ found: true, value: 'SIGNING_KEY' });
  });

  it('says not found instead of throwing', () => {
    expect(read('body.Resources[3].id')).toEqual({ found: false });
    expect(read('body.id.length')).toEqual({ found: false });
    expect(read('headers.location')).toEqual({ found: false });
  });

  it('refuses paths it cannot read', () => {
    expect(parseCapturePath('status.code')).toMatchObject({ ok: false, reason: expect.stringContaining('status has no fields') });
    expect(parseCapturePath('headers.a.b')).toMatchObject({ ok: false, reason: expect.stringContaining('name one header') });
    expect(parseCapturePath('body..x')).toMatchObject({ ok: false });
  });
});

describe('expectations', () => {
  it('matches objects as subsets, arrays element by element, scalars without coercion', () => {
    expect(mismatches({ a: 1 }, { a: 1, b: 2 }, 'body')).toEqual([]);
    expect(mismatches({ a: '1' }, { a: 1 }, 'body')).toEqual(['body.a: expected "1", got 1']);
    expect(mismatches([1, 2], [1, 2, 3], 'body')).toEqual(['body: expected 2 elements [1,2], got 3: [1,2,3]']);
    expect(mismatches({ a: { b: 1 } }, { a: 'x' }, 'body')).toEqual(['body.a: expected an object with {"b":1}, got "x"']);
    expect(mismatches({ missing: 1 }, {}, 'body')).toEqual(['body.missing: expected 1, got nothing']);
  });

  it.each([
    [{ $exists: false }, undefined, true],
    [{ $exists: true }, 0, true],
    [{ $equals: { a: 1 } }, { a: 1, b: 2 }, false],
    [{ $oneOf: [401, 403] }, 403, true],
    [{ $matches: '^Bearer( |$)' }, 'Bearer error="invalid_token"', true],
    [{ $startsWith: 'Bearer' }, 'Basic x', false],
    [{ $contains: 'Read' }, 'AnwendungReadA AnwendungWriteA', true],
    [{ $contains: { name: 'a' } }, [{ name: 'b' }, { name: 'a', type: 'string' }], true],
    [{ $type: 'array' }, ['x'], true],
    [{ $type: 'string' }, null, false],
    [{ $not: 'Api1Access' }, 'api1access', true],
    [{ $not: { $exists: true } }, 'x', false],
  ])('matcher %j against %j: %s', (expected, actual, ok) => {
    const value = actual === undefined ? {} : { v: actual };
    expect(mismatches({ v: expected }, value, 'body').length === 0).toBe(ok);
  });

  it('checks status, headers, body, claims and token header of an observation', () => {
    const observation: Observation = { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' }, body: { code: 401 } };
    expect(checkExpectation({ status: [401, 403], headers: { 'WWW-Authenticate': { $startsWith: 'Bearer' } }, body: { code: 401 } }, observation)).toEqual([]);
    expect(checkExpectation({ status: 200, claims: { aud: 'x' } }, observation)).toEqual(['status: expected 200, got 401', 'claims: the answer carried no access token']);
  });
});
