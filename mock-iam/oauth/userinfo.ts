/**
 * `GET|POST /oauth2/v1/userinfo`: the user's claims by granted scope (OIDC Core §5.4), for a user
 * access token that carries `openid`. Plain JSON (IDCS's `userinfo_signing_alg` is `none`).
 */
import { OAuthError } from '../../common/errors.js';
import type { IamContext } from '../iam-context.js';
import { bearerToken, checkOwnAccessToken } from './own-token.js';

const invalidToken = (reason: string) =>
  new OAuthError('invalid_token', 'The access token is invalid.', 401, reason, { 'www-authenticate': 'Bearer error="invalid_token"' });

export function handleUserinfo(ctx: IamContext, authorization: string | undefined): Record<string, unknown> {
  const token = bearerToken(authorization);
  if (!token) {
    throw new OAuthError('invalid_token', 'An access token is required.', 401, 'no Authorization: Bearer header', { 'www-authenticate': 'Bearer' });
  }
  const check = checkOwnAccessToken(ctx, token);
  if (!check.ok) throw invalidToken(check.reason);
  const scopes = String(check.claims.scope ?? '').split(' ');
  if (check.claims.sub_type !== 'user') throw invalidToken('userinfo needs a user token; this is a client token (sub_type client)');
  if (!scopes.includes('openid')) {
    throw new OAuthError('insufficient_scope', 'The access token lacks the openid scope.', 403, 'request the token with scope openid', { 'www-authenticate': 'Bearer error="insufficient_scope", scope="openid"' });
  }
  const user = ctx.store.users.get(String(check.claims.user_id));
  if (!user) throw invalidToken('the user of this token no longer exists');
  const info: Record<string, unknown> = { sub: user.userName };
  if (scopes.includes('profile')) {
    Object.assign(info, {
      name: user.displayName ?? user.name?.formatted ?? user.userName,
      given_name: user.name?.givenName,
      family_name: user.name?.familyName,
      preferred_username: user.userName,
      locale: user.locale ?? 'en',
      zoneinfo: user.timezone ?? 'America/Chicago',
      updated_at: Math.floor(Date.parse(user.meta.lastModified) / 1000),
    });
  }
  if (scopes.includes('email')) {
    const email = user.emails.find((e) => e.primary) ?? user.emails[0];
    if (email) Object.assign(info, { email: email.value, email_verified: false });
  }
  if (scopes.includes('groups') || scopes.includes('get_groups')) info.groups = [];
  if (scopes.includes('approles') || scopes.includes('get_approles')) info.appRoles = user.grantedAppRoles.map((r) => r.displayName);
  return JSON.parse(JSON.stringify(info));
}
