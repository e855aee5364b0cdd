import { describe, expect, it } from 'vitest';
import { normaliseObservations, VOLATILE_KEYS, type NormaliseOptions } from '../../scenarios/runner/normalise.js';
import type { Observation } from '../../scenarios/runner/types.js';

const APP_ID = '0123456789abcdef0123456789abcdef';
const USER_ID = 'fedcba9876543210fedcba9876543210';
const REQUEST_ID = `${'A'.repeat(32)}/${'b'.repeat(32)}/${'0'.repeat(32)}`;
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl_-x';
const OCID = 'ocid1.tenancy.oc1..aaaaaaaaba3pv6wkcr4jqae5f15p2b2m2yt2j6rx32uzr4h25vqstifsfdsq';
const REGIONAL_OCID = 'ocid1.apigateway.oc1.eu-frankfurt-1.amaaaaaabcdefghijklmnop';
const UUID = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';

function normalise(observations: Observation[], options?: NormaliseOptions): Observation[] {
  return normaliseObservations(
    observations.map((observation, i) => ({ id: `step-${i + 1}`, observation })),
    options,
  ).map((step) => step.observation);
}

describe('VOLATILE_KEYS', () => {
  it('holds the documented keys and leaves configuration keys out', () => {
    for (const key of ['iat', 'exp', 'id', 'x5t#S256', 'n', 'opc-request-id', 'client_secret', 'tenant', 'location']) {
      expect(VOLATILE_KEYS).toContain(key);
    }
    for (const key of ['sub_mappingattr', 'tenant_iss', 'client_id', 'sub', 'aud', 'scope']) {
      expect(VOLATILE_KEYS).not.toContain(key);
    }
  });
});

describe('normaliseObservations: key rule', () => {
  it('numbers distinct values per key, in walk order, and keeps non-volatile values', () => {
    const [first, second] = normalise([
      { body: { id: 'app-one-id', displayName: 'One', meta: { created: '2020-01-01', version: 'v1' } } },
      { body: { Resources: [{ id: 'app-two-id' }, { id: 'app-one-id' }], totalResults: 2 } },
    ]);
    expect(first).toEqual({ body: { id: '<id:1>', displayName: 'One', meta: { created: '<created>', version: '<version:1>' } } });
    expect(second).toEqual({ body: { Resources: [{ id: '<id:2>' }, { id: '<id:1>' }], totalResults: 2 } });
  });

  it('walks status, headers, body, accessToken, idToken in that order and object keys sorted', () => {
    const [result] = normalise([
      {
        idToken: { header: {}, claims: { jti: 'jti-in-id-token' } },
        accessToken: { header: {}, claims: { jti: 'jti-in-access-token' } },
        body: { zeta: { jti: 'jti-under-zeta' }, alpha: { jti: 'jti-under-alpha' } },
        headers: { etag: 'W/"abc"' },
      },
    ]);
    expect(result!.body).toEqual({ alpha: { jti: '<jti:1>' }, zeta: { jti: '<jti:2>' } });
    expect(result!.accessToken!.claims['jti']).toBe('<jti:3>');
    expect(result!.idToken!.claims['jti']).toBe('<jti:4>');
    expect(result!.headers).toEqual({ etag: '<etag:1>' });
  });

  it('replaces numbers and each scalar element of an array under a volatile key', () => {
    const [result] = normalise([{ body: { keys: [{ kty: 'RSA', e: 'AQAB', n: 'modulus-abc', x5c: ['cert-one', 'cert-two'], x5t: 'thumb' }] } }]);
    expect(result!.body).toEqual({ keys: [{ kty: 'RSA', e: 'AQAB', n: '<n:1>', x5c: ['<x5c:1>', '<x5c:2>'], x5t: '<x5t:1>' }] });
  });

  it('is case-sensitive on key names', () => {
    const [result] = normalise([{ body: { ID: 'upper', Id: 'mixed', id: 'lower' } }]);
    expect(result!.body).toEqual({ ID: 'upper', Id: 'mixed', id: '<id:1>' });
  });

  it('leaves booleans, null, empty strings and objects under volatile keys as they are', () => {
    const [result] = normalise([{ body: { version: { major: 2 }, id: '', etag: null, location: true } }]);
    expect(result!.body).toEqual({ version: { major: 2 }, id: '', etag: null, location: true });
  });
});

describe('normaliseObservations: reference replacement', () => {
  it('gives an app id the same placeholder in a later URL, a later claim and a later map key', () => {
    const [created, token, fetched] = normalise([
      { status: 201, body: { id: APP_ID, name: 'my-app' } },
      { status: 200, accessToken: { header: {}, claims: { client_id: APP_ID, sub: USER_ID } } },
      { status: 200, body: { self: `/admin/v1/Apps/${APP_ID}?attributes=name`, grants: { [APP_ID]: 'ok' } } },
    ]);
    expect(created!.body).toEqual({ id: '<id:1>', name: 'my-app' });
    // client_id is not a volatile key: it becomes <id:1> only because the value is the app's id.
    expect(token!.accessToken!.claims).toEqual({ client_id: '<id:1>', sub: '<hex-id:1>' });
    expect(fetched!.body).toEqual({ self: '/admin/v1/Apps/<id:1>?attributes=name', grants: { '<id:1>': 'ok' } });
  });

  it('a value met under a volatile key keeps its key placeholder even where a pattern met it first', () => {
    const [listed, created] = normalise([{ body: { link: `/Users/${USER_ID}` } }, { body: { id: USER_ID } }]);
    expect(listed!.body).toEqual({ link: '/Users/<id:1>' });
    expect(created!.body).toEqual({ id: '<id:1>' });
  });

  it('tells different values apart: a different id gets a different placeholder', () => {
    const [a, b] = normalise([{ body: { id: APP_ID } }, { accessToken: { header: {}, claims: { client_id: USER_ID.replace(/f/g, 'e') } } }]);
    expect(a!.body).toEqual({ id: '<id:1>' });
    expect(b!.accessToken!.claims['client_id']).toBe('<hex-id:1>');
  });

  it('gives instants no reference: an exp repeated elsewhere stays as it is (equal instants are a matter of timing)', () => {
    const [result] = normalise([
      { accessToken: { header: {}, claims: { exp: 1764313653, iat: 1764310053 } }, body: { expires_at: 1764313653, text: 'valid until 1764313653.' } },
    ]);
    expect(result!.accessToken!.claims).toEqual({ '(exp - iat)': 3600, exp: '<exp>', iat: '<iat>' });
    expect(result!.body).toEqual({ expires_at: 1764313653, text: 'valid until 1764313653.' });
  });

  it('does not spread short key values (version "1") over unrelated fields', () => {
    const [result] = normalise([{ body: { meta: { version: '1' }, count: '1', path: '/v1/x', n: 1 } }]);
    expect(result!.body).toEqual({ meta: { version: '<version:1>' }, count: '1', path: '/v1/x', n: '<n:1>' });
  });

  it('does not replace a collected id inside a longer word', () => {
    const [result] = normalise([{ body: { id: 'abc123def', other: 'xabc123def', url: '/a/abc123def/b' } }]);
    expect(result!.body).toEqual({ id: '<id:1>', other: 'xabc123def', url: '/a/<id:1>/b' });
  });
});

describe('normaliseObservations: patterns', () => {
  it('finds every pattern inside longer strings, under non-volatile keys', () => {
    const [result] = normalise([
      {
        body: {
          auth: `Bearer ${JWT}`,
          compartment: `compartment ${OCID} in ${REGIONAL_OCID}.`,
          trace: `trace=${UUID};`,
          idcs: `/admin/v1/Users/${USER_ID.toUpperCase()}`,
          when: 'at 2026-11-28T06:07:33.123Z and 2026-11-28T07:07:33+01:00',
          request: `request ${REQUEST_ID} failed`,
        },
      },
    ]);
    expect(result!.body).toEqual({
      auth: 'Bearer <jwt:1>',
      compartment: 'compartment <ocid:1> in <ocid:2>.',
      idcs: '/admin/v1/Users/<hex-id:1>',
      request: 'request <request-id:1> failed',
      trace: 'trace=<uuid:1>;',
      when: 'at <time> and <time>',
    });
  });

  it('numbers each pattern separately and reuses a placeholder for a repeated value', () => {
    const [a, b] = normalise([
      { body: { x: `${UUID} ${UUID.replace('3f2b', '4f2b')}` } },
      { body: { y: UUID, z: `${APP_ID}` } },
    ]);
    expect(a!.body).toEqual({ x: '<uuid:1> <uuid:2>' });
    expect(b!.body).toEqual({ y: '<uuid:1>', z: '<hex-id:1>' });
  });

  it('does not take a hex run joined to other word characters, nor 31 or 33 hex digits', () => {
    const body = { a: `x_${APP_ID}`, b: APP_ID.slice(1), c: `${APP_ID}0`, d: `${APP_ID}g` };
    const [result] = normalise([{ body }]);
    expect(result!.body).toEqual(body);
  });

  it('keeps ordinary text, numbers and dates without times', () => {
    const body = { date: '2026-11-28', word: 'eyJust a word', version_string: '1.2.3', count: 123456789 };
    const [result] = normalise([{ body }]);
    expect(result!.body).toEqual(body);
  });

  it('normalises a text body', () => {
    const [result] = normalise([{ status: 401, body: `invalid token ${JWT}` }]);
    expect(result).toEqual({ status: 401, body: 'invalid token <jwt:1>' });
  });
});

describe('normaliseObservations: replacements', () => {
  // Deliberately not longest first: '127.0.0.1' is a prefix of the two after it.
  const replacements = [
    { value: '127.0.0.1', placeholder: '<ip>' },
    { value: '127.0.0.1:40123', placeholder: '<iam-host>' },
    { value: 'http://127.0.0.1:40123', placeholder: '<iam-url>' },
    { value: 'k3f9a2', placeholder: '<suffix>' },
    { value: '', placeholder: '<nothing>' },
  ];

  it('replaces longest first, in strings and in keys, at any depth, before the other rules', () => {
    const [result] = normalise(
      [
        {
          headers: { 'x-forwarded-host': '127.0.0.1:40123', via: '127.0.0.1:9' },
          body: { issuer: 'http://127.0.0.1:40123/', nested: [{ 'app-k3f9a2': { name: 'gw-k3f9a2' } }] },
          accessToken: { header: {}, claims: { iss: 'http://127.0.0.1:40123', aud: ['urn:k3f9a2'] } },
        },
      ],
      { replacements },
    );
    expect(result).toEqual({
      headers: { 'x-forwarded-host': '<iam-host>', via: '<ip>:9' },
      body: { issuer: '<iam-url>/', nested: [{ 'app-<suffix>': { name: 'gw-<suffix>' } }] },
      accessToken: { header: {}, claims: { iss: '<iam-url>', aud: ['urn:<suffix>'] } },
    });
  });

  it('a replaced key is judged volatile by its new name, and a replacement under a volatile key stays readable', () => {
    const [result] = normalise([{ body: { 'i-k3f9a2': 'keep', location: 'http://127.0.0.1:40123', tenant: 'k3f9a2' } }], {
      replacements: [
        { value: '-k3f9a2', placeholder: 'd' },
        { value: 'http://127.0.0.1:40123', placeholder: '<iam-url>' },
        { value: 'k3f9a2', placeholder: '<suffix>' },
      ],
    });
    expect(result!.body).toEqual({ id: '<id:1>', location: '<iam-url>', tenant: '<suffix>' });
  });
});

describe('normaliseObservations: token lifetime', () => {
  it('adds (exp - iat) to decoded tokens before replacing exp and iat', () => {
    const [result] = normalise([
      {
        accessToken: { header: { alg: 'RS256' }, claims: { iat: 1000, exp: 4600, nbf: 1000 } },
        idToken: { header: {}, claims: { iat: 2000, exp: 30800 } },
      },
    ]);
    // Instants are unnumbered: whether nbf equals iat, or two tokens share a second, is timing.
    expect(result!.accessToken!.claims).toEqual({ '(exp - iat)': 3600, iat: '<iat>', exp: '<exp>', nbf: '<nbf>' });
    expect(result!.idToken!.claims).toEqual({ '(exp - iat)': 28800, iat: '<iat>', exp: '<exp>' });
  });

  it('adds nothing when exp or iat is not a number, nor to a body', () => {
    const [result] = normalise([{ body: { iat: 1, exp: 2 }, accessToken: { header: {}, claims: { iat: '1', exp: 2 } } }]);
    expect(result!.body).toEqual({ iat: '<iat>', exp: '<exp>' });
    expect(result!.accessToken!.claims).not.toHaveProperty('(exp - iat)');
  });
});

describe('normaliseObservations: purity and determinism', () => {
  const run = (): Array<{ id: string; observation: Observation }> => [
    {
      id: 'create',
      observation: {
        status: 201,
        headers: { etag: 'W/"1"', location: `http://h/Apps/${APP_ID}` },
        body: { id: APP_ID, meta: { created: '2026-11-28T06:07:33.123Z' }, tags: [UUID, OCID] },
      },
    },
    {
      id: 'token',
      observation: {
        status: 200,
        body: { access_token: JWT, expires_in: 3600 },
        accessToken: { header: { x5t: 'th' }, claims: { iat: 10, exp: 20, client_id: APP_ID } },
      },
    },
  ];

  it('leaves the inputs untouched', () => {
    const input = run();
    const snapshot = structuredClone(input);
    const output = normaliseObservations(input, { replacements: [{ value: 'http://h', placeholder: '<h>' }] });
    expect(input).toEqual(snapshot);
    expect(output[1]!.observation.accessToken!.claims).toHaveProperty('(exp - iat)', 10);
    expect(input[1]!.observation.accessToken!.claims).not.toHaveProperty('(exp - iat)');
    expect(output[0]!.observation.body).not.toBe(input[0]!.observation.body);
  });

  it('gives the same output for the same input, and keeps step ids and order', () => {
    const a = normaliseObservations(run());
    const b = normaliseObservations(run());
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.map((s) => s.id)).toEqual(['create', 'token']);
    expect(a[1]!.observation.body).toEqual({ access_token: '<access_token:1>', expires_in: 3600 });
  });

  it('does not depend on the insertion order of object keys', () => {
    const forward = normalise([{ body: { a: { id: 'first-id' }, b: { id: 'second-id' } } }]);
    const backward = normalise([{ body: { b: { id: 'second-id' }, a: { id: 'first-id' } } }]);
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward));
    expect(forward[0]!.body).toEqual({ a: { id: '<id:1>' }, b: { id: '<id:2>' } });
  });

  it('leaves an already normalised observation as it is', () => {
    const once = normaliseObservations(run());
    const twice = normaliseObservations(once);
    expect(twice).toEqual(once);
  });
});
