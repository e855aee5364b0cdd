import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { KeyRing, KeyRingError, writeFileAtomically } from '../../mock-iam/keys/key-ring.js';

// RSA generation is slow (~0.2 s a key): these tests generate four keys in all.
const NOW = Date.UTC(2030, 0, 1);

function options(over: { file?: string; activeKid?: string; retiredKids?: string[] } = {}) {
  const clock = new ControllableClock();
  clock.set(NOW, true);
  return { activeKid: 'SIGNING_KEY', retiredKids: [] as string[], commonName: 'unit.example', clock, ...over };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'unit-keyring-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('KeyRing in memory', () => {
  it('open without a file generates SIGNING_KEY; rotate adds a key; retire rules', async () => {
    const ring = await KeyRing.open(options());
    expect(ring.list().map((k) => k.kid)).toEqual(['SIGNING_KEY']);
    expect(ring.active.kid).toBe('SIGNING_KEY');
    expect(ring.active.createdAt).toBe('2030-01-01T00:00:00.000Z');
    const first = ring.active;
    const jwks = JSON.parse(ring.jwks());
    expect(jwks.keys).toHaveLength(1);
    expect(Object.keys(jwks.keys[0])).toEqual(['x5t#S256', 'x5t', 'key_ops', 'e', 'kty', 'x5c', 'alg', 'kid', 'n']);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', kid: 'SIGNING_KEY', alg: 'RS256', e: 'AQAB', key_ops: ['verify', 'encrypt'], x5t: first.x5t });

    // A bad kid is refused before any key is made.
    expect(await rejection(ring.rotate('bad kid!'))).toBeInstanceOf(KeyRingError);
    expect((await rejection(ring.rotate('bad kid!'))).message).toBe('kid "bad kid!" must be 1-64 letters, digits, _ . -');

    const second = await ring.rotate('K2');
    expect(second.kid).toBe('K2');
    expect(ring.active).toBe(second);
    expect(ring.list().map((k) => k.kid)).toEqual(['SIGNING_KEY', 'K2']);
    expect(JSON.parse(ring.jwks()).keys.map((k: { kid: string }) => k.kid)).toEqual(['SIGNING_KEY', 'K2']);
    expect(ring.find('SIGNING_KEY')).toBe(first);
    expect(ring.find('nope')).toBeUndefined();

    // Retiring the active key is refused.
    const active = thrown(() => ring.retire('K2'));
    expect(active).toBeInstanceOf(KeyRingError);
    expect(active.message).toBe('key "K2" is the active signing key; rotate to another key first');
    const unknown = thrown(() => ring.retire('nope'));
    expect(unknown).toBeInstanceOf(KeyRingError);
    expect(unknown.message).toBe('no signing key "nope"');

    // Rotating back to a published key makes no new key.
    expect(await ring.rotate('SIGNING_KEY')).toBe(first);
    ring.retire('K2');
    expect(ring.list().map((k) => k.kid)).toEqual(['SIGNING_KEY']);
    expect(JSON.parse(ring.jwks()).keys.map((k: { kid: string }) => k.kid)).toEqual(['SIGNING_KEY']);
  });

  it('an activeKid also listed in retiredKids is refused', async () => {
    const err = await rejection(KeyRing.open(options({ activeKid: 'A', retiredKids: ['B', 'A'] })));
    expect(err).toBeInstanceOf(KeyRingError);
    expect(err.message).toBe('iam.signingKeys: activeKid "A" is also listed in retiredKids');
  });
});

describe('KeyRing with a key file', () => {
  it('writes the file atomically, reloads the same key, rotates through config and drops retired kids', async () => {
    const file = join(dir, 'nested', 'keys.json');
    const ring = await KeyRing.open(options({ file }));
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['keys.json']);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored.version).toBe(1);
    expect(stored.activeKid).toBe('SIGNING_KEY');
    expect(stored.keys.map((k: { kid: string }) => k.kid)).toEqual(['SIGNING_KEY']);
    expect(stored.keys[0]).toEqual(ring.active.stored);

    // Reopened: the same key, nothing generated.
    const again = await KeyRing.open(options({ file }));
    expect(again.active.kid).toBe('SIGNING_KEY');
    expect(again.active.x5t).toBe(ring.active.x5t);
    expect(again.active.publicKey.equals(ring.active.publicKey)).toBe(true);
    expect(again.jwks()).toBe(ring.jwks());

    // A new activeKid is a rotation; the retired kid leaves the ring and the file.
    const rotated = await KeyRing.open(options({ file, activeKid: 'NEXT' }));
    expect(rotated.list().map((k) => k.kid)).toEqual(['SIGNING_KEY', 'NEXT']);
    const retired = await KeyRing.open(options({ file, activeKid: 'NEXT', retiredKids: ['SIGNING_KEY'] }));
    expect(retired.list().map((k) => k.kid)).toEqual(['NEXT']);
    expect(retired.active.x5t).toBe(rotated.active.x5t);
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.activeKid).toBe('NEXT');
    expect(after.keys.map((k: { kid: string }) => k.kid)).toEqual(['NEXT']);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['keys.json']);
  });

  it('a broken key file is a KeyRingError naming the file', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"version": 2, "keys": []}');
    const err = await rejection(KeyRing.open(options({ file })));
    expect(err).toBeInstanceOf(KeyRingError);
    expect(err.message).toBe(`signing key file ${file}: not a version 1 key file`);
    writeFileSync(file, 'not json');
    const err2 = await rejection(KeyRing.open(options({ file })));
    expect(err2).toBeInstanceOf(KeyRingError);
    expect(err2.message.startsWith(`signing key file ${file}: `)).toBe(true);
    // The broken file is left as it was.
    expect(readFileSync(file, 'utf8')).toBe('not json');
  });

  it('writeFileAtomically replaces the content and leaves no temporary file', () => {
    const file = join(dir, 'atomic', 'a.json');
    writeFileAtomically(file, 'one');
    writeFileAtomically(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'atomic'))).toEqual(['a.json']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
