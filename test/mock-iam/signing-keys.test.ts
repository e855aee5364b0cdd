/**
 * Signing keys over restarts and rotations: the key file keeps tokens valid across restarts,
 * a new activeKid in the config rotates, retiredKids drops keys, and the harness admin calls
 * rotate and retire at run time.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors as joseErrors } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeJwtParts, startTestIam, type TestIam } from '../support/iam.js';
import { copyKeyFile, http, introspect, joseVerify, JWKS_PATH, makeKeyFile, postJson, tempDir, useCase1Token } from './helpers.js';

const kidsOf = async (iam: TestIam): Promise<string[]> => (await http(`${iam.url}${JWKS_PATH}`)).body.keys.map((k: any) => k.kid);
const jwkOf = async (iam: TestIam, kid: string): Promise<any> => (await http(`${iam.url}${JWKS_PATH}`)).body.keys.find((k: any) => k.kid === kid);

describe('key file persistence and rotation through config', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  const running: TestIam[] = [];
  const start = async (activeKid: string, retiredKids: string[] = []) => {
    const iam = await startTestIam({ signingKeys: { file, activeKid, retiredKids } });
    running.push(iam);
    return iam;
  };
  const stop = async (iam: TestIam) => {
    running.splice(running.indexOf(iam), 1);
    await iam.stop();
  };

  beforeEach(() => {
    tmp = tempDir();
    file = join(tmp.dir, 'keys.json');
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((iam) => iam.stop()));
    tmp.cleanup();
  });

  it('a restart with the same key file keeps old tokens valid and the JWKS byte-identical', async () => {
    const first = await start('SIGNING_KEY');
    const token = await useCase1Token(first);
    const jwksBefore = (await http(`${first.url}${JWKS_PATH}`)).text;
    await stop(first);

    expect(existsSync(file)).toBe(true);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored.version).toBe(1);
    expect(stored.activeKid).toBe('SIGNING_KEY');
    expect(stored.keys.map((k: any) => k.kid)).toEqual(['SIGNING_KEY']);
    expect(stored.keys[0].privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = await start('SIGNING_KEY');
    const jwksAfter = (await http(`${second.url}${JWKS_PATH}`)).text;
    expect(jwksAfter).toBe(jwksBefore);
    const { payload } = await joseVerify(second, token, { issuer: 'https://identity.oraclecloud.com/', audience: 'anwendung1' });
    expect(payload.sub).toBe('usecase1_client');
    expect((await introspect(second, token)).body).toMatchObject({ active: true, sub: 'usecase1_client' });
    // and the restarted server signs with the same key
    expect(decodeJwtParts(await useCase1Token(second)).header).toEqual(decodeJwtParts(token).header);
  });

  it('without a key file, a restart makes a new key and old tokens stop verifying', async () => {
    const first = await startTestIam();
    running.push(first);
    const token = await useCase1Token(first);
    const x5t = (await jwkOf(first, 'SIGNING_KEY')).x5t;
    await stop(first);
    const second = await startTestIam();
    running.push(second);
    expect((await jwkOf(second, 'SIGNING_KEY')).x5t).not.toBe(x5t);
    await expect(joseVerify(second, token)).rejects.toBeInstanceOf(joseErrors.JWSSignatureVerificationFailed);
    expect((await introspect(second, token)).body).toEqual({ active: false });
  });

  it('a new activeKid rotates (both published, new tokens use it); retiredKids then drops the old key', async () => {
    const first = await start('SIGNING_KEY');
    const oldToken = await useCase1Token(first);
    const oldJwk = await jwkOf(first, 'SIGNING_KEY');
    await stop(first);

    const rotated = await start('SIGNING_KEY_2');
    expect(await kidsOf(rotated)).toEqual(['SIGNING_KEY', 'SIGNING_KEY_2']);
    expect(await jwkOf(rotated, 'SIGNING_KEY')).toEqual(oldJwk);
    const newToken = await useCase1Token(rotated);
    const newHeader = decodeJwtParts(newToken).header;
    expect(newHeader.kid).toBe('SIGNING_KEY_2');
    expect(newHeader.x5t).toBe((await jwkOf(rotated, 'SIGNING_KEY_2')).x5t);
    expect((await joseVerify(rotated, oldToken)).protectedHeader.kid).toBe('SIGNING_KEY');
    expect((await joseVerify(rotated, newToken)).protectedHeader.kid).toBe('SIGNING_KEY_2');
    expect((await http(`${rotated.url}/_harness/health`)).body.activeKid).toBe('SIGNING_KEY_2');
    expect(JSON.parse(readFileSync(file, 'utf8')).keys.map((k: any) => k.kid)).toEqual(['SIGNING_KEY', 'SIGNING_KEY_2']);
    await stop(rotated);

    const retired = await start('SIGNING_KEY_2', ['SIGNING_KEY']);
    expect(await kidsOf(retired)).toEqual(['SIGNING_KEY_2']);
    await expect(joseVerify(retired, oldToken)).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
    expect((await introspect(retired, oldToken)).body).toEqual({ active: false });
    expect((await joseVerify(retired, newToken)).payload.sub).toBe('usecase1_client');
    expect(JSON.parse(readFileSync(file, 'utf8')).keys.map((k: any) => k.kid)).toEqual(['SIGNING_KEY_2']);
  });

  it('refuses to start when the activeKid is also retired', async () => {
    await expect(start('SIGNING_KEY', ['SIGNING_KEY'])).rejects.toThrow('activeKid "SIGNING_KEY" is also listed in retiredKids');
  });

  it('refuses to start on a key file that is not a version 1 key file', async () => {
    writeFileSync(file, JSON.stringify({ version: 2, keys: [] }));
    await expect(start('SIGNING_KEY')).rejects.toThrow(`signing key file ${file}: not a version 1 key file`);
    writeFileSync(file, '{not json');
    await expect(start('SIGNING_KEY')).rejects.toThrow(`signing key file ${file}`);
  });
});

describe('rotation through the harness admin calls', () => {
  let iam: TestIam;
  let tmp: ReturnType<typeof tempDir>;
  let k1File: string;
  beforeAll(async () => {
    tmp = tempDir();
    k1File = await makeKeyFile(tmp.dir, 'K1');
  });
  afterAll(() => tmp.cleanup());
  // Each test gets its own copy of a key file holding K1 only: a fresh ring without key generation.
  beforeEach(async () => {
    iam = await startTestIam({ signingKeys: { file: copyKeyFile(k1File, tmp.dir), activeKid: 'K1', retiredKids: [] } });
  });
  afterEach(() => iam.stop());

  const keysUrl = () => `${iam.url}/_harness/signing-keys`;

  it('GET /_harness/signing-keys lists the keys with the active kid', async () => {
    const res = await http(keysUrl());
    expect(res.status).toBe(200);
    expect(res.body.activeKid).toBe('K1');
    expect(res.body.keys).toHaveLength(1);
    expect(res.body.keys[0]).toEqual({ kid: 'K1', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), x5t: (await jwkOf(iam, 'K1')).x5t });
  });

  it('rotate to K2, then retire K1: old tokens verify until K1 is retired', async () => {
    const oldToken = await useCase1Token(iam);
    expect(decodeJwtParts(oldToken).header.kid).toBe('K1');

    const rotated = await postJson(`${keysUrl()}/rotate`, { kid: 'K2' });
    expect(rotated.status).toBe(200);
    expect(rotated.body.activeKid).toBe('K2');
    expect(rotated.body.keys.map((k: any) => k.kid)).toEqual(['K1', 'K2']);
    expect(await kidsOf(iam)).toEqual(['K1', 'K2']);
    expect((await http(keysUrl())).body).toEqual(rotated.body);

    const newToken = await useCase1Token(iam);
    expect(decodeJwtParts(newToken).header.kid).toBe('K2');
    expect((await joseVerify(iam, oldToken)).protectedHeader.kid).toBe('K1');
    expect((await introspect(iam, oldToken)).body.active).toBe(true);

    const refused = await http(`${keysUrl()}/K2`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ code: 'Conflict', message: 'key "K2" is the active signing key; rotate to another key first' });
    expect(await kidsOf(iam)).toEqual(['K1', 'K2']);

    const retired = await http(`${keysUrl()}/K1`, { method: 'DELETE' });
    expect(retired.status).toBe(200);
    expect(retired.body.activeKid).toBe('K2');
    expect(retired.body.keys.map((k: any) => k.kid)).toEqual(['K2']);
    expect(await kidsOf(iam)).toEqual(['K2']);
    await expect(joseVerify(iam, oldToken)).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
    expect((await introspect(iam, oldToken)).body).toEqual({ active: false });
    expect((await introspect(iam, newToken)).body.active).toBe(true);

    const again = await http(`${keysUrl()}/K1`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ code: 'NotAuthorizedOrNotFound', message: 'no signing key "K1"' });
  });

  it('rotating back to a published kid reuses its key instead of making a new one', async () => {
    const k1 = await jwkOf(iam, 'K1');
    await postJson(`${keysUrl()}/rotate`, { kid: 'K2' });
    const back = await postJson(`${keysUrl()}/rotate`, { kid: 'K1' });
    expect(back.status).toBe(200);
    expect(back.body.activeKid).toBe('K1');
    expect(back.body.keys.map((k: any) => k.kid)).toEqual(['K1', 'K2']);
    expect(await jwkOf(iam, 'K1')).toEqual(k1);
    expect(decodeJwtParts(await useCase1Token(iam)).header.x5t).toBe(k1.x5t);
  });

  it('refuses bad rotate bodies with 400 InvalidParameter and leaves the keys alone', async () => {
    for (const body of [{}, { kid: '' }, { kid: 'K2', extra: true }, { kid: 42 }]) {
      const res = await postJson(`${keysUrl()}/rotate`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('InvalidParameter');
      expect(res.body.message).toMatch(/kid|extra/);
    }
    const badName = await postJson(`${keysUrl()}/rotate`, { kid: 'bad kid!' });
    expect(badName.status).toBe(400);
    expect(badName.body.code).toBe('InvalidParameter');
    expect(badName.body.message).toBe('kid "bad kid!" must be 1-64 letters, digits, _ . -');
    expect((await http(keysUrl())).body.activeKid).toBe('K1');
    expect(await kidsOf(iam)).toEqual(['K1']);
  });
});

describe('admin rotation with a key file', () => {
  let tmp: ReturnType<typeof tempDir>;
  const running: TestIam[] = [];
  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(async () => {
    await Promise.all(running.splice(0).map((iam) => iam.stop()));
    tmp.cleanup();
  });

  it('persists a key made by the rotate call, so a restart with that activeKid keeps it', async () => {
    const file = join(tmp.dir, 'keys.json');
    const first = await startTestIam({ signingKeys: { file, activeKid: 'SIGNING_KEY', retiredKids: [] } });
    running.push(first);
    expect((await postJson(`${first.url}/_harness/signing-keys/rotate`, { kid: 'ROTATED' })).status).toBe(200);
    const token = await useCase1Token(first);
    const jwks = (await http(`${first.url}${JWKS_PATH}`)).text;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ activeKid: 'ROTATED' });
    await first.stop();
    running.splice(0);

    const second = await startTestIam({ signingKeys: { file, activeKid: 'ROTATED', retiredKids: [] } });
    running.push(second);
    expect((await http(`${second.url}${JWKS_PATH}`)).text).toBe(jwks);
    expect((await joseVerify(second, token)).protectedHeader.kid).toBe('ROTATED');
  });
});
