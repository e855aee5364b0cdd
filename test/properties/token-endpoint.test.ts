/**
 * Properties of the token endpoint's input parsing: the form (keys, values, encodings, repeated
 * parameters, huge values, content types, bytes that are not UTF-8) and HTTP Basic client
 * credentials. Whatever is sent, the answer is a token or a 4xx in the OAuth error shape, within
 * the per-request timeout, and the server still issues a token afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, decodeJwtParts, SEEDED, startTestIam, type TestIam } from '../support/iam.js';
import { expectTokenAnswer, headerValue, hugeText, rawRequest, show, trickyText, wellFormed, type RawResult } from './support.js';

const FORM = 'application/x-www-form-urlencoded;charset=UTF-8';
const UC1_FORM = `grant_type=client_credentials&scope=${SEEDED.useCase1.scope}`;
const UC1_BASIC = basic(SEEDED.useCase1.id, SEEDED.useCase1.secret);
/** `null` seven times in eight. */
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

const NAMES = ['grant_type', 'client_id', 'client_secret', 'scope', 'username', 'password', 'refresh_token', 'assertion', 'client_assertion', 'client_assertion_type'];
const VALUES = [
  'client_credentials',
  'password',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'authorization_code',
  'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  SEEDED.useCase1.scope,
  'urn:opc:idm:__myscopes__',
  SEEDED.useCase1.id,
  SEEDED.useCase1.secret,
  SEEDED.useCase2.id,
  SEEDED.useCase2.secret,
  SEEDED.user.userName,
  SEEDED.user.password,
  'eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.',
  '',
];

describe('properties: the token endpoint', () => {
  let iam: TestIam;
  const post = (body: Buffer | string, headers: Record<string, string>): Promise<RawResult> =>
    rawRequest(iam.url, { method: 'POST', path: '/oauth2/v1/token', headers, body });

  /** The positive control: a valid client_credentials request still gets use case 1's token. */
  const expectStillServing = async () => {
    const res = await post(UC1_FORM, { 'content-type': FORM, authorization: UC1_BASIC });
    expect(res.status, show(res)).toBe(200);
    expect(decodeJwtParts(res.json.access_token).claims.aud).toBe('anwendung1');
  };

  beforeAll(async () => {
    iam = await startTestIam();
  });
  afterAll(() => iam?.stop());

  const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...NAMES) }, { weight: 2, arbitrary: trickyText(12) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
  const value = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...VALUES) }, { weight: 3, arbitrary: trickyText(30) }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) });
  const pairs = fc.array(fc.tuple(name, value), { maxLength: 8 });

  /** One way of writing the pairs as bytes; `raw` and `bytes` send what no form encoder would. */
  const encoding = fc.constantFrom('urlsearchparams', 'raw', 'percent-every-byte', 'latin1', 'utf16le');
  const encode = (form: Array<[string, string]>, how: string): Buffer => {
    switch (how) {
      case 'urlsearchparams':
        return Buffer.from(new URLSearchParams(form).toString());
      case 'raw':
        return Buffer.from(form.map(([k, v]) => `${k}=${v}`).join('&'));
      case 'percent-every-byte': {
        const pct = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
        return Buffer.from(form.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&'));
      }
      case 'latin1':
        return Buffer.from(form.map(([k, v]) => `${k}=${v}`).join('&'), 'latin1');
      default:
        return Buffer.from(new URLSearchParams(form).toString(), 'utf16le');
    }
  };
  const contentType = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(FORM, 'application/x-www-form-urlencoded', 'APPLICATION/X-WWW-FORM-URLENCODED; charset=ISO-8859-1', 'application/x-www-form-urlencoded; charset=utf-16') },
    { weight: 2, arbitrary: fc.constantFrom('application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencodedx', '*/*', '') },
    { weight: 1, arbitrary: headerValue(40) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const authorization = fc.oneof(
    { weight: 3, arbitrary: fc.constant(UC1_BASIC) },
    { weight: 1, arbitrary: fc.constant(basic(SEEDED.useCase2.id, SEEDED.useCase2.secret)) },
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: headerValue(60) },
  );

  it('any form, encoding, content type and credentials: a token or an OAuth 4xx, never a 5xx or a hang', async () => {
    const outcomes = { ok: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        // Half the forms start as a valid client_credentials request, so random additions are
        // judged against one that would otherwise succeed.
        fc.boolean(),
        fc.array(fc.tuple(name, value), { maxLength: 4 }),
        rarely(fc.tuple(name, hugeText())),
        rarely(fc.uint8Array({ maxLength: 300 })),
        encoding,
        contentType,
        authorization,
        async (validBase, form, huge, bytes, how, type, auth) => {
          const base: Array<[string, string]> = validBase ? [['grant_type', 'client_credentials'], ['scope', SEEDED.useCase1.scope]] : [];
          const all = [...base, ...form, ...(huge ? [huge] : [])];
          const body = bytes ? Buffer.from(bytes) : encode(all, how);
          const headers: Record<string, string> = {};
          if (type !== undefined) headers['content-type'] = type;
          if (auth !== undefined && auth !== '') headers.authorization = auth;
          outcomes[expectTokenAnswer(await post(body, headers))]++;
        },
      ),
      { numRuns: 300 },
    );
    // The generator reaches both outcomes, so the property is not vacuous.
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
    await expectStillServing();
  });

  it('a parameter sent twice is always 400 invalid_request (RFC 6749 §3.2), whatever else the form holds', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, fc.tuple(name, value, value), fc.nat(), async (form, [repeated, v1, v2], at) => {
        const all: Array<[string, string]> = [...form];
        all.splice(at % (all.length + 1), 0, [repeated, v1]);
        all.push([repeated, v2]);
        const res = await post(new URLSearchParams(all).toString(), { 'content-type': FORM, authorization: UC1_BASIC });
        expect(expectTokenAnswer(res), show(res)).toBe('refused');
        expect(res.status, show(res)).toBe(400);
        expect(res.json.error, show(res)).toBe('invalid_request');
      }),
      { numRuns: 150 },
    );
    await expectStillServing();
  });
});

describe('properties: HTTP Basic client credentials', () => {
  let iam: TestIam;
  const tokenWith = (authorization: string): Promise<RawResult> =>
    rawRequest(iam.url, { method: 'POST', path: '/oauth2/v1/token', headers: { 'content-type': FORM, authorization }, body: UC1_FORM });

  beforeAll(async () => {
    iam = await startTestIam();
  });
  afterAll(() => iam?.stop());

  const scheme = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('Basic', 'basic', 'BASIC', 'bAsIc') },
    { weight: 1, arbitrary: fc.constantFrom('Bearer', 'Digest', 'Basic:', 'Basic,', 'Basi', '', 'Negotiate', 'DPoP') },
    { weight: 1, arbitrary: headerValue(10).filter((s) => !/\s/.test(s)) },
  );
  const separator = fc.constantFrom(' ', '  ', '\t', ' \t ', '', ',');
  const part = fc.oneof(
    fc.constantFrom(SEEDED.useCase1.id, SEEDED.useCase1.secret, encodeURIComponent(SEEDED.useCase1.id), '', ':', '%', '%3A', '+', '%2B', '%zz', '\u00e9', '%C3%A9', '%C3', '\u{1F511}'),
    trickyText(24),
    fc.string({ unit: 'grapheme', maxLength: 16 }),
  );
  /** base64 of `id:secret` made of random parts, or base64-looking garbage, or any header text. */
  const credentials = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(part, fc.constantFrom(':', '::', '', ':%3A'), part, fc.constantFrom('base64', 'base64url', 'no-padding', 'latin1')).map(([id, colon, secret, enc]) => {
      const text = `${id}${colon}${secret}`;
      const bytes = Buffer.from(text, enc === 'latin1' ? 'latin1' : 'utf8');
      const b64 = bytes.toString(enc === 'base64url' ? 'base64url' : 'base64');
      return enc === 'no-padding' ? b64.replace(/=+$/, '') : b64;
    }) },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9+/=_-]{0,40}$/) },
    { weight: 1, arbitrary: headerValue(60) },
  );

  it('any Authorization header: a token or an OAuth 4xx; a refused Basic caller is told to use Basic again', async () => {
    const outcomes = { ok: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(scheme, separator, credentials, async (s, sep, cred) => {
        const header = `${s}${sep}${cred}`.trim();
        if (header === '') return; // node would send no header at all; covered by the form property
        const res = await tokenWith(header);
        const outcome = expectTokenAnswer(res);
        outcomes[outcome]++;
        if (outcome === 'ok') expect(decodeJwtParts(res.json.access_token).claims.sub, `${header} → ${show(res)}`).toBe(SEEDED.useCase1.id);
        else if (res.status === 401 && /^basic\s/i.test(header)) {
          expect(res.json.error, show(res)).toBe('invalid_client');
          expect(res.headers['www-authenticate'], show(res)).toMatch(/^Basic realm=/);
        }
      }),
      { numRuns: 300 },
    );
    expect(outcomes.refused).toBeGreaterThan(0);
    expect((await tokenWith(UC1_BASIC)).status).toBe(200);
  });

  it('the right credentials in any equivalent spelling (scheme case, whitespace, percent-encoding) are accepted', async () => {
    /** Each character kept or percent-encoded, with upper- or lower-case hex: all decode to the same. */
    const spelled = (text: string) =>
      fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: text.length, maxLength: text.length }).map((choices) =>
        [...text]
          .map((c, i) => {
            const [encode, upper] = choices[i]!;
            if (!encode) return c;
            const hex = `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
            return upper ? hex.toUpperCase() : hex.toLowerCase();
          })
          .join(''),
      );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('Basic', 'basic', 'BASIC', 'bAsIc'),
        fc.constantFrom(' ', '  ', '\t', ' \t'),
        spelled(SEEDED.useCase1.id),
        spelled(SEEDED.useCase1.secret),
        fc.constantFrom('', ' ', '  '),
        async (s, sep, id, secret, trailing) => {
          const res = await tokenWith(`${s}${sep}${Buffer.from(`${id}:${secret}`).toString('base64')}${trailing}`);
          expect(res.status, `${id}:${secret} → ${show(res)}`).toBe(200);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('any other secret for a known client is 401 invalid_client with WWW-Authenticate: Basic', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(trickyText(30), fc.string({ unit: 'grapheme', maxLength: 30 })).filter(wellFormed), async (secret) => {
        fc.pre(secret !== SEEDED.useCase1.secret);
        const res = await tokenWith(basic(SEEDED.useCase1.id, secret));
        expect(res.status, show(res)).toBe(401);
        expect(res.json, show(res)).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
        expect(res.headers['www-authenticate'], show(res)).toMatch(/^Basic realm=/);
      }),
      { numRuns: 150 },
    );
    expect((await tokenWith(UC1_BASIC)).status).toBe(200);
  });
});
