/**
 * The IDCS admin app roles (of the built-in app `IDCSAppId`) and the admin scopes each one yields
 * through `urn:opc:idm:__myscopes__`. Oracle publishes role names but no complete role-to-scope
 * table; the scope names below are IDCS's `urn:opc:idm:t.*` scopes as seen in real admin tokens,
 * and the mapping is our choice (docs/fidelity.md).
 */
export const IDCS_APP_ID = 'IDCSAppId';
export const IDCS_APP_NAME = 'IDCSApp';

export const SCOPE_SECURITY_CLIENT = 'urn:opc:idm:t.security.client';
export const SCOPE_USER_ME = 'urn:opc:idm:t.user.me';

export interface AppRole {
  /** The SCIM id of the role (`/admin/v1/AppRoles/{id}`). */
  id: string;
  displayName: string;
  /** Admin roles make `user_isAdmin: true` appear in tokens. */
  adminRole: boolean;
  scopes: string[];
}

const role = (id: string, displayName: string, adminRole: boolean, scopes: string[]): AppRole => ({ id, displayName, adminRole, scopes });

export const APP_ROLES: ReadonlyArray<AppRole> = [
  role('IDCSAppId_IdentityDomainAdministrator', 'Identity Domain Administrator', true, [
    'urn:opc:idm:t.groups.members',
    'urn:opc:idm:t.app',
    SCOPE_SECURITY_CLIENT,
    'urn:opc:idm:t.bulk.user',
    'urn:opc:idm:t.user.resetpassword',
    'urn:opc:idm:t.grants',
    'urn:opc:idm:t.user.manager',
    'urn:opc:idm:t.user.security',
    SCOPE_USER_ME,
    'urn:opc:idm:t.groups',
    'urn:opc:idm:t.users',
    'urn:opc:idm:t.settings',
    'urn:opc:idm:t.schemas',
    'urn:opc:idm:t.oauthconsents',
    'urn:opc:idm:t.policy',
  ]),
  role('IDCSAppId_UserAdministrator', 'User Administrator', true, [
    'urn:opc:idm:t.groups.members',
    SCOPE_SECURITY_CLIENT,
    'urn:opc:idm:t.user.resetpassword',
    'urn:opc:idm:t.user.manager',
    'urn:opc:idm:t.user.security',
    'urn:opc:idm:t.groups',
    'urn:opc:idm:t.users',
  ]),
  role('IDCSAppId_ApplicationAdministrator', 'Application Administrator', true, ['urn:opc:idm:t.app', SCOPE_SECURITY_CLIENT, 'urn:opc:idm:t.grants']),
  role('IDCSAppId_AuthenticatedClient', 'Authenticated Client', false, [SCOPE_SECURITY_CLIENT]),
  role('IDCSAppId_Me', 'Me', false, [SCOPE_USER_ME]),
];

export function findAppRole(displayName: string): AppRole | undefined {
  return APP_ROLES.find((r) => r.displayName.toLowerCase() === displayName.toLowerCase());
}

/** The roles of a list of names, refusing an unknown name (`owner` says whose list it is). */
export function appRolesByName(names: ReadonlyArray<string>, owner: string): AppRole[] {
  return names.map((name) => {
    const found = findAppRole(name);
    if (!found) throw new Error(`${owner}: no IDCS app role "${name}" (known: ${APP_ROLES.map((r) => r.displayName).join(', ')})`);
    return found;
  });
}
