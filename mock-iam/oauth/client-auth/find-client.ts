import { oauth } from '../../../common/errors.js';
import type { IamStore, App } from '../../store.js';

/** The app with this client_id, refused when it is unknown, not an OAuth client, or inactive. */
export function findActiveClient(store: Pick<IamStore, 'appByClientId'>, clientId: string, usedBasic: boolean): App {
  const app = store.appByClientId(clientId);
  if (!app) throw oauth.invalidClient(`no app has client_id "${clientId}"`, usedBasic);
  if (!app.isOAuthClient) throw oauth.invalidClient(`app "${clientId}" is not configured as an OAuth client (isOAuthClient is false)`, usedBasic);
  if (!app.active) throw oauth.invalidClient(`app "${clientId}" is deactivated; activate it (PUT /admin/v1/AppStatusChanger/${app.id})`, usedBasic);
  return app;
}
