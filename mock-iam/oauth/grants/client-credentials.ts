/** `client_credentials`: a token for the client itself (`sub_type: client`). */
import type { GrantHandler } from './grant-handler.js';
import { resolveScopes, splitScope } from '../scopes.js';

export const clientCredentialsGrant: GrantHandler = {
  grantType: 'client_credentials',
  gtp: 'cc',
  async resolve(ctx, client, form) {
    return { client, scope: resolveScopes(ctx, client, undefined, splitScope(form.get('scope'))), gtp: this.gtp };
  },
};
