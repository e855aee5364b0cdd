/**
 * The one store of the mock IAM: apps, users, custom schema attributes, custom claims, refresh
 * tokens and revocations. The token service reads it; the admin REST (next issue) writes it.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
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
import { appRolesByName, type AppRole } from './app-roles.js';

export interface App extends Omit<AppConfig, 'grantedAppRoles'> {
  id: string;
  ocid: string;
  grantedAppRoles: AppRole[];
}

export interface User extends Omit<UserConfig, 'grantedAppRoles'> {
  id: string;
  ocid: string;
  grantedAppRoles: AppRole[];
  lastModified: string;
}

export type CustomClaim = CustomClaimConfig & { id: string };

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

export class IamStore {
  readonly apps = new Map<string, App>();
  readonly users = new Map<string, User>();
  readonly customUserSchemaAttributes: SchemaAttributeConfig[];
  readonly customClaims: CustomClaim[];
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  /** Revoked access-token `jti`s, with the token's `exp` so the set can forget them. */
  private readonly revokedJtis = new Map<string, number>();

  constructor(
    config: IamConfig,
    private readonly clock: Clock,
  ) {
    for (const app of config.apps) this.putApp(app);
    for (const user of config.users) this.putUser(user);
    this.customUserSchemaAttributes = [...config.customUserSchemaAttributes];
    this.customClaims = config.customClaims.map((c) => ({ ...c, id: idcsGuid() }));
  }

  private putApp(app: AppConfig): App {
    const stored: App = {
      ...app,
      id: app.id ?? idcsGuid(),
      ocid: ocid('app'),
      grantedAppRoles: appRolesByName(app.grantedAppRoles, `iam.apps ${app.name}`),
    };
    this.apps.set(stored.id, stored);
    return stored;
  }

  private putUser(user: UserConfig): User {
    const stored: User = {
      ...user,
      id: user.id ?? idcsGuid(),
      ocid: ocid('user'),
      grantedAppRoles: appRolesByName(user.grantedAppRoles, `iam.users ${user.userName}`),
      lastModified: new Date(this.clock.nowMs()).toISOString(),
    };
    this.users.set(stored.id, stored);
    return stored;
  }

  /** The app whose OAuth client_id (App `name`) this is. */
  appByClientId(clientId: string): App | undefined {
    for (const app of this.apps.values()) if (app.name === clientId) return app;
    return undefined;
  }

  /** IDCS user names are case-insensitive. */
  userByName(userName: string): User | undefined {
    const wanted = userName.toLowerCase();
    for (const user of this.users.values()) if (user.userName.toLowerCase() === wanted) return user;
    return undefined;
  }

  /** Every resource server's fully qualified scopes: audience glued to the scope value. */
  *resourceScopes(): Generator<{ app: App; fqs: string; value: string }> {
    for (const app of this.apps.values()) {
      if (!app.isOAuthResource || !app.audience) continue;
      for (const scope of app.scopes) yield { app, fqs: `${app.audience}${scope.value}`, value: scope.value };
    }
  }

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

/** Compares secrets in constant time (for equal lengths; length itself is not secret here). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The SCIM view of a user, the object custom-claim expressions (`$user.…`) are evaluated on. */
export function scimUser(user: User): Record<string, unknown> {
  return {
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
