/**
 * Scope resolution as IDCS does it. A requested scope is one of:
 * - a fully qualified scope (FQS): a resource server's `audience` glued to a scope `value`
 *   (`anwendung1` + `AnwendungReadA` = `anwendung1AnwendungReadA`), which the client must hold
 *   in its `allowedScopes`;
 * - `urn:opc:idm:__myscopes__` (the admin scopes of the client's granted app roles) or
 *   `urn:opc:idm:role.<Role Name>` (one role's scopes);
 * - an OpenID Connect scope (`openid`, `profile`, ...), `offline_access`, or
 *   `urn:opc:resource:expiry=<seconds>`.
 * Anything else is `invalid_scope` / "Invalid scope.", with the reason naming the scope.
 */
import { oauth } from '../../common/errors.js';
import { APP_ROLES, findAppRole, type AppRole } from '../app-roles.js';
import type { IamContext } from '../iam-context.js';
import type { App, User } from '../store.js';

export const MY_SCOPES = 'urn:opc:idm:__myscopes__';
const ROLE_SCOPE_PREFIX = 'urn:opc:idm:role.';
const EXPIRY_SCOPE_PREFIX = 'urn:opc:resource:expiry=';
export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'address', 'phone', 'groups', 'get_groups', 'approles', 'get_approles']);
/** Roles every user holds implicitly (self-service). */
const IMPLICIT_USER_ROLES = ['Me'];

export interface ScopeGrant {
  /** The `scope` claim: short scope values and admin scope URNs, in request order, no repeats. */
  scopes: string[];
  /** The `aud` claim's members, in order. */
  audiences: string[];
  /** Resource servers whose scopes were granted (for `resource_app_id` and expiry). */
  resourceApps: App[];
  /** The FQS that were requested and granted (custom claims match on them). */
  grantedFqs: string[];
  /** App roles whose scopes were granted through `__myscopes__` or `role.`. */
  rolesUsed: AppRole[];
  expiresIn: number;
  idToken: boolean;
  offline: boolean;
  /** The request as given, kept with refresh tokens. */
  requested: string[];
}

export function splitScope(scope: string | null | undefined): string[] {
  return [...new Set((scope ?? '').split(' ').filter((s) => s !== ''))];
}

/** Roles whose scopes a token may carry: the client's, and for a user token only those the user also holds. */
function effectiveRoles(client: App, user: User | undefined): AppRole[] {
  if (!user) return client.grantedAppRoles;
  const userRoles = new Set([...user.grantedAppRoles.map((r) => r.id), ...IMPLICIT_USER_ROLES.map((n) => findAppRole(n)!.id)]);
  return client.grantedAppRoles.filter((r) => userRoles.has(r.id));
}

export function resolveScopes(
  ctx: Pick<IamContext, 'store' | 'identity' | 'accessTokenExpiry'>,
  client: App,
  user: User | undefined,
  requested: string[],
): ScopeGrant {
  if (requested.length === 0) {
    throw oauth.invalidScope('no scope was requested; IDCS needs an explicit scope (a resource FQS such as anwendung1AnwendungReadA, or urn:opc:idm:__myscopes__)');
  }
  const grant: ScopeGrant = { scopes: [], audiences: [], resourceApps: [], grantedFqs: [], rolesUsed: [], expiresIn: ctx.accessTokenExpiry, idToken: false, offline: false, requested };
  const addScope = (s: string) => grant.scopes.includes(s) || grant.scopes.push(s);
  const addAudience = (a: string) => grant.audiences.includes(a) || grant.audiences.push(a);
  const roles = effectiveRoles(client, user);
  const resourceScopes = [...ctx.store.resourceScopes()];
  let expiryCap: number | undefined;
  const grantRoles = (chosen: AppRole[]) => {
    for (const r of chosen) {
      if (!grant.rolesUsed.includes(r)) grant.rolesUsed.push(r);
      r.scopes.forEach(addScope);
    }
    // The admin audience of the domain, in the order a real __myscopes__ token lists it.
    addAudience(ctx.identity.secureDomainUrl);
    addAudience(ctx.identity.domainUrl);
    addAudience(`urn:opc:lbaas:logicalguid=${ctx.identity.tenant}`);
  };

  for (const scope of requested) {
    if (scope === MY_SCOPES) {
      if (roles.length === 0) {
        throw oauth.invalidScope(
          user
            ? `${MY_SCOPES}: neither client "${client.name}" and user "${user.userName}" share an IDCS app role`
            : `${MY_SCOPES}: client "${client.name}" holds no IDCS app role (grant one, e.g. Identity Domain Administrator)`,
        );
      }
      grantRoles(roles);
    } else if (scope.startsWith(ROLE_SCOPE_PREFIX)) {
      // Role names with spaces arrive encoded once or twice (`User%2520Administrator`).
      let name = scope.slice(ROLE_SCOPE_PREFIX.length);
      for (let i = 0; i < 2 && /%[0-9a-f]{2}/i.test(name); i++) name = safeDecode(name);
      const wanted = APP_ROLES.find((r) => r.displayName.toLowerCase() === name.toLowerCase());
      if (!wanted) throw oauth.invalidScope(`${scope}: there is no IDCS app role "${name}"`);
      if (!roles.includes(wanted)) throw oauth.invalidScope(`${scope}: the role "${wanted.displayName}" is not granted to client "${client.name}"${user ? ` and user "${user.userName}"` : ''}`);
      grantRoles([wanted]);
    } else if (scope.startsWith(EXPIRY_SCOPE_PREFIX)) {
      const seconds = Number(scope.slice(EXPIRY_SCOPE_PREFIX.length));
      if (!Number.isInteger(seconds) || seconds < 1) throw oauth.invalidScope(`${scope}: the expiry must be a whole number of seconds`);
      expiryCap = Math.min(expiryCap ?? Infinity, seconds);
    } else if (scope === 'offline_access') {
      if (!client.allowedGrants.includes('refresh_token')) {
        throw oauth.invalidScope(`offline_access: client "${client.name}" is not allowed the refresh_token grant`);
      }
      grant.offline = true;
      addScope(scope);
    } else if (OIDC_SCOPES.has(scope)) {
      if (scope === 'openid') grant.idToken = true;
      addScope(scope);
    } else {
      const matches = resourceScopes.filter((r) => r.fqs === scope);
      if (matches.length === 0) {
        const shortName = resourceScopes.find((r) => r.value === scope);
        throw oauth.invalidScope(
          shortName
            ? `"${scope}" is a short scope name; request the fully qualified scope "${shortName.fqs}" (audience "${shortName.app.audience}" + "${scope}")`
            : `"${scope}" is no resource server's audience + scope value`,
        );
      }
      const match = matches.find((m) => m.app.active);
      if (!match) throw oauth.invalidScope(`"${scope}": its resource server "${matches[0]!.app.displayName}" is not active`);
      if (!client.allowedScopes.some((s) => s.fqs === scope)) {
        throw oauth.invalidScope(`"${scope}" is not among the allowedScopes of client "${client.name}"`);
      }
      addScope(match.value);
      grant.grantedFqs.push(scope);
      if (!grant.resourceApps.includes(match.app)) grant.resourceApps.push(match.app);
      addAudience(match.app.audience!);
      match.app.secondaryAudiences.forEach(addAudience);
    }
  }

  if (grant.audiences.length === 0 && user && grant.scopes.some((s) => OIDC_SCOPES.has(s))) {
    // An OpenID Connect sign-in names no resource: the token is for the domain itself (userinfo).
    addAudience(ctx.identity.domainUrl);
  }
  if (grant.audiences.length === 0) {
    throw oauth.invalidScope(`the request names no resource: add a resource server scope or ${MY_SCOPES} to "${requested.join(' ')}"`);
  }
  const resourceExpiry = grant.resourceApps.map((a) => a.accessTokenExpiry).filter((e): e is number => e !== undefined);
  grant.expiresIn = Math.min(resourceExpiry.length ? Math.min(...resourceExpiry) : ctx.accessTokenExpiry, expiryCap ?? Infinity);
  return grant;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
