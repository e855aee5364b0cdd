/**
 * `/admin/v1/AppRoles` (reference §5.3): the seeded IDCS admin roles of app `IDCSAppId`, read-only
 * (a POST, PUT, PATCH or DELETE answers 405 through the SCIM framework). Find a role's id here,
 * then grant it with `POST /admin/v1/Grants`.
 */
import { APP_ROLES, IDCS_APP_ID, IDCS_APP_NAME, type AppRole } from '../app-roles.js';
import type { ScimResourceType } from '../scim/resource-type.js';
import type { Meta } from '../store.js';

export const APP_ROLE_SCHEMA = 'urn:ietf:params:scim:schemas:oracle:idcs:AppRole';
/** Reading roles is part of granting them: either the Apps or the Grants scope will do. */
export const APP_ROLES_SCOPES = ['urn:opc:idm:t.app', 'urn:opc:idm:t.grants'];

/** The roles are built in and never change: one fixed `meta` (and so one ETag) for all. */
const BUILT_IN_META: Meta = { created: '2016-01-01T00:00:00.000Z', lastModified: '2016-01-01T00:00:00.000Z', version: 1 };

/** Short descriptions after Oracle's administrator-role pages; our wording. */
const DESCRIPTIONS: Record<string, string> = {
  IDCSAppId_IdentityDomainAdministrator: 'Super-user of the identity domain: manages users, groups, apps, grants, settings and schemas.',
  IDCSAppId_UserAdministrator: 'Manages users and groups and their memberships.',
  IDCSAppId_ApplicationAdministrator: 'Manages applications and grants of their roles.',
  IDCSAppId_AuthenticatedClient: 'Lets a client read low-privilege resources such as the signing certificate.',
  IDCSAppId_Me: 'Lets a user manage their own profile and credentials (self-service).',
};

export const appRolesResource: ScimResourceType<AppRole> = {
  endpoint: 'AppRoles',
  resourceType: 'AppRole',
  schema: APP_ROLE_SCHEMA,
  scopes: { read: APP_ROLES_SCOPES, write: APP_ROLES_SCOPES },
  list: () => APP_ROLES,
  find: (_ctx, id) => APP_ROLES.find((r) => r.id === id),
  meta: () => BUILT_IN_META,
  id: (role) => role.id,
  view: (_ctx, role) => ({
    schemas: [APP_ROLE_SCHEMA],
    id: role.id,
    displayName: role.displayName,
    ...(DESCRIPTIONS[role.id] !== undefined ? { description: DESCRIPTIONS[role.id] } : {}),
    uniqueName: role.id,
    adminRole: role.adminRole,
    app: { value: IDCS_APP_ID, display: IDCS_APP_NAME },
  }),
  caseExact: (path) => ['id', 'app.value', 'uniquename'].includes(path.toLowerCase()),
};
