/**
 * Hostile and malformed input at the token endpoint: oversized bodies, broken Basic headers,
 * bytes that are not UTF-8, empty bodies. Each gets a 4xx in the OAuth shape, never a 500 or a
 * crash, and the server keeps answering valid requests afterwards.
 */
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, decodeJwtParts, SEEDED, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';
import { expectOAuthError, FORM_TYPE, get, post, rawRequest } from './helpers.js';

const uc1 = { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) };
const validForm = 'grant_type=client_credentials&scope=anwendung1AnwendungReadA';

describe('token endpoint robustness', () => {
  let iam: TestIam;
  const statuses: number[] = [];
  const record = <T extends { status: number }>(r: T): T => {
    statuses.push(r.status);
    return r;
  };
  const expectStillServing = async () => {
    const res = record(await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' }, uc1));
    expect(res.status).toBe(200);
    expect(decodeJwtParts(res.body.access_token).claims.aud).toBe('anwendung1');
  };

  beforeAll(async () => {
    iam = await startTestIam();
  });
  afterAll(() => iam?.stop());

  describe('oversized bodies', () => {
    it('answers 413 to a 2 MB body with Content-Length', async () => {
      const body = `${validForm}&pad=${'a'.repeat(2 * 1024 * 1024)}`;
      const res = record(await post(iam, '/oauth2/v1/token', body, uc1));
      expectOAuthError(res, 413, 'invalid_request', 'over');
      await expectStillServing();
    });

    it('answers 413 to a 2 MB chunked body without Content-Length', async () => {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const chunks = [Buffer.from(`${validForm}&pad=`), ...Array.from({ length: 32 }, () => chunk)];
      const res = await rawRequest(iam, { path: '/oauth2/v1/token', headers: { 'content-type': FORM_TYPE, 'transfer-encoding': 'chunked', ...uc1 }, body: chunks });
      record(res);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.text)).toMatchObject({ error: 'invalid_request' });
      expect(res.headers['x-harness-reason']).toContain('over');
      await expectStillServing();
    });

    it('after a 413 to a chunked body, a keep-alive client can send its next request on that connection', async () => {
      // The 413 says "Connection: keep-alive", so a pooling client (Node's default agent, undici)
      // reuses the connection: the server must then either read on or close it.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const chunk = Buffer.alloc(64 * 1024, 'a');
        const big = await rawRequest(iam, {
          path: '/oauth2/v1/token',
          headers: { 'content-type': FORM_TYPE, 'transfer-encoding': 'chunked', ...uc1 },
          body: [Buffer.from(`${validForm}&pad=`), ...Array.from({ length: 32 }, () => chunk)],
          agent,
        });
        expect(record(big).status).toBe(413);
        let next: Awaited<ReturnType<typeof rawRequest>> | Error;
        try {
          next = await rawRequest(iam, {
            path: '/oauth2/v1/token',
            headers: { 'content-type': FORM_TYPE, 'content-length': validForm.length, ...uc1 },
            body: Buffer.from(validForm),
            agent,
            timeoutMs: 1_500,
          });
        } catch (err) {
          next = err as Error;
        }
        expect(next instanceof Error ? `${next.message} (413 said connection: ${big.headers.connection})` : next.status).toBe(200);
      } finally {
        agent.destroy();
      }
    });

    it('answers 413 at the introspection endpoint too', async () => {
      const res = record(await post(iam, '/oauth2/v1/introspect', `token=${'x'.repeat(2 * 1024 * 1024)}`, uc1));
      expectOAuthError(res, 413, 'invalid_request');
    });

    it('keeps a huge (but allowed) scope out of the reason header: at most 1000 visible ASCII characters', async () => {
      const res = record(await post(iam, '/oauth2/v1/token', `grant_type=client_credentials&scope=${'z'.repeat(500_000)}`, uc1));
      const reason = expectOAuthError(res, 400, 'invalid_scope', 'zzzz');
      expect(reason.length).toBeLessThanOrEqual(1000);
    });
  });

  describe('malformed HTTP Basic headers', () => {
    const cases: Array<[string, string, string]> = [
      ['not base64', 'Basic !!!not-base64!!!', 'not base64'],
      ['no colon', `Basic ${Buffer.from('usecase1_client').toString('base64')}`, 'no ":"'],
      ['broken %-encoding in the id', `Basic ${Buffer.from('%ZZ:secret').toString('base64')}`, 'client id'],
      ['broken %-encoding in the secret', `Basic ${Buffer.from('usecase1_client:%E0%A4%A').toString('base64')}`, 'client secret'],
      ['only padding', 'Basic ====', 'not base64'],
      ['only a colon', `Basic ${Buffer.from(':').toString('base64')}`, 'no app has client_id ""'],
    ];
    for (const [name, header, reason] of cases) {
      it(`401 invalid_client with WWW-Authenticate: ${name}`, async () => {
        const res = record(await post(iam, '/oauth2/v1/token', validForm, { authorization: header }));
        expectOAuthError(res, 401, 'invalid_client', reason);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
      });
    }

    it('401 for a Basic header whose decoded bytes are not UTF-8', async () => {
      const bytes = Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(':secret')]);
      const res = record(await post(iam, '/oauth2/v1/token', validForm, { authorization: `Basic ${bytes.toString('base64')}` }));
      expectOAuthError(res, 401, 'invalid_client', 'no app has client_id');
    });

    it('401 for latin-1 bytes in the Authorization header itself', async () => {
      const res = record(
        await rawRequest(iam, {
          path: '/oauth2/v1/token',
          headers: { 'content-type': FORM_TYPE, authorization: 'Basic \u00ff\u00fe\u00e9', 'content-length': Buffer.byteLength(validForm) },
          body: Buffer.from(validForm),
        }),
      );
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text)).toMatchObject({ error: 'invalid_client' });
    });

    it('a "Basic" scheme without credentials is not Basic: 401 without a client', async () => {
      const res = record(await post(iam, '/oauth2/v1/token', validForm, { authorization: 'Basic' }));
      expectOAuthError(res, 401, 'invalid_client');
    });

    it('a Bearer token at the token endpoint is no client authentication', async () => {
      const res = record(await post(iam, '/oauth2/v1/token', validForm, { authorization: 'Bearer abc.def.ghi' }));
      expectOAuthError(res, 401, 'invalid_client', 'no client authentication');
    });
  });

  describe('bytes that are not UTF-8', () => {
    it('raw 0xFF 0xFE bytes in the scope: 400 invalid_scope, reason header stays ASCII', async () => {
      const body = Buffer.concat([Buffer.from('grant_type=client_credentials&scope='), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('x')]);
      const res = record(await post(iam, '/oauth2/v1/token', body, uc1));
      const reason = expectOAuthError(res, 400, 'invalid_scope');
      expect(reason).toMatch(/^[\x20-\x7e]+$/);
      expect(reason).toContain('x"');
    });

    it('%-encoded invalid UTF-8 (%FF%FE) in the scope: 400 invalid_scope', async () => {
      const res = record(await post(iam, '/oauth2/v1/token', 'grant_type=client_credentials&scope=%FF%FE', uc1));
      expectOAuthError(res, 400, 'invalid_scope');
    });

    it('invalid UTF-8 in username and password: 400 invalid_grant', async () => {
      const body = Buffer.concat([
        Buffer.from('grant_type=password&scope=urn%3Aopc%3Aidm%3A__myscopes__&username='),
        Buffer.from([0xc0, 0xaf]),
        Buffer.from('&password='),
        Buffer.from([0xed, 0xa0, 0x80]),
      ]);
      const res = record(await post(iam, '/oauth2/v1/token', body, { authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) }));
      expectOAuthError(res, 400, 'invalid_grant');
    });

    it('a lone % and NUL bytes in the form: a 4xx, not a 500', async () => {
      const res = record(await post(iam, '/oauth2/v1/token', 'grant_type=client_credentials&scope=%&x=%00\u0000', uc1));
      expectOAuthError(res, 400, 'invalid_scope', '"%"');
    });

    it('a non-ASCII client_id in client_secret_post: 401 invalid_client', async () => {
      const res = record(await post(iam, '/oauth2/v1/token', `${validForm}&client_id=%C3%BCber&client_secret=x`));
      expectOAuthError(res, 401, 'invalid_client', 'no app has client_id');
    });
  });

  describe('empty and odd requests', () => {
    it('an empty form body: 400 invalid_request (grant_type is required)', async () => {
      const res = record(await post(iam, '/oauth2/v1/token', '', uc1));
      expectOAuthError(res, 400, 'invalid_request', 'grant_type is required');
    });

    it('an empty body without a content type: 400 invalid_request', async () => {
      const res = record(await rawRequest(iam, { path: '/oauth2/v1/token', headers: { ...uc1, 'content-length': 0 } }));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text)).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('Content-Type') });
    });

    it('a form of only separators: 400 invalid_request', async () => {
      const res = record(await post(iam, '/oauth2/v1/token', '&&&==&', uc1));
      expectOAuthError(res, 400, 'invalid_request');
    });

    it('multipart/form-data is refused as the wrong content type', async () => {
      const fd = new FormData();
      fd.set('grant_type', 'client_credentials');
      fd.set('scope', 'anwendung1AnwendungReadA');
      const res = await fetch(`${iam.url}/oauth2/v1/token`, { method: 'POST', headers: uc1, body: fd });
      record(res);
      expectOAuthError({ status: res.status, headers: res.headers, body: await res.json() }, 400, 'invalid_request', 'multipart/form-data');
    });

    it('GET on the token endpoint is 405, not a 500', async () => {
      const res = record(await get(iam, '/oauth2/v1/token'));
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toContain('POST');
    });

    it('answers 100 concurrent valid requests', async () => {
      const results = await Promise.all(Array.from({ length: 100 }, () => tokenRequest(iam, { grant_type: 'client_credentials', scope: 'anwendung1AnwendungReadA' }, uc1)));
      results.forEach(record);
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(new Set(results.map((r) => decodeJwtParts(r.body.access_token).claims.jti)).size).toBe(100);
    });
  });

  describe('afterwards', () => {
    it('still answers a valid request with 200', async () => {
      await expectStillServing();
    });

    it('never answered 500 to anything above', () => {
      expect(statuses.length).toBeGreaterThan(20);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
    });
  });
});
