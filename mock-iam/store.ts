/**
 * The one store of the mock IAM: apps, users, grants of admin app roles, the custom user schema's
 * attributes, custom claims, refresh tokens and revocations. The token service reads it; the
 * admin REST API writes it through the methods below, so a change is seen by the next token.
 *
 * With a state file, every change is written atomically and a restart brings it all back; the
 * config's seeded objects apply only when there is no state yet (docs/configuration.md).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Clock } from '../common/clock.js';
import {
  CUSTOM_USER_SCHEMA,
  type AppConfig,
  type CustomClaimConfig,
  type IamConfig,
  type SchemaAttributeConfig,
  type UserConfig,
} from '../common/config.js';
import { idcsGuid, ocid } from '../common/ids.js';
import { APP_ROLES, appRolesByName, type AppRole } from './app-roles.js';
import { removeStaleTempFiles, writeFileAtomically } from './keys/key-ring.js';

/** SCIM `meta` bookkeeping; `version` becomes the ETag. */
export interface Meta {
  created: string;
  lastModified: string;
  version: number;
}

export interface App extends Omit<AppConfig, 'grantedAppRoles'> {
  id: string;
  ocid: string;
  meta: Meta;
  /** Derived from the grants: the admin roles this app holds. */
  grantedAppRoles: AppRole[];
  /** IDCS App attributes the harness keeps and returns but does not interpret. */
  otherAttributes: Record<string, unknown>;
}

export interface User extends Omit<UserConfig, 'grantedAppRoles' | 'password'> {
  id: string;
  ocid: string;
  meta: Meta;
  /** `sha256$<salt>$<hex>`; IDCS never returns passwords and neither do we. */
  passwordHash?: string | undefined;
  /** Derived from the grants. */
  grantedAppRoles: AppRole[];
  /** Oracle extension attributes (URN-keyed) kept as given. */
  otherAttributes: Record<string, unknown>;
}

export interface Grant {
  id: string;
  meta: Meta;
  grantee: { type: 'App' | 'User'; value: string };
  appRole: AppRole;
  grantMechanism: string;
}

export type CustomClaim = CustomClaimConfig & { id: string; meta: Meta };
export type SchemaAttribute = SchemaAttributeConfig & Record<string, unknown>;

export interface RefreshTokenRecord {
  clientId: string;
  userId?: string | undefined;
  /** The scope string of the original request, re-resolved on each refresh. */
  scope: string[];
  expiresAt: number;
  /** The user's original sign-in and SSO session, carried into refreshed tokens. */
  authTime?: number | undefined;
  sessionId?: string | undefined;
}

interface StateFile {
  version: 1;
  apps: Array<Omit<App, 'grantedAppRoles'>>;
  users: Array<Omit<User, 'grantedAppRoles'>>;
  grants: Array<Omit<Grant, 'appRole'> & { appRoleId: string }>;
  customUserSchemaAttributes: SchemaAttribute[];
  customClaims: CustomClaim[];
}

export class IamStore {
  readonly apps = new Map<string, App>();
  readonly users = new Map<string, User>();
  readonly grants = new Map<string, Grant>();
  readonly customClaims = new Map<string, CustomClaim>();
  customUserSchemaAttributes: SchemaAttribute[] = [];
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  /** Revoked access-token `jti`s, with the token's `exp` so the set can forget them. */
  private readonly revokedJtis = new Map<string, number>();

  /** Seeds from the config, or restores the state file when one exists. */
  constructor(
    config: Pick<IamConfig, 'apps' | 'users' | 'customUserSchemaAttributes' | 'customClaims'>,
    private readonly clock: Clock,
    private readonly stateFile?: string,
  ) {
    if (stateFile) removeStaleTempFiles(stateFile);
    if (stateFile && existsSync(stateFile)) this.restore(stateFile);
    else this.seed(config);
    this.persist();
  }

  private seed(config: Pick<IamConfig, 'apps' | 'users' | 'customUserSchemaAttributes' | 'customClaims'>): void {
    for (const { grantedAppRoles, ...app } of config.apps) {
      const stored = this.putApp({ ...app, id: app.id ?? idcsGuid(), ocid: ocid('app'), otherAttributes: {} });
      for (const role of appRolesByName(grantedAppRoles, `iam.apps ${app.name}`)) this.addGrant({ type: 'App', value: stored.id }, role, 'ADMINISTRATOR_TO_APP');
    }
    for (const { grantedAppRoles, password, ...user } of config.users) {
      const stored = this.putUser({ ...user, id: user.id ?? idcsGuid(), ocid: ocid('user'), passwordHash: password === undefined ? undefined : hashPassword(password), otherAttributes: {} });
      for (const role of appRolesByName(grantedAppRoles, `iam.users ${user.userName}`)) this.addGrant({ type: 'User', value: stored.id }, role, 'ADMINISTRATOR_TO_USER');
    }
    this.customUserSchemaAttributes = config.customUserSchemaAttributes.map((a) => ({ ...a }));
    for (const claim of config.customClaims) this.putCustomClaim({ ...claim, id: idcsGuid() });
  }

  private restore(file: string): void {
    let state: StateFile;
    try {
      state = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
      if (state.version !== 1) throw new Error(`version ${String(state.version)} is not 1`);
    } catch (err) {
      throw new Error(`IAM state file ${file} cannot be read: ${(err as Error).message}`);
    }
    for (const app of state.apps) this.apps.set(app.id, { ...app, grantedAppRoles: [] });
    for (const user of state.users) this.users.set(user.id, { ...user, grantedAppRoles: [] });
    for (const { appRoleId, ...grant } of state.grants) {
      const appRole = APP_ROLES.find((r) => r.id === appRoleId);
      if (appRole) this.grants.set(grant.id, { ...grant, appRole });
    }
    this.customUserSchemaAttributes = state.customUserSchemaAttributes;
    for (const claim of state.customClaims) this.customClaims.set(claim.id, claim);
    this.deriveRoles();
  }

  /**
   * Writes the state file (if any) after every change: temp file, fsync, rename, directory fsync.
   * Synchronous, inside the method that changed the store, so the admin API's 201/200 is sent only
   * once the change is on disk (test/faults/iam-crash.test.ts kills the IAM mid-write to check).
   */
  private persist(): void {
    if (!this.stateFile) return;
    const state: StateFile = {
      version: 1,
      apps: [...this.apps.values()].map(({ grantedAppRoles: _, ...app }) => app),
      users: [...this.users.values()].map(({ grantedAppRoles: _, ...user }) => user),
      grants: [...this.grants.values()].map(({ appRole, ...grant }) => ({ ...grant, appRoleId: appRole.id })),
      customUserSchemaAttributes: this.customUserSchemaAttributes,
      customClaims: [...this.customClaims.values()],
    };
    writeFileAtomically(this.stateFile, JSON.stringify(state, null, 2));
  }

  /** A fresh `meta`, or the next version of an existing one. */
  nextMeta(previous?: Meta): Meta {
    const now = new Date(this.clock.nowMs()).toISOString();
    return previous ? { created: previous.created, lastModified: now, version: previous.version + 1 } : { created: now, lastModified: now, version: 1 };
  }

  // --- apps --------------------------------------------------------------------------------
  putApp(app: Omit<App, 'meta' | 'grantedAppRoles'> & { meta?: Meta }): App {
    const previous = this.apps.get(app.id);
    const stored: App = { ...app, meta: this.nextMeta(previous?.meta), grantedAppRoles: previous?.grantedAppRoles ?? [] };
    this.apps.set(stored.id, stored);
    this.persist();
    return stored;
  }

  deleteApp(id: string): boolean {
    if (!this.apps.delete(id)) return false;
    for (const [gid, grant] of this.grants) if (grant.grantee.type === 'App' && grant.grantee.value === id) this.grants.delete(gid);
    this.persist();
    return true;
  }

  /** The app whose OAuth client_id (App `name`) this is. */
  appByClientId(clientId: string): App | undefined {
    for (const app of this.apps.values()) if (app.name === clientId) return app;
    return undefined;
  }

  /** Every resource server's fully qualified scopes: audience glued to the scope value. */
  *resourceScopes(): Generator<{ app: App; fqs: string; value: string }> {
    for (const app of this.apps.values()) {
      if (!app.isOAuthResource || !app.audience) continue;
      for (const scope of app.scopes) yield { app, fqs: `${app.audience}${scope.value}`, value: scope.value };
    }
  }

  // --- users -------------------------------------------------------------------------------
  putUser(user: Omit<User, 'meta' | 'grantedAppRoles'> & { meta?: Meta }): User {
    const previous = this.users.get(user.id);
    const stored: User = { ...user, meta: this.nextMeta(previous?.meta), grantedAppRoles: previous?.grantedAppRoles ?? [] };
    this.users.set(stored.id, stored);
    this.persist();
    return stored;
  }

  deleteUser(id: string): boolean {
    if (!this.users.delete(id)) return false;
    for (const [gid, grant] of this.grants) if (grant.grantee.type === 'User' && grant.grantee.value === id) this.grants.delete(gid);
    for (const [token, record] of this.refreshTokens) if (record.userId === id) this.refreshTokens.delete(token);
    this.persist();
    return true;
  }

  /** IDCS user names are case-insensitive. */
  userByName(userName: string): User | undefined {
    const wanted = userName.toLowerCase();
    for (const user of this.users.values()) if (user.userName.toLowerCase() === wanted) return user;
    return undefined;
  }

  setPassword(userId: string, password: string): User {
    const user = this.users.get(userId)!;
    return this.putUser({ ...user, passwordHash: hashPassword(password) });
  }

  // --- grants of admin app roles --------------------------------------------------------------
  addGrant(grantee: Grant['grantee'], appRole: AppRole, grantMechanism: string): Grant {
    const existing = [...this.grants.values()].find((g) => g.grantee.type === grantee.type && g.grantee.value === grantee.value && g.appRole.id === appRole.id);
    if (existing) return existing;
    const grant: Grant = { id: idcsGuid(), meta: this.nextMeta(), grantee, appRole, grantMechanism };
    this.grants.set(grant.id, grant);
    this.touchGrantee(grantee);
    this.deriveRoles();
    this.persist();
    return grant;
  }

  deleteGrant(id: string): boolean {
    const grant = this.grants.get(id);
    if (!grant) return false;
    this.grants.delete(id);
    this.touchGrantee(grant.grantee);
    this.deriveRoles();
    this.persist();
    return true;
  }

  /** A grant changes its holder's `grantedAppRoles`: a new version, so ETags see it. */
  private touchGrantee(grantee: Grant['grantee']): void {
    const holder = grantee.type === 'App' ? this.apps.get(grantee.value) : this.users.get(grantee.value);
    if (holder) holder.meta = this.nextMeta(holder.meta);
  }

  /** Recomputes every app's and user's `grantedAppRoles` from the grants. */
  private deriveRoles(): void {
    for (const app of this.apps.values()) app.grantedAppRoles = [];
    for (const user of this.users.values()) user.grantedAppRoles = [];
    for (const grant of this.grants.values()) {
      const holder = grant.grantee.type === 'App' ? this.apps.get(grant.grantee.value) : this.users.get(grant.grantee.value);
      if (holder && !holder.grantedAppRoles.includes(grant.appRole)) holder.grantedAppRoles.push(grant.appRole);
    }
  }

  // --- schema and custom claims ------------------------------------------------------------
  setCustomUserSchemaAttributes(attributes: SchemaAttribute[]): void {
    this.customUserSchemaAttributes = attributes;
    this.persist();
  }

  putCustomClaim(claim: Omit<CustomClaim, 'meta'> & { meta?: Meta }): CustomClaim {
    const stored: CustomClaim = { ...claim, meta: this.nextMeta(this.customClaims.get(claim.id)?.meta) };
    this.customClaims.set(stored.id, stored);
    this.persist();
    return stored;
  }

  deleteCustomClaim(id: string): boolean {
    const deleted = this.customClaims.delete(id);
    if (deleted) this.persist();
    return deleted;
  }

  // --- refresh tokens and revocations (runtime only) -----------------------------------------
  saveRefreshToken(token: string, record: RefreshTokenRecord): void {
    this.refreshTokens.set(digest(token), record);
  }

  refreshToken(token: string): RefreshTokenRecord | undefined {
    const record = this.refreshTokens.get(digest(token));
    if (record && record.expiresAt <= this.clock.nowSeconds()) {
      this.refreshTokens.delete(digest(token));
      return undefined;
    }
    return record;
  }

  revokeRefreshToken(token: string): boolean {
    return this.refreshTokens.delete(digest(token));
  }

  revokeAccessToken(jti: string, exp: number): void {
    this.pruneRevocations();
    this.revokedJtis.set(jti, exp);
  }

  isRevoked(jti: string): boolean {
    return this.revokedJtis.has(jti);
  }

  private pruneRevocations(): void {
    const now = this.clock.nowSeconds();
    for (const [jti, exp] of this.revokedJtis) if (exp < now) this.revokedJtis.delete(jti);
  }
}

/** Refresh tokens are kept by hash, so the store never holds a usable token. */
function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A salted SHA-256: enough for a local test IAM, and cheap on the password-grant path. */
export function hashPassword(password: string): string {
  const salt = randomBytes(12).toString('base64url');
  return `sha256$${salt}$${createHash('sha256').update(`${salt}:${password}`).digest('hex')}`;
}

export function passwordMatches(password: string, hash: string): boolean {
  const [, salt = '', expected = ''] = hash.split('$');
  return secretsEqual(createHash('sha256').update(`${salt}:${password}`).digest('hex'), expected);
}

/** Compares secrets in constant time (for equal lengths; length itself is not secret here). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The SCIM view of a user's attributes, what custom-claim expressions (`$user.…`) read. */
export function scimUser(user: User): Record<string, unknown> {
  return {
    ...user.otherAttributes,
    id: user.id,
    ocid: user.ocid,
    userName: user.userName,
    displayName: user.displayName,
    name: user.name,
    emails: user.emails,
    active: user.active,
    timezone: user.timezone,
    locale: user.locale,
    preferredLanguage: user.preferredLanguage,
    groups: [],
    [CUSTOM_USER_SCHEMA]: user[CUSTOM_USER_SCHEMA],
  };
}
