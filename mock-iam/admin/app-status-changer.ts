/**
 * `PUT /admin/v1/AppStatusChanger/{appId}` (reference §5.2): activates or deactivates an app.
 * A deactivated client is refused at the token endpoint (401 invalid_client); a deactivated
 * resource server's scopes are refused (invalid_scope). Needs the Apps write scope.
 */
import type Router from '@koa/router';
import { scim } from '../../common/errors.js';
import { admit, existing, objectBody, SCIM_JSON, type AdminDeps } from '../scim/collection-routes.js';
import { etag, metaView } from '../scim/resource-type.js';
import { appsResource } from './apps.js';

export const APP_STATUS_CHANGER_SCHEMA = 'urn:ietf:params:scim:schemas:oracle:idcs:AppStatusChanger';

export function appStatusChangerRoutes(router: Router, deps: AdminDeps): void {
  router.put('/admin/v1/AppStatusChanger/:id', async (http) => {
    const body = objectBody(await admit(http, deps, appsResource, 'write'));
    if (!Array.isArray(body.schemas) || !body.schemas.includes(APP_STATUS_CHANGER_SCHEMA)) {
      throw scim.missingAttribute(`schemas must contain "${APP_STATUS_CHANGER_SCHEMA}"`);
    }
    if (body.active === undefined || body.active === null) throw scim.missingAttribute('Missing required attribute(s): active');
    if (typeof body.active !== 'boolean') throw scim.badRequest(`active must be true or false (got ${JSON.stringify(body.active)})`);
    const app = existing(appsResource, deps.context, http.params.id!);
    const changed = deps.context.store.putApp({ ...app, active: body.active });
    http.type = SCIM_JSON;
    http.set('etag', etag(changed.meta));
    http.body = {
      schemas: [APP_STATUS_CHANGER_SCHEMA],
      id: changed.id,
      active: changed.active,
      meta: metaView({ resourceType: 'AppStatusChanger', endpoint: 'AppStatusChanger' }, changed.meta, deps.context.baseUrl, changed.id),
    };
  });
}
