/**
 * The tenant's signing keys: the active one signs, older ones stay in the JWKS until retired,
 * so tokens signed before a rotation keep verifying. With a key file, keys survive restarts.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
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

/** Write to a temporary file, flush it, then rename: a crash never leaves a half-written file. */
export function writeFileAtomically(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
