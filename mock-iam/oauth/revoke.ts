/**
 * `POST /oauth2/v1/revoke` (RFC 7009): revokes a refresh token or an access token of the calling
 * client; a revoked access token then introspects as inactive. Unknown tokens still answer 200.
 */
import { oauth } from '../../common/errors.js';
import type { IamContext } from '../iam-context.js';
import { authenticateClient } from './client-auth/client-authentication.js';
import { checkOwnAccessToken } from './own-token.js';
import { refuseRepeatedParams } from './token-endpoint.js';

export async function handleRevocation(ctx: IamContext, form: URLSearchParams, authorization: string | undefined): Promise<void> {
  refuseRepeatedParams(form);
  const { client } = await authenticateClient(ctx, form, authorization);
  const token = form.get('token');
  if (!token) throw oauth.invalidRequest('token is required');
  const refresh = ctx.store.refreshToken(token);
  if (refresh) {
    if (refresh.clientId === client.name) ctx.store.revokeRefreshToken(token);
    return;
  }
  const check = checkOwnAccessToken(ctx, token);
  if (check.ok && check.claims.client_id === client.name && typeof check.claims.jti === 'string') {
    ctx.store.revokeAccessToken(check.claims.jti, Number(check.claims.exp));
  }
}
