/**
 * The harness control surface of the IAM: health, and the clock that token lifetimes and
 * expiry checks read (`/_harness/clock`), driven over HTTP.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeJwtParts, startTestIam, type TestIam } from '../support/iam.js';
import { http, introspect, postJson, useCase1Token } from './helpers.js';

const FROZEN = 1_700_000_000; // 2023-11-14T22:13:20Z

describe('harness clock and health', () => {
  let iam: TestIam;
  beforeAll(async () => {
    iam = await startTestIam();
  });
  afterAll(() => iam.stop());
  // One server for the file; every test starts from real time.
  beforeEach(() => iam.clock.reset());

  const setClock = (body: unknown) => postJson(`${iam.url}/_harness/clock`, body);

  it('GET /_harness/health is 200 JSON naming the component, issuer and active kid', async () => {
    const res = await http(`${iam.url}/_harness/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ status: 'UP', component: 'mock-iam', issuer: 'https://identity.oraclecloud.com/', activeKid: 'SIGNING_KEY' });
  });

  it('GET /_harness/clock reports real time by default', async () => {
    const res = await http(`${iam.url}/_harness/clock`);
    expect(res.status).toBe(200);
    expect(res.body.frozen).toBe(false);
    expect(Math.abs(res.body.nowEpochSeconds - Math.floor(Date.now() / 1000))).toBeLessThanOrEqual(2);
  });

  it('{now, freeze: true} makes iat exactly that instant, and exp iat + 3600', async () => {
    const set = await setClock({ now: FROZEN, freeze: true });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ now: '2023-11-14T22:13:20.000Z', nowEpochSeconds: FROZEN, frozen: true });
    const first = decodeJwtParts(await useCase1Token(iam)).claims;
    expect(first.iat).toBe(FROZEN);
    expect(first.exp).toBe(FROZEN + 3600);
    await new Promise((r) => setTimeout(r, 50)); // real time passes, frozen time does not
    expect((await http(`${iam.url}/_harness/clock`)).body.now).toBe('2023-11-14T22:13:20.000Z');
    expect(decodeJwtParts(await useCase1Token(iam)).claims.iat).toBe(FROZEN);
  });

  it('an ISO 8601 now is accepted too', async () => {
    const set = await setClock({ now: '2030-01-02T03:04:05Z', freeze: true });
    expect(set.status).toBe(200);
    expect(decodeJwtParts(await useCase1Token(iam)).claims.iat).toBe(Date.UTC(2030, 0, 2, 3, 4, 5) / 1000);
  });

  it('advancing past exp makes an earlier token introspect as {active:false}', async () => {
    await setClock({ now: FROZEN, freeze: true });
    const token = await useCase1Token(iam);
    const before = await introspect(iam, token);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ active: true, token_type: 'Bearer', iat: FROZEN, exp: FROZEN + 3600, sub: 'usecase1_client', aud: 'anwendung1' });

    const advanced = await setClock({ advanceSeconds: 3601 });
    expect(advanced.status).toBe(200);
    expect(advanced.body.nowEpochSeconds).toBe(FROZEN + 3601);
    expect(advanced.body.frozen).toBe(true);
    const after = await introspect(iam, token);
    expect(after.status).toBe(200);
    expect(after.body).toEqual({ active: false });
    expect(after.headers.get('cache-control')).toBe('no-store');
  });

  it('a token is active one second before exp and inactive at exp', async () => {
    await setClock({ now: FROZEN, freeze: true });
    const token = await useCase1Token(iam);
    await setClock({ advanceSeconds: 3599 });
    expect((await introspect(iam, token)).body.active).toBe(true);
    await setClock({ advanceSeconds: 1 });
    expect((await introspect(iam, token)).body).toEqual({ active: false });
  });

  it('{reset: true} goes back to real time', async () => {
    await setClock({ now: FROZEN, freeze: true });
    const reset = await setClock({ reset: true });
    expect(reset.status).toBe(200);
    expect(reset.body.frozen).toBe(false);
    expect(reset.body.offsetMs).toBe(0);
    const iat = decodeJwtParts(await useCase1Token(iam)).claims.iat;
    expect(Math.abs(iat - Math.floor(Date.now() / 1000))).toBeLessThanOrEqual(2);
  });

  it('an unfrozen jump keeps time running from the new instant', async () => {
    const set = await setClock({ now: FROZEN });
    expect(set.body.frozen).toBe(false);
    const iat = decodeJwtParts(await useCase1Token(iam)).claims.iat;
    expect(iat).toBeGreaterThanOrEqual(FROZEN);
    expect(iat).toBeLessThanOrEqual(FROZEN + 2);
  });

  it.each<[string, unknown]>([
    ['empty object', {}],
    ['unknown member', { now: FROZEN, later: true }],
    ['now as free text', { now: 'yesterday' }],
    ['negative epoch seconds', { now: -5 }],
    ['fractional epoch seconds', { now: 1.5 }],
    ['advanceSeconds as a string', { advanceSeconds: '60' }],
    ['reset: false', { reset: false }],
    ['a JSON array', [1, 2]],
  ])('a bad clock body (%s) is 400 {code: InvalidParameter, message}', async (_name, body) => {
    const before = (await http(`${iam.url}/_harness/clock`)).body;
    const res = await setClock(body);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'message']);
    expect(res.body.code).toBe('InvalidParameter');
    expect(res.body.message).not.toBe('');
    const after = (await http(`${iam.url}/_harness/clock`)).body;
    expect(after.frozen).toBe(before.frozen);
  });

  it('{freeze: true} alone stops time where it is; {freeze: false} lets it run on from there', async () => {
    await setClock({ reset: true });
    const frozen = await setClock({ freeze: true });
    expect(frozen.status).toBe(200);
    expect(frozen.body.frozen).toBe(true);
    await new Promise((r) => setTimeout(r, 30));
    expect((await http(`${iam.url}/_harness/clock`)).body.now).toBe(frozen.body.now);
    const running = await setClock({ freeze: false });
    expect(running.body.frozen).toBe(false);
    expect(Math.abs(running.body.nowEpochSeconds - frozen.body.nowEpochSeconds)).toBeLessThanOrEqual(1);
    await setClock({ reset: true });
  });

  it('{reset: true, freeze: true} freezes at the real current time', async () => {
    const res = await setClock({ reset: true, freeze: true });
    expect(res.status).toBe(200);
    expect(res.body.frozen).toBe(true);
    expect(Math.abs(res.body.nowEpochSeconds - Math.floor(Date.now() / 1000))).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 50));
    expect((await http(`${iam.url}/_harness/clock`)).body.now).toBe(res.body.now);
  });

  // The harness surface answers every other bad body with the string code InvalidParameter
  // (OCI's control-plane form); a body that is not JSON at all should not differ.
  it('a clock body that is not JSON is 400 {code: InvalidParameter, message} as well', async () => {
    const res = await setClock('{"now": ');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('InvalidParameter');
    expect(res.body.message).toMatch(/not valid JSON/);
  });
});
