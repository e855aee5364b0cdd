/**
 * The tenant's signing keys: the active one signs, older ones stay in the JWKS until retired,
 * so tokens signed before a rotation keep verifying. With a key file, keys survive restarts.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, existsSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import { generateSigningKey, signingKeyFromStored, toIdcsJwk, type SigningKey, type StoredSigningKey } from './signing-key.js';

interface KeyFile {
  version: 1;
  activeKid: string;
  keys: StoredSigningKey[];
}

export interface KeyRingOptions {
  file?: string | undefined;
  activeKid: string;
  retiredKids: string[];
  /** `key_ops` of each published JWK (empty: omitted). */
  jwkKeyOps?: ReadonlyArray<string>;
  commonName: string;
  clock: Clock;
}

/** Why a key-ring change was refused: the request is malformed, names no key, or conflicts. */
export class KeyRingError extends Error {
  constructor(
    message: string,
    readonly kind: 'invalid' | 'not-found' | 'conflict' = 'invalid',
  ) {
    super(message);
  }
}

export class KeyRing {
  private keys: SigningKey[] = [];
  private activeKid = '';
  private jwksBody = '';

  private constructor(private readonly options: KeyRingOptions) {}

  /**
   * Loads the key file (if any), generates the configured active key when it is missing (a
   * rotation through config), drops retired keys, and writes the file back.
   */
  static async open(options: KeyRingOptions): Promise<KeyRing> {
    const ring = new KeyRing(options);
    if (options.file) removeStaleTempFiles(options.file);
    if (options.file && existsSync(options.file)) {
      let parsed: KeyFile;
      try {
        parsed = JSON.parse(readFileSync(options.file, 'utf8')) as KeyFile;
        if (parsed.version !== 1 || !Array.isArray(parsed.keys)) throw new Error('not a version 1 key file');
        ring.keys = parsed.keys.map(signingKeyFromStored);
      } catch (err) {
        throw new KeyRingError(`signing key file ${options.file}: ${(err as Error).message}`);
      }
    }
    if (options.retiredKids.includes(options.activeKid)) {
      throw new KeyRingError(`iam.signingKeys: activeKid "${options.activeKid}" is also listed in retiredKids`);
    }
    ring.keys = ring.keys.filter((k) => !options.retiredKids.includes(k.kid));
    if (!ring.keys.some((k) => k.kid === options.activeKid)) {
      ring.keys.push(await generateSigningKey(options.activeKid, options.commonName, new Date(options.clock.nowMs())));
    }
    ring.activeKid = options.activeKid;
    ring.changed();
    return ring;
  }

  get active(): SigningKey {
    return this.keys.find((k) => k.kid === this.activeKid)!;
  }

  find(kid: string): SigningKey | undefined {
    return this.keys.find((k) => k.kid === kid);
  }

  list(): ReadonlyArray<SigningKey> {
    return this.keys;
  }

  /** The JWKS document, serialised once per change (it is fetched far more often than it changes). */
  jwks(): string {
    return this.jwksBody;
  }

  /** Makes a new key (or an existing published one) the signer; the previous one stays published. */
  async rotate(kid: string): Promise<SigningKey> {
    if (!/^[\w.-]{1,64}$/.test(kid)) throw new KeyRingError(`kid "${kid}" must be 1-64 letters, digits, _ . -`);
    if (!this.find(kid)) {
      this.keys.push(await generateSigningKey(kid, this.options.commonName, new Date(this.options.clock.nowMs())));
    }
    this.activeKid = kid;
    this.changed();
    return this.active;
  }

  /** Removes a key from the JWKS: tokens it signed stop verifying. The signer cannot be retired. */
  retire(kid: string): void {
    if (kid === this.activeKid) throw new KeyRingError(`key "${kid}" is the active signing key; rotate to another key first`, 'conflict');
    if (!this.find(kid)) throw new KeyRingError(`no signing key "${kid}"`, 'not-found');
    this.keys = this.keys.filter((k) => k.kid !== kid);
    this.changed();
  }

  private changed(): void {
    this.jwksBody = JSON.stringify({ keys: this.keys.map((k) => toIdcsJwk(k, this.options.jwkKeyOps ?? ['verify', 'encrypt'])) });
    if (this.options.file) writeFileAtomically(this.options.file, JSON.stringify({ version: 1, activeKid: this.activeKid, keys: this.keys.map((k) => k.stored) } satisfies KeyFile, null, 2));
  }
}

/** The temporary file `writeFileAtomically` writes before the rename: `<file>.<pid>.tmp`. */
function tempFileOf(file: string, pid = process.pid): string {
  return `${file}.${pid}.tmp`;
}

/**
 * Write to a temporary file, flush it, rename it over `file`, then flush the directory: a crash
 * (SIGKILL, power cut) leaves either the old file or the new one, never a half-written one, and
 * once this returns the new content survives a power cut too. Callers acknowledge a change only
 * after this returned (it is synchronous).
 */
export function writeFileAtomically(file: string, content: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = tempFileOf(file);
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeFileSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    // Disk full, permissions…: the old file stands; do not leave the partial copy behind.
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDirectory(dir);
}

/** fsync of a directory makes a rename in it durable. Not every platform can open a directory (Windows): best effort there. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* not supported here: the rename itself is still atomic */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files a killed writer of `file` left behind (`<file>.<pid>.tmp` of a
 * process that no longer runs, or of an earlier process with this one's pid, as a container's PID 1
 * always is). Called before `file` is first read, while this process has no write of its own in flight.
 */
export function removeStaleTempFiles(file: string): void {
  const dir = dirname(file);
  const prefix = `${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // no directory yet: nothing left behind
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length, -'.tmp'.length));
    if (!Number.isInteger(pid) || pid <= 0 || name !== basename(tempFileOf(file, pid))) continue;
    if (pid === process.pid || !processIsAlive(pid)) rmSync(join(dir, name), { force: true });
  }
}
