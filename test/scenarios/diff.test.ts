import { describe, expect, it } from 'vitest';
import { diffObservation } from '../../scenarios/runner/diff.js';
import type { Observation } from '../../scenarios/runner/types.js';

const token = (claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256' }) => ({ header, claims });

describe('diffObservation', () => {
  it('finds no difference between equal observations', () => {
    const observation: Observation = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { a: [1, { b: null }], c: 'x' },
      accessToken: token({ sub: '<id:1>' }),
    };
    expect(diffObservation(observation, structuredClone(observation))).toEqual({ differences: [], ignored: [] });
  });

  it('reports changed scalars with both values', () => {
    const result = diffObservation({ status: 401, body: { ok: false, n: 1 } }, { status: 404, body: { ok: true, n: '1' } });
    expect(result.differences).toEqual([
      { path: '$.status', kind: 'changed', recorded: 401, actual: 404 },
      { path: '$.body.n', kind: 'changed', recorded: 1, actual: '1' },
      { path: '$.body.ok', kind: 'changed', recorded: false, actual: true },
    ]);
  });

  it('reports missing and extra keys with their whole subtree', () => {
    const result = diffObservation(
      { headers: { 'www-authenticate': 'Bearer' }, body: { code: 401, detail: { reason: 'expired' } } },
      { headers: { 'retry-after': '1' }, body: { code: 401 } },
    );
    expect(result.differences).toEqual([
      { path: '$.headers.retry-after', kind: 'extra', actual: '1' },
      { path: '$.headers.www-authenticate', kind: 'missing', recorded: 'Bearer' },
      { path: '$.body.detail', kind: 'missing', recorded: { reason: 'expired' } },
    ]);
    expect(result.differences[0]).not.toHaveProperty('recorded');
    expect(result.differences[1]).not.toHaveProperty('actual');
  });

  it('reports a whole missing or extra top-level field', () => {
    const result = diffObservation({ status: 200, idToken: token({ a: 1 }) }, { status: 200, accessToken: token({ a: 1 }) });
    expect(result.differences).toEqual([
      { path: '$.accessToken', kind: 'extra', actual: { claims: { a: 1 }, header: { alg: 'RS256' } } },
      { path: '$.idToken', kind: 'missing', recorded: { claims: { a: 1 }, header: { alg: 'RS256' } } },
    ]);
  });

  it('treats a member set to undefined as absent', () => {
    const result = diffObservation({ status: 200, body: undefined }, { status: 200 });
    expect(result.differences).toEqual([]);
  });

  it('compares arrays element by element, with extra and missing elements at their index', () => {
    const longer = diffObservation({ body: { aud: ['a', 'b'] } }, { body: { aud: ['a', 'c', 'd', 'e'] } });
    expect(longer.differences).toEqual([
      { path: '$.body.aud[1]', kind: 'changed', recorded: 'b', actual: 'c' },
      { path: '$.body.aud[2]', kind: 'extra', actual: 'd' },
      { path: '$.body.aud[3]', kind: 'extra', actual: 'e' },
    ]);
    const shorter = diffObservation({ body: [{ id: 1 }, { id: 2 }] }, { body: [{ id: 9 }] });
    expect(shorter.differences).toEqual([
      { path: '$.body[0].id', kind: 'changed', recorded: 1, actual: 9 },
      { path: '$.body[1]', kind: 'missing', recorded: { id: 2 } },
    ]);
  });

  it('reports one change where the kind of value differs', () => {
    const result = diffObservation(
      { body: { a: [1, 2], b: { x: 1 }, c: 'text', d: null, e: { y: 1 } } },
      { body: { a: { 0: 1 }, b: 'x', c: ['text'], d: {}, e: { y: 1 } } },
    );
    expect(result.differences).toEqual([
      { path: '$.body.a', kind: 'changed', recorded: [1, 2], actual: { 0: 1 } },
      { path: '$.body.b', kind: 'changed', recorded: { x: 1 }, actual: 'x' },
      { path: '$.body.c', kind: 'changed', recorded: 'text', actual: ['text'] },
      { path: '$.body.d', kind: 'changed', recorded: null, actual: {} },
    ]);
  });

  it('quotes keys that are not identifiers', () => {
    const result = diffObservation(
      { accessToken: token({ 'urn:opc:x': 1, '(exp - iat)': 3600, '0day': 'a', ok_key: 1 }) },
      { accessToken: token({ 'urn:opc:x': 2, '(exp - iat)': 7200, '0day': 'b', ok_key: 2 }) },
    );
    expect(result.differences.map((d) => d.path)).toEqual([
      '$.accessToken.claims["(exp - iat)"]',
      '$.accessToken.claims["0day"]',
      '$.accessToken.claims.ok_key',
      '$.accessToken.claims["urn:opc:x"]',
    ]);
  });

  it('orders differences by walk: status, headers, body, tokens, then keys sorted at each level', () => {
    const result = diffObservation(
      { idToken: token({ z: 1 }), accessToken: token({ z: 1 }), body: { b: 1, a: 1 }, headers: { x: '1' }, status: 1 },
      { idToken: token({ z: 2 }), accessToken: token({ z: 2 }), body: { b: 2, a: 2 }, headers: { x: '2' }, status: 2 },
    );
    expect(result.differences.map((d) => d.path)).toEqual([
      '$.status',
      '$.headers.x',
      '$.body.a',
      '$.body.b',
      '$.accessToken.claims.z',
      '$.idToken.claims.z',
    ]);
  });
});

describe('diffObservation: ignore', () => {
  const recorded: Observation = {
    status: 200,
    body: { meta: { created: 'a', version: 'b' }, keys: [{ kid: 'k1', x5t: 'r1', jwk: { x5t: 'r2' } }], name: 'n' },
    accessToken: token({ user_tz: 'Europe/Berlin', 'urn:opc:x': 'r' }),
  };
  const actual: Observation = {
    status: 200,
    body: { meta: { created: 'c' }, keys: [{ kid: 'k1', x5t: 'a1', jwk: { x5t: 'a2' } }], name: 'n' },
    accessToken: token({ user_tz: 'UTC', 'urn:opc:x': 'a' }),
  };

  it('skips exact paths and any-depth keys, and lists the ignores that matched', () => {
    const result = diffObservation(recorded, actual, [
      '$.body.meta',
      '$.accessToken.claims.user_tz',
      '$..x5t',
      '$.accessToken.claims["urn:opc:x"]',
      '$.body.nothing.here',
      '$..neverSeen',
    ]);
    expect(result.differences).toEqual([]);
    expect(result.ignored).toEqual(['$.body.meta', '$.accessToken.claims.user_tz', '$..x5t', '$.accessToken.claims["urn:opc:x"]']);
  });

  it('without ignores, the same observations differ', () => {
    const result = diffObservation(recorded, actual);
    expect(result.differences.map((d) => d.path)).toEqual([
      '$.body.keys[0].jwk.x5t',
      '$.body.keys[0].x5t',
      '$.body.meta.created',
      '$.body.meta.version',
      '$.accessToken.claims["urn:opc:x"]',
      '$.accessToken.claims.user_tz',
    ]);
  });

  it('ignores only the subtree named: siblings are still compared', () => {
    const result = diffObservation(recorded, actual, ['$.body.meta.version', '$.body.keys[0].x5t']);
    expect(result.differences.map((d) => d.path)).toEqual([
      '$.body.keys[0].jwk.x5t',
      '$.body.meta.created',
      '$.accessToken.claims["urn:opc:x"]',
      '$.accessToken.claims.user_tz',
    ]);
    expect(result.ignored).toEqual(['$.body.meta.version', '$.body.keys[0].x5t']);
  });

  it('counts an ignore as matched when the node exists, even if it did not differ', () => {
    const result = diffObservation({ body: { name: 'n' } }, { body: { name: 'n' } }, ['$.body.name', '$.body.gone']);
    expect(result).toEqual({ differences: [], ignored: ['$.body.name'] });
  });

  it('matches missing and extra nodes, and strips ignored parts from a reported subtree', () => {
    const result = diffObservation(
      { body: { jwk: { kid: 'k', x5t: 'r' }, old: 1 } },
      { body: { fresh: { x5t: 'a' } } },
      ['$..x5t', '$.body.old', '$.body.fresh'],
    );
    expect(result.differences).toEqual([{ path: '$.body.jwk', kind: 'missing', recorded: { kid: 'k' } }]);
    expect(result.ignored).toEqual(['$..x5t', '$.body.old', '$.body.fresh']);
  });

  it('accepts wildcards and indexes, and ignores the whole observation with $', () => {
    const wild = diffObservation({ body: [{ a: 1, b: 1 }, { a: 1, b: 1 }] }, { body: [{ a: 2, b: 1 }, { a: 2, b: 2 }] }, ['$.body[*].a']);
    expect(wild.differences).toEqual([{ path: '$.body[1].b', kind: 'changed', recorded: 1, actual: 2 }]);
    const all = diffObservation({ status: 1 }, { status: 2 }, ['$']);
    expect(all).toEqual({ differences: [], ignored: ['$'] });
  });

  it('rejects an ignore path it cannot read', () => {
    expect(() => diffObservation({}, {}, ['body.meta'])).toThrow(/must start with "\$"/);
    expect(() => diffObservation({}, {}, ['$.body["meta'])).toThrow(/closing/);
    expect(() => diffObservation({}, {}, ['$.body[meta]'])).toThrow(/cannot read/);
    expect(() => diffObservation({}, {}, ['$.body.'])).toThrow(/key is missing/);
  });
});
