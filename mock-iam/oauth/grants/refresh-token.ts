/**
 * `refresh_token`: a new access token for the grant a refresh token stands for. The scopes are
 * resolved again against today's apps and users, so a scope removed since is refused; a `scope`
 * parameter may narrow, never widen, the original request.
 */
import { oauth } from '../../../common/errors.js';
import { resolveScopes, splitScope } from '../scopes.js';
import { requireParam, type GrantHandler } from './grant-handler.js';

export const refreshTokenGrant: GrantHandler = {
  grantType: 'refresh_token',
  gtp: 'rt',
  async resolve(ctx, client, form) {
    const token = requireParam(form, 'refresh_token', this.grantType);
    const record = ctx.store.refreshToken(token);
    if (!record) throw oauth.invalidGrant('The refresh token is invalid, expired or revoked.');
    if (record.clientId !== client.name) throw oauth.invalidGrant(`the refresh token was issued to another client, not "${client.name}"`);
    const user = record.userId ? ctx.store.users.get(record.userId) : undefined;
    if (record.userId && (!user || !user.active)) throw oauth.invalidGrant('the user of this refresh token no longer exists or is deactivated');
    const narrowed = splitScope(form.get('scope'));
    const wider = narrowed.filter((s) => !record.scope.includes(s));
    if (wider.length) throw oauth.invalidScope(`the refresh token was not granted ${wider.join(' ')}`);
    return {
      client,
      user,
      scope: resolveScopes(ctx, client, user, narrowed.length ? narrowed : record.scope),
      gtp: this.gtp,
      authTime: record.authTime,
      sessionId: record.sessionId,
    };
  },
};
