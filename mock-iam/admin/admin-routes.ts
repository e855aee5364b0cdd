/** The IDCS admin REST API: every `/admin/v1/*` resource type and action endpoint. */
import type Router from '@koa/router';
import { scimRoutes, type AdminDeps } from '../scim/collection-routes.js';
import { userPasswordChangerRoutes, usersResource } from './users.js';
import { appRolesResource } from './app-roles.js';
import { appStatusChangerRoutes } from './app-status-changer.js';
import { appsResource } from './apps.js';
import { grantsResource } from './grants.js';
import { customClaimsResource } from './custom-claims.js';
import { schemaRoutes } from './schemas.js';

export function adminRoutes(router: Router, deps: AdminDeps): void {
  scimRoutes(router, usersResource, deps);
  userPasswordChangerRoutes(router, deps);
  scimRoutes(router, appsResource, deps);
  appStatusChangerRoutes(router, deps);
  scimRoutes(router, appRolesResource, deps);
  scimRoutes(router, grantsResource, deps);
  schemaRoutes(router, deps);
  scimRoutes(router, customClaimsResource, deps);
}
